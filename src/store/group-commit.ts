import type { Executor, StoreDb } from './db';

/**
 * The items asked for in one turn of the event loop, handled by one call of `handle` at the next
 * turn; each caller resolves with its own result (or every caller rejects with the call's error).
 */
export function perTurn<I, O>(handle: (items: I[]) => Promise<O[]>) {
  let pending: { item: I; resolve: (out: O) => void; reject: (err: unknown) => void }[] = [];
  const running = new Set<Promise<void>>();

  async function handleBatch(batch: typeof pending): Promise<void> {
    try {
      const out = await handle(batch.map((b) => b.item));
      for (const [i, b] of batch.entries()) b.resolve(out[i]!);
    } catch (err) {
      for (const b of batch) b.reject(err);
    }
  }

  /** Handles what is queued now, and waits for the batches already under way too (the store's close() needs both). */
  async function flush(): Promise<void> {
    const batch = pending;
    pending = [];
    if (batch.length > 0) {
      const run = handleBatch(batch);
      running.add(run);
      void run.finally(() => running.delete(run));
    }
    await Promise.all(running);
  }

  function add(item: I): Promise<O> {
    return new Promise((resolve, reject) => {
      pending.push({ item, resolve, reject });
      if (pending.length === 1) setImmediate(() => void flush());
    });
  }

  return { add, flush };
}

/**
 * Group commit: the items queued in one turn of the event loop are written in one transaction,
 * and each caller resolves (with its own result) only once that transaction is committed. On
 * SQLite a commit costs far more than a small statement, so a burst (200 answers recorded, 50
 * interactions checked against replays) pays a few commits instead of one each. The store's
 * close() calls flush, so nothing queued or being written is lost.
 */
export function groupCommit<I, O>(db: StoreDb, write: (tx: Executor, items: I[]) => Promise<O[]>) {
  return perTurn((items: I[]) => db.write((tx) => write(tx, items)));
}

/**
 * A batch's items in the order of their keys (askers of one key in the order they asked). Batches
 * of several processes write shared rows in this one order, so none of them holds a row another
 * waits for while waiting for one that other holds: PostgreSQL ends such a deadlock by failing a
 * whole batch, every caller in it. (Two posting processes' batches of claims, their channels
 * shuffled, deadlocked so.)
 */
export function inKeyOrder<T>(items: T[], keyOf: (item: T) => string): T[] {
  return keyedInOrder(items, keyOf).map((k) => k.item);
}

/** Items with their keys, in key order (a stable sort); each key is made once, not twice per comparison. */
function keyedInOrder<T>(items: T[], keyOf: (item: T) => string): { item: T; key: string }[] {
  return items.map((item) => ({ item, key: keyOf(item) })).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/**
 * The first item of each key in a batch, in key order (inKeyOrder): one statement may write a key
 * once (PostgreSQL refuses to update a row twice in one), so the first asker's item is written and
 * later askers of the same key find it there.
 */
export function firstOfEach<T>(items: T[], keyOf: (item: T) => string): Map<string, T> {
  const first = new Map<string, T>();
  for (const { item, key } of keyedInOrder(items, keyOf)) if (!first.has(key)) first.set(key, item);
  return first;
}
