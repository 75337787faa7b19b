import type { Executor, StoreDb } from './db';

/**
 * Group commit: the items queued in one turn of the event loop are written in one transaction,
 * and each caller resolves (with its own result) only once that transaction is committed. On
 * SQLite a commit costs far more than a small statement, so a burst (200 answers recorded, 50
 * interactions checked against replays) pays a few commits instead of one each.
 */
export function groupCommit<I, O>(db: StoreDb, write: (tx: Executor, items: I[]) => Promise<O[]>) {
  let pending: { item: I; resolve: (out: O) => void; reject: (err: unknown) => void }[] = [];

  /** Writes what is queued now; the store's close() calls it so nothing queued is lost. */
  async function flush(): Promise<void> {
    const batch = pending;
    if (batch.length === 0) return;
    pending = [];
    try {
      const out = await db.write((tx) =>
        write(
          tx,
          batch.map((b) => b.item),
        ),
      );
      for (const [i, b] of batch.entries()) b.resolve(out[i]!);
    } catch (err) {
      for (const b of batch) b.reject(err);
    }
  }

  function add(item: I): Promise<O> {
    return new Promise((resolve, reject) => {
      pending.push({ item, resolve, reject });
      if (pending.length === 1) setImmediate(() => void flush());
    });
  }

  return { add, flush };
}
