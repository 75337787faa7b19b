import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/fixtures';
import { freePort } from '../helpers/net';

const dir = mkdtempSync(path.join(tmpdir(), 'papers-start-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * `papers start` as an operator runs it, offline: Hugging Face points at a closed loopback port,
 * so the bot must fall back to its bundled list. No platform tokens, so the console is the adapter.
 */
function start(args: string[], env: Record<string, string>, opts: { stdin?: string; onStderr?: (line: string) => void } = {}) {
  const child = spawn(process.execPath, ['bin/papers.mjs', 'start', ...args], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', HF_BASE_URL: 'http://127.0.0.1:9', ...env },
  });
  const run: Run = { code: null, stdout: '', stderr: '' };
  child.stdout.on('data', (d) => (run.stdout += String(d)));
  child.stderr.on('data', (d) => {
    run.stderr += String(d);
    for (const line of String(d).split('\n').filter(Boolean)) opts.onStderr?.(line);
  });
  if (opts.stdin !== undefined) child.stdin.end(opts.stdin);
  const done = new Promise<Run>((resolve) => child.on('exit', (code) => resolve({ ...run, code })));
  return { child, done };
}

function logEvents(stderr: string): Record<string, unknown>[] {
  return stderr
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('papers start --console (piped, offline, fresh database)', () => {
  const env = async () => ({ DATABASE_URL: `sqlite:${path.join(dir, 'papers.db')}`, PORT: String(await freePort()) });

  it('prints the digest, confirms the bookmark and lists it; a second run still lists it and exports BibTeX', async () => {
    const first = await start(['--console'], await env(), { stdin: '/papers today\nreact 1 🔖\n/papers bookmarks\n' }).done;
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('Hugging Face could not be reached: showing the bundled 2025-10-14 list');
    expect(first.stdout).toMatch(/Daily Papers of Tue, Oct 14, 2025.*top 5 of 39\.\n/);
    expect(first.stdout).toMatch(/\n\[1\] QeRL: Beyond Efficiency/);
    expect(first.stdout).toContain('Bookmarked "QeRL: Beyond Efficiency -- Quantization-enhanced Reinforcement Learning for LLMs".');
    expect(first.stdout).toMatch(/Your bookmarks \(1\):\n\[6\] 1\. QeRL/);
    // The chat is not interleaved with logs: without LOG_LEVEL a console of its own logs only
    // warnings, and the unreachable source's retries not even those (the notice above says it).
    expect(first.stderr).toBe('');

    const second = await start(['--console'], await env(), { stdin: '/papers bookmarks\n/papers bookmarks export bibtex\n' }).done;
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/Your bookmarks \(1\):\n\[\d+\] 1\. QeRL/);
    expect(second.stdout.match(/^@misc\{/gm)).toHaveLength(1);
    expect(second.stdout).toContain('  eprint        = {2510.11696},');
  });

  it('serves /healthz once ready and stops cleanly on SIGTERM', async () => {
    const e = await env();
    let resolveReady!: () => void;
    const ready = new Promise<void>((resolve) => (resolveReady = resolve));
    // Logs are JSON, one event per line, on stderr; with LOG_LEVEL=info one of them says the bot is ready.
    const { child, done } = start(
      ['--console', '--no-scheduler'],
      { ...e, LOG_LEVEL: 'info' },
      { onStderr: (line) => line.includes('"event":"ready"') && resolveReady() },
    );
    await ready;
    const res = await fetch(`http://127.0.0.1:${e.PORT}/healthz`);
    expect(res.status).toBe(200);
    child.kill('SIGTERM');
    const result = await done;
    expect(result.code).toBe(0);
    const readyEvents = logEvents(result.stderr).filter((ev) => ev.event === 'ready');
    expect(readyEvents).toHaveLength(1);
    // The URL to check, as an operator would paste it (PORT on HOST; a wildcard HOST on loopback).
    expect(readyEvents[0]!.healthz).toBe(`http://127.0.0.1:${e.PORT}/healthz`);
    expect(logEvents(result.stderr).some((ev) => ev.event === 'stopping' && ev.reason === 'SIGTERM')).toBe(true);
  });

  it('refuses an unknown flag with one line and exit code 2', async () => {
    const result = await start(['--bogus'], await env(), { stdin: '' }).done;
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^papers start: Unknown option '--bogus'.*\(usage: papers start \[--console\] \[--no-scheduler\] \[--no-gateway \| --gateway-only\] \[--user NAME\]\)\n$/,
    );
  });
});
