import { sql } from 'kysely';
import type { StoreDb } from '../db';
import { firstOfEach, groupCommit } from '../group-commit';
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

  // Requests arriving together (a burst of interactions) share one commit and one statement. The
  // unique key decides, so two replicas receiving the same copy at once cannot both see it as new.
  const remembered = groupCommit(db, async (tx, items: Remembered[]) => {
    const now = new Date(Math.max(...items.map((i) => i.now.getTime()))).toISOString();
    if (Date.parse(now) - prunedAt >= PRUNE_EVERY_MS) {
      prunedAt = Date.parse(now);
      await tx.deleteFrom('replays').where('expires_at', '<=', now).execute();
    }
    // A key twice in one batch: its first copy is the statement's to decide, the second is a replay.
    const first = firstOfEach(items, (i) => i.key);
    // A key still present but expired (not pruned yet) is taken as new: updated, and returned.
    const rows = await tx
      .insertInto('replays')
      .values([...first.values()].map(({ key, expiresAt }) => ({ key, expires_at: expiresAt.toISOString() })))
      .onConflict((oc) =>
        oc
          .column('key')
          .doUpdateSet({ expires_at: (eb) => eb.ref('excluded.expires_at') })
          .where(sql<boolean>`replays.expires_at <= ${now}`),
      )
      .returning('key')
      .execute();
    const isNew = new Set(rows.map((r) => r.key));
    return items.map((item) => first.get(item.key) === item && isNew.has(item.key));
  });

  return {
    remember: (key, expiresAt, now = new Date()) => remembered.add({ key, expiresAt, now }),
  };
}
