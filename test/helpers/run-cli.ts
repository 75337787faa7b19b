import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { PassThrough, Readable } from 'node:stream';
import { main } from '../../cli/main';
import type { CliContext } from '../../cli/context';
import { repoRoot } from './fixtures';

/** Runs `papers ...` in-process with in-memory streams; returns the exit code and what was written. */
export async function runPapers(argv: string[], opts: { stdin?: string; env?: Record<string, string> } = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on('data', (c) => out.push(String(c)));
  stderr.on('data', (c) => err.push(String(c)));
  const ctx: CliContext = {
    env: opts.env ?? {},
    cwd: repoRoot,
    stdin: Readable.from(opts.stdin === undefined ? [] : [opts.stdin]),
    stdout,
    stderr,
    shutdownSignal: new Promise(() => {}),
  };
  const code = await main(argv, ctx);
  return { code, stdout: out.join(''), stderr: err.join('') };
}

export interface SpawnedPapers {
  child: ChildProcessWithoutNullStreams;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  /** Everything written to stderr so far (the JSON log lines). */
  stderr(): string;
  /** Resolves once the `ready` event is logged; rejects if the process exits first. */
  ready: Promise<void>;
}

/** Runs `papers ...` as a process of its own (the build, as an operator runs it), with only PATH and `env` in its environment. */
export function spawnPapers(argv: string[], env: Record<string, string>): SpawnedPapers {
  const child = spawn(process.execPath, ['bin/papers.mjs', ...argv], { cwd: repoRoot, env: { PATH: process.env.PATH ?? '', ...env } });
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const ready = new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (d) => {
      stderr += String(d);
      if (stderr.includes('"event":"ready"')) resolve();
    });
    void exited.then((code) => reject(new Error(`papers ${argv.join(' ')} exited ${code} before ready: ${stderr}`)));
  });
  ready.catch(() => {});
  return { child, exited, stderr: () => stderr, ready };
}
