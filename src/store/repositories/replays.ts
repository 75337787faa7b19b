import { sql } from 'kysely';
import type { StoreDb } from '../db';
import type { ReplayRepository } from '../types';

/** Expired keys are deleted at most this often per process, by the call that notices. */
const PRUNE_EVERY_MS = 60_000;

export function replayRepository(db: StoreDb): ReplayRepository {
  let prunedAt = 0;
  return {
    async remember(key, expiresAt, now = new Date()) {
      const nowIso = now.toISOString();
      if (now.getTime() - prunedAt >= PRUNE_EVERY_MS) {
        prunedAt = now.getTime();
        await db.kysely.deleteFrom('replays').where('expires_at', '<=', nowIso).execute();
      }
      // One statement, so two replicas receiving the same copy at once cannot both see it as new.
      // A key still present but expired (not pruned yet) is taken as new.
      const res = await db.kysely
        .insertInto('replays')
        .values({ key, expires_at: expiresAt.toISOString() })
        .onConflict((oc) => oc.column('key').doUpdateSet({ expires_at: expiresAt.toISOString() }).where(sql<boolean>`replays.expires_at <= ${nowIso}`))
        .executeTakeFirst();
      return Number(res.numInsertedOrUpdatedRows ?? 0n) > 0;
    },
  };
}
