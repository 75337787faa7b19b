import type { Kysely, Migration } from 'kysely';

/**
 * Migration 0009 (c): each person's own feed. `personal_feeds` holds their digest (off, daily or
 * weekly, when, how many) and alerts setting, and whether delivery is paused because the platform
 * refused a direct message; `personal_sent` every paper ever sent to them, so none is sent twice
 * across digests and alerts.
 */
export const personalFeeds: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('personal_feeds')
      .addColumn('platform', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('workspace_id', 'text')
      .addColumn('digest', 'text', (c) => c.notNull())
      .addColumn('week_day', 'text', (c) => c.notNull())
      .addColumn('time', 'text', (c) => c.notNull())
      .addColumn('timezone', 'text', (c) => c.notNull())
      .addColumn('top', 'integer', (c) => c.notNull())
      .addColumn('alerts', 'integer', (c) => c.notNull())
      .addColumn('paused_reason', 'text')
      .addColumn('pause_noted', 'integer', (c) => c.notNull())
      .addColumn('last_alert_at', 'text')
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('personal_feeds_pk', ['platform', 'user_id'])
      .execute();
    await db.schema
      .createTable('personal_sent')
      .addColumn('platform', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('paper_id', 'text', (c) => c.notNull())
      .addColumn('via', 'text', (c) => c.notNull())
      .addColumn('sent_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('personal_sent_pk', ['platform', 'user_id', 'paper_id'])
      .execute();
  },
};
