import type { WhereInterface } from 'kysely';
import { chunks, type StoreDb } from '../db';
import { deliveryFromRow } from '../rows';
import type { Database } from '../tables';
import type { ClaimOwner, ClaimRequest, Delivery, DeliveryRepository } from '../types';

export function deliveryRepository(db: StoreDb): DeliveryRepository {
  const { kysely } = db;

  async function get(id: string): Promise<Delivery | null> {
    const row = await kysely.selectFrom('deliveries').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? deliveryFromRow(row) : null;
  }

  return {
    /**
     * Insert-or-nothing decides a fresh claim; a taken claim changes hands only by a compare-and-set
     * on the row as it was read (state, attempts, heartbeat), so of two claimers exactly one wins on
     * either dialect, whatever the interleaving.
     */
    async claim(req) {
      const id = `${req.subscriptionId}@${req.date}`;
      const now = req.now.toISOString();
      const claim = { state: 'claimed', owner_host: req.owner.host, owner_pid: req.owner.pid, heartbeat_at: now, updated_at: now };
      const inserted = await kysely
        .insertInto('deliveries')
        .values({
          id,
          subscription_id: req.subscriptionId,
          date: req.date,
          attempts: 1,
          last_error: null,
          plan: req.plan ? JSON.stringify(req.plan.paperIds) : null,
          sending_key: req.plan?.sending?.key ?? null,
          sending_at: req.plan?.sending?.at.toISOString() ?? null,
          ...claim,
        })
        .onConflict((oc) => oc.doNothing())
        .returningAll()
        .executeTakeFirst();
      if (inserted) return { won: true, delivery: deliveryFromRow(inserted), fresh: true };

      const current = deliveryFromRow(await kysely.selectFrom('deliveries').selectAll().where('id', '=', id).executeTakeFirstOrThrow());
      if (!mayTakeOver(current, req)) return { won: false, delivery: current, fresh: false };

      const taken = await kysely
        .updateTable('deliveries')
        .set({ ...claim, attempts: current.attempts + 1 })
        .where('id', '=', id)
        .where('state', '=', current.state)
        .where('attempts', '=', current.attempts)
        .where('heartbeat_at', current.heartbeatAt ? '=' : 'is', current.heartbeatAt?.toISOString() ?? null)
        .returningAll()
        .executeTakeFirst();
      if (taken) return { won: true, delivery: deliveryFromRow(taken), fresh: false };
      return { won: false, delivery: (await get(id))!, fresh: false };
    },

    async heartbeat(id, owner, now, sending) {
      const at = now.toISOString();
      const res = await ownedClaim(
        kysely.updateTable('deliveries').set({ heartbeat_at: at, ...(sending === undefined ? {} : { sending_key: sending, sending_at: at }) }),
        id,
        owner,
      ).executeTakeFirst();
      return res.numUpdatedRows > 0n;
    },

    async holds(id, owner) {
      return (await ownedClaim(kysely.selectFrom('deliveries').select('id'), id, owner).executeTakeFirst()) !== undefined;
    },

    async setPlan(id, owner, paperIds, sending) {
      const next = sending ? { sending_key: sending.key, sending_at: sending.at.toISOString() } : {};
      const res = await ownedClaim(kysely.updateTable('deliveries').set({ plan: JSON.stringify(paperIds), ...next }), id, owner).executeTakeFirst();
      return res.numUpdatedRows > 0n;
    },

    /** Does nothing when the claim was lost: the new owner finishes the delivery. */
    async finish(id, owner, outcome, now) {
      await ownedClaim(
        kysely
          .updateTable('deliveries')
          .set({ state: outcome.state, last_error: outcome.state === 'failed' ? outcome.error : null, updated_at: now.toISOString() }),
        id,
        owner,
      ).execute();
    },

    get,

    async getMany(ids) {
      const out = new Map<string, Delivery>();
      for (const part of chunks([...new Set(ids)])) {
        for (const row of await kysely.selectFrom('deliveries').selectAll().where('id', 'in', part).execute()) out.set(row.id, deliveryFromRow(row));
      }
      return out;
    },

    async forget(subscriptionIds) {
      if (subscriptionIds.length === 0) return 0;
      return db.write(async (tx) => {
        const ids = (await tx.selectFrom('deliveries').select('id').where('subscription_id', 'in', subscriptionIds).execute()).map((r) => r.id);
        for (const part of chunks(ids)) {
          // The papers of every message of these deliveries, in one statement (both engines take row values).
          await tx
            .deleteFrom('post_papers')
            .where(({ eb, refTuple, selectFrom }) =>
              eb(
                refTuple('platform', 'channel_id', 'message_id'),
                'in',
                selectFrom('posts')
                  .select(['platform', 'channel_id', 'message_id'])
                  .where('delivery_id', 'in', part)
                  .$asTuple('platform', 'channel_id', 'message_id'),
              ),
            )
            .execute();
          await tx.deleteFrom('posts').where('delivery_id', 'in', part).execute();
          await tx.deleteFrom('deliveries').where('id', 'in', part).execute();
        }
        return ids.length;
      });
    },
  };
}

/**
 * Narrows a read or an update to a claim this owner still holds: the one definition of holding a
 * claim, for the reads and writes that need it.
 */
function ownedClaim<Q extends WhereInterface<Database, 'deliveries'>>(q: Q, id: string, owner: ClaimOwner): Q {
  return q.where('id', '=', id).where('state', '=', 'claimed').where('owner_host', '=', owner.host).where('owner_pid', '=', owner.pid) as Q;
}

/** Whether a delivery someone else holds may be claimed now. */
function mayTakeOver(d: Delivery, req: ClaimRequest): boolean {
  if (d.state === 'posted') return false;
  if (d.state === 'failed') return d.attempts < req.maxAttempts;
  const stale = d.heartbeatAt === null || req.now.getTime() - d.heartbeatAt.getTime() > req.staleAfterMs;
  return stale || (d.owner !== null && req.ownerIsGone(d.owner));
}
