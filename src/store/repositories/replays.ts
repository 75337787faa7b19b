import { sql } from 'kysely';
import type { Executor, StoreDb } from '../db';
import { groupCommit } from '../group-commit';
import type { ReplayRepository } from '../types';

/** Expired keys are deleted at most this often per process, by the call that notices. */
const PRUNE_EVERY_MS = 60_000;

interface Remembered {
  key: string;
  expiresAt: Date;
  now: Date;
}

export function replayRepository(db: StoreDb): ReplayRepository {
  let prunedAt = 0;

  /** One statement per key, so two replicas receiving the same copy at once cannot both see it as new. */
  async function rememberOne(tx: Executor, { key, expiresAt, now }: Remembered): Promise<boolean> {
    const nowIso = now.toISOString();
    // A key still present but expired (not pruned yet) is taken as new.
    const res = await tx
      .insertInto('replays')
      .values({ key, expires_at: expiresAt.toISOString() })
      .onConflict((oc) => oc.column('key').doUpdateSet({ expires_at: expiresAt.toISOString() }).where(sql<boolean>`replays.expires_at <= ${nowIso}`))
      .executeTakeFirst();
    return Number(res.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  // Requests arriving together (a burst of interactions) share one commit.
  const remembered = groupCommit(db, async (tx, items: Remembered[]) => {
    const now = items[0]!.now;
    if (now.getTime() - prunedAt >= PRUNE_EVERY_MS) {
      prunedAt = now.getTime();
      await tx.deleteFrom('replays').where('expires_at', '<=', now.toISOString()).execute();
    }
    const firsts: boolean[] = [];
    for (const item of items) firsts.push(await rememberOne(tx, item));
    return firsts;
  });

  return {
    remember: (key, expiresAt, now = new Date()) => remembered.add({ key, expiresAt, now }),
  };
}
