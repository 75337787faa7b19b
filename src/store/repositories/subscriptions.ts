import { sql } from 'kysely';
import { chunks, type StoreDb } from '../db';
import { perTurn } from '../group-commit';
import { subscriptionFromRow } from '../rows';
import type { SubscriptionsTable } from '../tables';
import type { SubscriptionRepository } from '../types';
import { bumpCounter, readCounter } from './meta';

/** The meta counter of subscription writes (SubscriptionRepository.changeStamp). */
const REVISION_KEY = 'subscriptions_revision';

export function subscriptionRepository(db: StoreDb): SubscriptionRepository {
  const { kysely } = db;
  /**
   * Counted after the write commits, in a statement of its own: a reader that sees the new count
   * sees the write, and the counter's row is locked only for that statement, not while 200 replicas'
   * subscription writes queue on it. A crash in between is caught up by the scheduler's sweep.
   */
  const bumpRevision = () => bumpCounter(kysely, REVISION_KEY);
  // Every command reads its channel's settings: a burst's reads of one turn share one query.
  const reads = perTurn(async (ids: string[]) => {
    const rows = new Map<string, SubscriptionsTable>();
    for (const part of chunks([...new Set(ids)])) {
      for (const row of await kysely.selectFrom('subscriptions').selectAll().where('id', 'in', part).execute()) rows.set(row.id, row);
    }
    return ids.map((id) => {
      const row = rows.get(id);
      return row ? subscriptionFromRow(row) : null;
    });
  });
  return {
    /**
     * A person subscribing again re-enables a channel the scheduler disabled; a config file declaring
     * the same settings again at start does not, or a gone channel would be retried on every restart.
     */
    async upsert(input) {
      const id = `${input.platform}:${input.channelId}`;
      const now = new Date().toISOString();
      const settings = {
        workspace_id: input.workspaceId,
        time: input.time,
        timezone: input.timezone,
        top: input.top,
        topics: JSON.stringify(input.topics),
        min_upvotes: input.minUpvotes,
        rank: input.rank,
        arxiv: JSON.stringify(input.arxiv ?? []),
        threads: input.threads ? 1 : 0,
        publish: input.publish ? 1 : 0,
        every: input.every ?? 'day',
        week_day: input.weekDay ?? 'mon',
        origin: input.origin,
        created_by: input.createdBy,
      };
      const saved = await db.write(async (tx) => {
        const old = await tx.selectFrom('subscriptions').selectAll().where('id', '=', id).executeTakeFirst();
        if (!old) {
          await tx
            .insertInto('subscriptions')
            .values({
              id,
              platform: input.platform,
              channel_id: input.channelId,
              ...settings,
              enabled: 1,
              created_at: now,
              updated_at: now,
              failures: 0,
              last_error: null,
              disabled_reason: null,
            })
            .execute();
        } else {
          const unchanged = (Object.keys(settings) as (keyof typeof settings)[]).every((k) => settings[k] === old[k]);
          const reenable = input.origin === 'command' || !unchanged;
          await tx
            .updateTable('subscriptions')
            .set({ ...settings, updated_at: now, ...(reenable ? { enabled: 1, failures: 0, last_error: null, disabled_reason: null } : {}) })
            .where('id', '=', id)
            .execute();
        }
        return subscriptionFromRow(await tx.selectFrom('subscriptions').selectAll().where('id', '=', id).executeTakeFirstOrThrow());
      });
      await bumpRevision();
      return saved;
    },

    get: (id) => reads.add(id),

    async list(filter = {}) {
      let q = kysely.selectFrom('subscriptions').selectAll().orderBy('id');
      if (filter.enabledOnly) q = q.where('enabled', '=', 1);
      if (filter.platform) q = q.where('platform', '=', filter.platform);
      return (await q.execute()).map(subscriptionFromRow);
    },

    async delete(id) {
      const res = await kysely.deleteFrom('subscriptions').where('id', '=', id).executeTakeFirst();
      if (res.numDeletedRows === 0n) return false;
      await bumpRevision();
      return true;
    },

    async recordFailure(id, error, disableAfter) {
      // One statement, so two replicas failing at once both count; the revision moves because it may disable the subscription.
      const reached = sql<boolean>`failures + 1 >= ${disableAfter}`;
      await kysely
        .updateTable('subscriptions')
        .set({
          failures: sql`failures + 1`,
          last_error: error,
          enabled: sql`case when ${reached} then 0 else enabled end`,
          disabled_reason: sql`case when ${reached} then ${`disabled after ${disableAfter} failed posts; last: ${error}`} else disabled_reason end`,
          updated_at: new Date().toISOString(),
        })
        .where('id', '=', id)
        .execute();
      await bumpRevision();
      const row = await kysely.selectFrom('subscriptions').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) throw new Error(`no subscription ${id}`);
      return subscriptionFromRow(row);
    },

    changeStamp: async () => String(await readCounter(kysely, REVISION_KEY)),

    async recordSuccess(id) {
      await kysely.updateTable('subscriptions').set({ failures: 0, last_error: null }).where('id', '=', id).execute();
    },

    // Both move the revision, so the scheduler drops or picks up the workspace's channels at once.
    async pauseWorkspace(platform, workspaceId, reason) {
      return db.write(async (tx) => {
        const res = await tx
          .updateTable('subscriptions')
          .set({ enabled: 0, disabled_reason: reason, updated_at: new Date().toISOString() })
          .where('platform', '=', platform)
          .where('workspace_id', '=', workspaceId)
          .where('enabled', '=', 1)
          .executeTakeFirst();
        await bumpCounter(tx, REVISION_KEY);
        return Number(res.numUpdatedRows);
      });
    },

    async resumeWorkspace(platform, workspaceId, reason) {
      return db.write(async (tx) => {
        const res = await tx
          .updateTable('subscriptions')
          .set({ enabled: 1, failures: 0, last_error: null, disabled_reason: null, updated_at: new Date().toISOString() })
          .where('platform', '=', platform)
          .where('workspace_id', '=', workspaceId)
          .where('disabled_reason', '=', reason)
          .executeTakeFirst();
        await bumpCounter(tx, REVISION_KEY);
        return Number(res.numUpdatedRows);
      });
    },
  };
}
