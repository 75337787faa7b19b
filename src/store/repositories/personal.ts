import type { Selectable, WhereInterface } from 'kysely';
import type { Platform } from '../../chat/command';
import type { WeekDay } from '../../model/cadence';
import { chunks, type StoreDb } from '../db';
import type { Database, PersonalFeedsTable } from '../tables';
import type { PersonalDigest, PersonalFeed, PersonalRepository } from '../types';
import { bumpCounter, readCounter } from './meta';

/** The meta counter of feed writes (PersonalRepository.changeStamp). */
const REVISION_KEY = 'personal_feeds_revision';

function feedFromRow(r: Selectable<PersonalFeedsTable>): PersonalFeed {
  return {
    platform: r.platform as Platform,
    userId: r.user_id,
    workspaceId: r.workspace_id,
    digest: r.digest as PersonalDigest,
    weekDay: r.week_day as WeekDay,
    time: r.time,
    timezone: r.timezone,
    top: r.top,
    alerts: r.alerts === 1,
    pausedReason: r.paused_reason,
    pauseNoted: r.pause_noted === 1,
    lastAlertAt: r.last_alert_at ? new Date(r.last_alert_at) : null,
    updatedAt: new Date(r.updated_at),
    dmChannelId: r.dm_channel_id,
  };
}

export function personalRepository(db: StoreDb): PersonalRepository {
  const { kysely } = db;
  /** As SubscriptionRepository's: counted after the write, in a statement of its own. */
  const bumpRevision = () => bumpCounter(kysely, REVISION_KEY);
  const feed = (platform: string, userId: string) =>
    kysely.selectFrom('personal_feeds').selectAll().where('platform', '=', platform).where('user_id', '=', userId).executeTakeFirst();

  return {
    async get(platform, userId) {
      const row = await feed(platform, userId);
      return row ? feedFromRow(row) : null;
    },

    async set({ platform, userId, workspaceId, settings, now }) {
      const values = {
        workspace_id: workspaceId,
        digest: settings.digest,
        week_day: settings.weekDay,
        time: settings.time,
        timezone: settings.timezone,
        top: settings.top,
        alerts: settings.alerts ? 1 : 0,
        paused_reason: null,
        pause_noted: 0,
        updated_at: now.toISOString(),
      };
      await kysely
        .insertInto('personal_feeds')
        .values({ platform, user_id: userId, last_alert_at: null, ...values })
        .onConflict((oc) => oc.columns(['platform', 'user_id']).doUpdateSet(values))
        .execute();
      await bumpRevision();
      return feedFromRow((await feed(platform, userId))!);
    },

    async active(what) {
      let q = kysely.selectFrom('personal_feeds').selectAll().where('paused_reason', 'is', null);
      q = what === 'digest' ? q.where('digest', '!=', 'off') : q.where('alerts', '=', 1);
      return (await q.orderBy('platform').orderBy('user_id').execute()).map(feedFromRow);
    },

    async setDirectChannel(platform, userId, channelId) {
      await kysely.updateTable('personal_feeds').set({ dm_channel_id: channelId }).where('platform', '=', platform).where('user_id', '=', userId).execute();
    },

    async pause(platform, userId, reason) {
      const res = await kysely
        .updateTable('personal_feeds')
        .set({ paused_reason: reason, pause_noted: 0 })
        .where('platform', '=', platform)
        .where('user_id', '=', userId)
        .where('paused_reason', 'is', null)
        .executeTakeFirst();
      if (res.numUpdatedRows === 0n) return false;
      await bumpRevision();
      return true;
    },

    async takePauseNote(platform, userId) {
      // Read first: nearly every private answer has nothing to tell, and a write would wait for
      // another process's lock on SQLite (the answer with it).
      const pending = await untoldPause(kysely.selectFrom('personal_feeds').select('user_id'), platform, userId).executeTakeFirst();
      if (!pending) return null;
      // One statement decides who tells it, so two answers at once tell it once.
      const res = await untoldPause(kysely.updateTable('personal_feeds').set({ pause_noted: 1 }), platform, userId)
        .returning('paused_reason')
        .executeTakeFirst();
      return res?.paused_reason ?? null;
    },

    changeStamp: async () => String(await readCounter(kysely, REVISION_KEY)),

    async unsent(platform, userId, paperIds) {
      const sent = new Set<string>();
      for (const ids of chunks(paperIds)) {
        const rows = await kysely
          .selectFrom('personal_sent')
          .select('paper_id')
          .where('platform', '=', platform)
          .where('user_id', '=', userId)
          .where('paper_id', 'in', ids)
          .execute();
        for (const r of rows) sent.add(r.paper_id);
      }
      return paperIds.filter((id) => !sent.has(id));
    },

    async markSent({ platform, userId, paperIds, via, at }) {
      if (paperIds.length === 0) return;
      for (const ids of chunks(paperIds)) {
        await kysely
          .insertInto('personal_sent')
          .values(ids.map((paper_id) => ({ platform, user_id: userId, paper_id, via, sent_at: at.toISOString() })))
          .onConflict((oc) => oc.columns(['platform', 'user_id', 'paper_id']).doNothing())
          .execute();
      }
    },

    async alerted(platform, userId, at) {
      await kysely
        .updateTable('personal_feeds')
        .set({ last_alert_at: at.toISOString() })
        .where('platform', '=', platform)
        .where('user_id', '=', userId)
        .execute();
    },

    async forget(platform, userId) {
      const deleted = await db.write(async (tx) => {
        const feeds = await tx.deleteFrom('personal_feeds').where('platform', '=', platform).where('user_id', '=', userId).executeTakeFirst();
        const sent = await tx.deleteFrom('personal_sent').where('platform', '=', platform).where('user_id', '=', userId).executeTakeFirst();
        return { feeds: feeds.numDeletedRows, sent: sent.numDeletedRows };
      });
      if (deleted.feeds > 0n) await bumpRevision();
      return deleted.feeds + deleted.sent > 0n;
    },
  };
}

/** The person's feed while it is paused and they have not been told yet. */
function untoldPause<Q extends WhereInterface<Database, 'personal_feeds'>>(q: Q, platform: Platform, userId: string): Q {
  return q.where('platform', '=', platform).where('user_id', '=', userId).where('paused_reason', 'is not', null).where('pause_noted', '=', 0) as Q;
}
