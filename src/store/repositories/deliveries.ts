import type { WhereInterface } from 'kysely';
import { chunks, INSERT_CHUNK, type Executor, type StoreDb } from '../db';
import { firstOfEach, groupCommit, inKeyOrder } from '../group-commit';
import { deliveryFromRow } from '../rows';
import type { Database } from '../tables';
import type { ClaimOwner, ClaimRequest, ClaimResult, Delivery, DeliveryRepository } from '../types';

/** The deliveries repository, and how the store's close() writes the claims and heartbeats still waiting for their group commit. */
export function deliveryRepository(db: StoreDb): { deliveries: DeliveryRepository; commitPending(): Promise<void> } {
  const { kysely } = db;

  async function get(id: string): Promise<Delivery | null> {
    const row = await kysely.selectFrom('deliveries').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? deliveryFromRow(row) : null;
  }

  const claims = groupCommit(db, claimAll);

  const heartbeats = groupCommit(db, async (tx, beats: { id: string; owner: ClaimOwner; now: Date; sending: string | undefined }[]) => {
    const held = new Map<(typeof beats)[number], boolean>();
    for (const beat of inKeyOrder(beats, (b) => b.id)) {
      const at = beat.now.toISOString();
      const set = { heartbeat_at: at, ...(beat.sending === undefined ? {} : { sending_key: beat.sending, sending_at: at }) };
      const res = await ownedClaim(tx.updateTable('deliveries').set(set), beat.id, beat.owner).executeTakeFirst();
      held.set(beat, res.numUpdatedRows > 0n);
    }
    return beats.map((beat) => held.get(beat)!);
  });

  const deliveries: DeliveryRepository = {
    /**
     * Insert-or-nothing decides a fresh claim; a taken claim changes hands only by a compare-and-set
     * on the row as it was read (state, attempts, heartbeat), so of two claimers exactly one wins on
     * either dialect, whatever the interleaving. Claims made in the same turn of the event loop (a
     * fan-out's channels) share one transaction and one insert (group-commit.ts); each caller resolves
     * once its claim is committed.
     */
    claim: claims.add,

    /** Heartbeats of the same turn (a fan-out's next messages about to be sent) share one transaction. */
    heartbeat: (id, owner, now, sending) => heartbeats.add({ id, owner, now, sending }),

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
          await tx.deleteFrom('posts').where('delivery_id', 'in', part).execute();
          await tx.deleteFrom('deliveries').where('id', 'in', part).execute();
        }
        return ids.length;
      });
    },
  };
  return { deliveries, commitPending: async () => void (await Promise.all([claims.flush(), heartbeats.flush()])) };
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

/**
 * The claims of one group commit: fresh ones in one insert, the others each taken over if they may
 * be; rows written in the order of their ids (inKeyOrder), as another process's batch writes them.
 */
async function claimAll(tx: Executor, reqs: ClaimRequest[]): Promise<ClaimResult[]> {
  const idOf = (req: ClaimRequest) => `${req.subscriptionId}@${req.date}`;
  // A delivery asked for twice in one batch is inserted once; the second asker then finds it held.
  const firsts = firstOfEach(reqs, idOf);
  const inserted = new Map<string, Delivery>();
  for (const part of chunks([...firsts], INSERT_CHUNK)) {
    const rows = await tx
      .insertInto('deliveries')
      .values(
        part.map(([id, req]) => ({
          id,
          subscription_id: req.subscriptionId,
          date: req.date,
          attempts: 1,
          last_error: null,
          plan: req.plan ? JSON.stringify(req.plan.paperIds) : null,
          sending_key: req.plan?.sending?.key ?? null,
          sending_at: req.plan?.sending?.at.toISOString() ?? null,
          ...claimColumns(req),
        })),
      )
      .onConflict((oc) => oc.doNothing())
      .returningAll()
      .execute();
    for (const row of rows) inserted.set(row.id, deliveryFromRow(row));
  }
  const results = new Map<ClaimRequest, ClaimResult>();
  for (const req of inKeyOrder(reqs, idOf)) {
    const id = idOf(req);
    const fresh = firsts.get(id) === req ? inserted.get(id) : undefined;
    results.set(req, fresh ? { won: true, delivery: fresh, fresh: true } : await takeOver(tx, id, req));
  }
  return reqs.map((req) => results.get(req)!);
}

function claimColumns(req: ClaimRequest) {
  const now = req.now.toISOString();
  return { state: 'claimed', owner_host: req.owner.host, owner_pid: req.owner.pid, heartbeat_at: now, updated_at: now };
}

/** A claim that exists already: taken over by a compare-and-set if it may be, else reported as it is. */
async function takeOver(tx: Executor, id: string, req: ClaimRequest): Promise<ClaimResult> {
  const read = () => tx.selectFrom('deliveries').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const current = deliveryFromRow(await read());
  if (!mayTakeOver(current, req)) return { won: false, delivery: current, fresh: false };
  const taken = await tx
    .updateTable('deliveries')
    .set({ ...claimColumns(req), attempts: current.attempts + 1 })
    .where('id', '=', id)
    .where('state', '=', current.state)
    .where('attempts', '=', current.attempts)
    .where('heartbeat_at', current.heartbeatAt ? '=' : 'is', current.heartbeatAt?.toISOString() ?? null)
    .returningAll()
    .executeTakeFirst();
  if (taken) return { won: true, delivery: deliveryFromRow(taken), fresh: false };
  return { won: false, delivery: deliveryFromRow(await read()), fresh: false };
}
