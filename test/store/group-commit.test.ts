import { expect, it } from 'vitest';
import type { StoreDb } from '../../src/store/db';
import { groupCommit } from '../../src/store/group-commit';

/** A StoreDb whose write runs fn at once and counts the transactions; only write is used. */
function countingDb() {
  const db = {
    transactions: 0,
    write(fn: (tx: never) => Promise<unknown>) {
      db.transactions++;
      return fn(undefined as never);
    },
  };
  return db;
}

it('writes what one turn queued in one transaction, each caller getting its own result', async () => {
  const db = countingDb();
  const batches: number[][] = [];
  const doubled = groupCommit(db as unknown as StoreDb, async (_tx, items: number[]) => {
    batches.push(items);
    return items.map((n) => n * 2);
  });
  expect(await Promise.all([doubled.add(1), doubled.add(2), doubled.add(3)])).toEqual([2, 4, 6]);
  expect(await doubled.add(4)).toBe(8);
  expect(batches).toEqual([[1, 2, 3], [4]]);
  expect(db.transactions).toBe(2);
});

it('rejects every caller of a failed batch, and the next turn writes afresh', async () => {
  const db = countingDb();
  let fail = true;
  const written = groupCommit(db as unknown as StoreDb, async (_tx, items: string[]) => {
    if (fail) throw new Error('database is locked');
    return items.map(() => 'ok');
  });
  const failed = await Promise.allSettled([written.add('a'), written.add('b')]);
  expect(failed.map((r) => (r.status === 'rejected' ? String(r.reason) : r.status))).toEqual(['Error: database is locked', 'Error: database is locked']);
  fail = false;
  expect(await written.add('c')).toBe('ok');
});

it('flush writes what is queued at once, as the store does on close', async () => {
  const db = countingDb();
  const written = groupCommit(db as unknown as StoreDb, async (_tx, items: string[]) => items);
  const queued = written.add('last');
  await written.flush();
  expect(db.transactions).toBe(1);
  expect(await queued).toBe('last');
});
