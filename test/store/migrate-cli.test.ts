import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src/store/migrations/index';
import { main } from '../../cli/main';
import { repoRoot } from '../helpers/fixtures';
import { storeKinds, testDatabaseUrl } from '../helpers/stores';

const workDir = mkdtempSync(path.join(tmpdir(), 'papers-migrate-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

type Outcome = { code: number; stdout: string; stderr: string };

/** `papers migrate` in this process, with only DATABASE_URL set. */
async function migrate(databaseUrl?: string): Promise<Outcome> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on('data', (c: Buffer) => out.push(c.toString()));
  stderr.on('data', (c: Buffer) => err.push(c.toString()));
  const code = await main(['migrate'], {
    env: databaseUrl === undefined ? {} : { DATABASE_URL: databaseUrl },
    cwd: workDir,
    stdin: new PassThrough(),
    stdout,
    stderr,
    shutdownSignal: new Promise(() => {}),
  });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

/** `papers migrate` as a real process, as an operator runs it. */
function migrateProcess(databaseUrl: string): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(repoRoot, 'bin/papers.mjs'), 'migrate'],
      { cwd: workDir, env: { PATH: process.env.PATH, DATABASE_URL: databaseUrl } },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code) : 0, stdout, stderr }),
    );
  });
}

function expectOneLineFailure(result: Outcome, says: RegExp) {
  expect(result.code).not.toBe(0);
  expect(result.stdout).toBe('');
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(says);
  expect(result.stderr).not.toMatch(/\bat .+:\d+:\d+/);
}

describe('papers migrate', () => {
  it('creates the default SQLite database under ./data and reports from → to, then that it is up to date', async () => {
    const first = await migrate();
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^migrated database from version 0 to \d+\n$/);
    // Each migration is announced as it starts and as it ends, in order.
    const steps = Object.keys(MIGRATIONS).flatMap((name, i, all) => [
      `papers migrate: applying ${name} (${i + 1}/${all.length})`,
      expect.stringMatching(new RegExp(`^papers migrate: ${name} done in \\d+\\.\\d s \\(${i + 1}/${all.length}\\)$`)),
    ]);
    expect(first.stderr.trimEnd().split('\n')).toEqual(steps);
    expect(await migrate()).toMatchObject({ stdout: expect.stringMatching(/^database is up to date at version \d+\n$/), stderr: '' });
    expect((await migrate(`sqlite:${path.join(workDir, 'data/papers.db')}`)).stdout).toMatch(/up to date/);
  });

  it('rejects an unknown scheme in one line', async () => {
    expectOneLineFailure(await migrate('mysql://root@127.0.0.1/papers'), /^papers migrate: DATABASE_URL has unsupported scheme "mysql:"/);
  });

  it('rejects an unwritable SQLite path in one line', async () => {
    const file = path.join(workDir, 'not-a-directory');
    writeFileSync(file, 'x');
    expectOneLineFailure(
      await migrate(`sqlite:${file}/papers.db`),
      /^papers migrate: cannot create the directory for the SQLite database .*not-a-directory\/papers\.db: a part of the path is a file, not a directory$/,
    );
  });

  it('rejects a file that is not a SQLite database in one line', async () => {
    const file = path.join(workDir, 'notes.txt');
    writeFileSync(file, 'these are not the tables you are looking for\n'.repeat(20));
    expectOneLineFailure(await migrate(file), /^papers migrate: cannot open the SQLite database .*notes\.txt: file is not a database$/);
  });

  it.runIf(storeKinds.includes('postgres'))('rejects a PostgreSQL database that does not exist in one line', async () => {
    const url = new URL(testDatabaseUrl);
    url.pathname = '/no_such_database_here';
    expectOneLineFailure(await migrate(url.toString()), /^papers migrate: cannot use PostgreSQL at .*: database "no_such_database_here" does not exist$/);
  });

  it('exits non-zero with one line and no stack trace as a real process when the host is unreachable', async () => {
    expectOneLineFailure(
      await migrateProcess('postgres://postgres@127.0.0.1:1/test'),
      /^papers migrate: cannot use PostgreSQL at 127\.0\.0\.1:1: host unreachable \(ECONNREFUSED\)$/,
    );
  });
});
