import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { errorMessage } from '../../src/errors';
import type { Paper } from '../../src/model/paper';
import { openStore } from '../../src/store/open';
import { currentOwner } from '../../src/schedule/claims';
import { postDaily } from '../../src/schedule/fanout';
import { storeKinds, testDatabase, testDatabaseUrl } from '../helpers/stores';
import { LIST_DATE, log, RecordingPoster, realPapers, subscription, testConfig } from '../schedule/harness';
import { drillLine } from './report';

/** Storage faults: a SQLite file locked by another process or on a full disk, and Postgres dropping our connections. */

function integrity(file: string): string {
  const db = new Database(file, { readonly: true });
  try {
    return (db.pragma('integrity_check', { simple: true }) as string) ?? '';
  } finally {
    db.close();
  }
}

/** Papers with fresh ids, so each batch is a real insert. */
function batch(n: number, size: number): Paper[] {
  return Array.from({ length: size }, (_, i) => {
    const p = realPapers[i % realPapers.length]!;
    const id = `drill-${n}-${i}`;
    return { ...p, id, arxivId: null, title: `${p.title} ${id}`, summary: p.summary.repeat(4) };
  });
}

describe('drill sqlite-busy', () => {
  it('a write lock held by another process: writes wait it out, or fail with a clear error after the lock wait; no corruption', async () => {
    const db = testDatabase('sqlite');
    const file = db.url.replace(/^sqlite:/, '');
    const store = await openStore(db.url, { lockWaitMs: 1_000 });
    await store.papers.upsert(realPapers, new Date());
    // Another process takes the write lock and lets go after holdMs on its own.
    const holdLock = async (holdMs: number) => {
      const holder = spawn(
        process.execPath,
        [
          '-e',
          `
        const db = new (require('better-sqlite3'))(${JSON.stringify(file)});
        db.exec('BEGIN IMMEDIATE'); db.prepare("insert into meta (key, value) values ('held', 'x')").run();
        process.stdout.write('locked\\n');
        setTimeout(() => { db.exec('ROLLBACK'); db.close(); }, ${holdMs});
      `,
        ],
        { cwd: path.dirname(require.resolve('better-sqlite3/package.json')), stdio: ['ignore', 'pipe', 'inherit'] },
      );
      await once(holder.stdout, 'data');
      return holder;
    };

    // Held past the lock wait (1 s here): one clear error, and nothing half-written.
    const long = await holdLock(3_000);
    const failed = await store.papers.upsert(batch(1, 20), new Date()).then(
      () => null,
      (err: unknown) => errorMessage(err),
    );
    expect(failed).toMatch(/database is locked/);
    long.kill();
    await once(long, 'exit');
    // Released while a write waits: the write goes through.
    const short = await holdLock(300);
    const released = once(short, 'exit');
    expect((await store.papers.upsert(batch(2, 20), new Date())).inserted).toBe(20);
    await released;

    expect(await store.papers.count()).toBe(realPapers.length + 20);
    await store.close();
    expect(integrity(file)).toBe('ok');
    drillLine(
      'sqlite-busy',
      `write lock held by another process: 1 write failed after the lock wait with "${failed}", 1 write waited and succeeded, integrity_check ok, 0 rows lost`,
    );
    await db.cleanup();
  }, 30_000);
});

