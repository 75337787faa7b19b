import { expect, it } from 'vitest';
import type { StoreDb } from '../../src/store/db';
import { firstOfEach, groupCommit, inKeyOrder } from '../../src/store/group-commit';

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

it('puts a batch in key order, askers of one key in the order they asked, and keeps the first asker of each key', () => {
  const asks = [
    { key: 'c', asker: 1 },
    { key: 'a', asker: 2 },
    { key: 'c', asker: 3 },
    { key: 'b', asker: 4 },
    { key: 'a', asker: 5 },
  ];
  let keysMade = 0;
  const keyOf = (ask: { key: string }) => {
    keysMade++;
    return ask.key;
  };
  expect(inKeyOrder(asks, keyOf).map((a) => a.asker)).toEqual([2, 5, 4, 1, 3]);
  // Each item's key is made once, however many comparisons the sort makes.
  expect(keysMade).toBe(asks.length);
  const first = firstOfEach(asks, (a) => a.key);
  expect([...first].map(([key, a]) => [key, a.asker])).toEqual([
    ['a', 2],
    ['b', 4],
    ['c', 1],
  ]);
});
