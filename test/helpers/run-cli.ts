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
