import { existsSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { backgroundCheckpoints } from '../../src/store/checkpointer';
import { parseDatabaseUrl } from '../../src/store/database-url';
import { openStore } from '../../src/store/open';
import type { Store } from '../../src/store/types';
import { testDatabase } from '../helpers/stores';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** A store on a fresh SQLite file, and the file's path. */
async function sqliteStore(): Promise<{ store: Store; file: string }> {
  const db = testDatabase('sqlite');
  cleanups.push(db.cleanup);
  const store = await openStore(db.url);
  const target = parseDatabaseUrl(db.url);
  if (target.kind !== 'sqlite') throw new Error('not SQLite');
  return { store, file: target.path };
}

/** Writes new rows in 120 commits, about 4 MB of WAL: SQLite's default would checkpoint once inside them. */
let filled = 0;
async function fillWal(store: Store) {
  for (let n = 0; n < 60; n++) {
    const i = filled++;
    const at = new Date();
    await Promise.all(
      Array.from({ length: 50 }, (_, k) =>
        store.posts.record({
          platform: 'console',
          channelId: 'c',
          messageId: `m${i}-${k}`,
          paperIds: ['2601.00001'],
          postedAt: at,
          kind: 'answer',
          deliveryId: null,
        }),
      ),
    );
    await store.replays.remember(`k${i}-${'x'.repeat(20_000)}`, new Date(Date.now() + 60_000));
  }
}

describe('SQLite checkpoints on a worker thread', () => {
  it('keeps the WAL small without SQLite checkpointing inside a commit', async () => {
    const { store, file } = await sqliteStore();
    await fillWal(store);
    const size = statSync(`${file}-wal`).size;
    expect(size).toBeGreaterThan(2_000_000);
    // Once the worker has copied those pages into the database, the next writes start the WAL over
    // instead of growing it: without the worker it would pass twice that size (10,000 pages allowed).
    await sleep(1_500);
    await fillWal(store);
    expect(statSync(`${file}-wal`).size).toBeLessThan(size * 1.2);
    await store.close();
  });

  it('closes its connection with the store, which then removes the WAL', async () => {
    const { store, file } = await sqliteStore();
    await fillWal(store);
    await store.close();
    expect(existsSync(`${file}-wal`)).toBe(false);
  });

  it('fails quietly when its worker cannot open the file (SQLite’s own checkpoint is then all there is), and still stops', async () => {
    // The worker's error (no such directory) must not reach the process as an unhandled one, and
    // stop() must not wait for a worker that is already gone.
    const checkpoints = backgroundCheckpoints('/nonexistent-papers-dir/papers.db');
    await sleep(200);
    await checkpoints.stop();
  });
});