/** A tiny tmpfs (we run as root in CI and here); null when mounting is not allowed. */
function mountTinyDisk(): { dir: string; unmount(): void } | null {
  const dir = mkdtempSync(path.join(tmpdir(), 'papers-full-'));
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir]).status === 0;
  if (!mounted) {
    rmSync(dir, { recursive: true, force: true });
    return null;
  }
  return {
    dir,
    unmount: () => {
      spawnSync('umount', ['-l', dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const disk = mountTinyDisk();
if (!disk) console.warn('\n*** cannot mount a tmpfs (not root?): the SQLite full-disk drill is SKIPPED ***\n');
else disk.unmount();

describe.skipIf(!disk)('drill sqlite-full-disk', () => {
  it('on a full disk (1 MB tmpfs) writes fail with a clear error, committed rows survive, no corruption', async () => {
    const tiny = mountTinyDisk()!;
    try {
      mkdirSync(path.join(tiny.dir, 'data'));
      const file = path.join(tiny.dir, 'data', 'papers.db');
      const store = await openStore(`sqlite:${file}`);
      let committed = 0;
      const errors: string[] = [];
      for (let n = 0; n < 200 && errors.length < 3; n++) {
        try {
          committed += (await store.papers.upsert(batch(n, 10), new Date())).inserted;
        } catch (err) {
          errors.push(errorMessage(err));
        }
      }
      expect(errors.length).toBeGreaterThan(0);
      for (const e of errors) expect(e).toMatch(/database or disk is full/);
      // What was committed is all there; the failed batches left nothing behind.
      expect(await store.papers.count()).toBe(committed);
      await store.close().catch(() => {});
      expect(integrity(file)).toBe('ok');
      drillLine(
        'sqlite-full-disk',
        `1 MB tmpfs filled: ${committed} papers committed, ${errors.length} writes refused with "${errors[0]}", count matches, integrity_check ok`,
      );
    } finally {
      tiny.unmount();
    }
  }, 30_000);
});

describe.skipIf(!storeKinds.includes('postgres'))('drill postgres-connections-killed', () => {
  it('every backend of the store terminated mid fan-out, repeatedly: it reconnects, and each channel gets each paper once', async () => {
    const db = testDatabase('postgres');
    const app = `drill_${Date.now().toString(36)}`;
    const url = `${db.url}&application_name=${app}`;
    const store = await openStore(url);
    const admin = new pg.Client({ connectionString: testDatabaseUrl });
    await admin.connect();
    try {
      await store.papers.upsert(realPapers, new Date(`${LIST_DATE}T08:00:00Z`));
      const channels = Array.from({ length: 12 }, (_, i) => `pg${i}`);
      for (const c of channels) await store.subscriptions.upsert(subscription(c, { top: 3 }));
      let terminated = 0;
      let storming = true;
      const storm = (async () => {
        while (storming) {
          const { rows } = await admin.query('select pg_terminate_backend(pid) as ok from pg_stat_activity where application_name = $1', [app]);
          terminated += rows.length;
          await new Promise((r) => setTimeout(r, 5));
        }
      })();
      const poster = new RecordingPoster();
      // Real time passing from 09:00 on the list's day, so a claim left by a broken run goes stale.
      const started = Date.now();
      const clock = () => new Date(Date.parse(`${LIST_DATE}T09:00:00Z`) + Date.now() - started);
      // A claim left by a run the storm broke is taken back once stale; a short limit stands in for the wait.
      const config = testConfig({ concurrency: 4, maxAttempts: 50, claimStaleMs: 100 });
      let runs = 0;
      let failedRuns = 0;
      for (; runs < 40; runs++) {
        const report = await postDaily({ store, posters: [poster], config, log, now: clock, owner: currentOwner(), date: LIST_DATE, retryDelayMs: 1 }).catch(
          () => null,
        );
        if (!report || report.channels.some((c) => c.outcome === 'failed')) failedRuns++;
        if (runs >= 3 && report?.channels.every((c) => c.outcome === 'posted' || c.outcome === 'already-posted')) break;
      }
      storming = false;
      await storm;
      await new Promise((r) => setTimeout(r, 150));
      // Calm again: one more run finishes anything the storm left, then everything is checked.
      await postDaily({ store, posters: [poster], config, log, now: clock, owner: currentOwner(), date: LIST_DATE, retryDelayMs: 1 });
      let duplicates = 0;
      let missing = 0;
      for (const c of channels) {
        const shown = poster.inChannel(c).map((m) => m.key);
        const plan = (await store.deliveries.get(`console:${c}@${LIST_DATE}`))?.plan ?? [];
        duplicates += shown.length - new Set(shown).size;
        missing += 1 + 3 - new Set(shown).size + (plan.length === 3 ? 0 : 1);
      }
      drillLine(
        'postgres-connections-killed',
        `${terminated} backends terminated during ${runs + 1} fan-out runs (${failedRuns} with failures), ${channels.length} channels: reconnected, ${duplicates} duplicates, ${missing} missing`,
      );
      expect({ duplicates, missing }).toEqual({ duplicates: 0, missing: 0 });
      expect(terminated).toBeGreaterThan(0);
    } finally {
      await admin.end();
      await store.close().catch(() => {});
      await db.cleanup();
    }
  }, 60_000);
});
