import type { Kysely, Migration } from 'kysely';

/** Where Slack installations were kept until now: meta rows keyed by this and `team:T…` or `enterprise:E…`. */
const SLACK_META_PREFIX = 'slack:installation:';

/**
 * Migration 0005: platform installations (Slack OAuth tokens) get a table of their own, keyed by
 * (platform, key), so one repository holds every access to them. Slack's meta rows move over:
 * `slack:installation:team:T1` becomes ('slack', 'team:T1').
 */
export const installations: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('installations')
      .addColumn('platform', 'text', (c) => c.notNull())
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('installations_pk', ['platform', 'key'])
      .execute();

    const now = new Date().toISOString();
    const rows = await db.selectFrom('meta').select(['key', 'value']).where('key', 'like', `${SLACK_META_PREFIX}%`).execute();
    // LIKE ignores case on SQLite; the prefix must match exactly.
    for (const row of rows.filter((r) => (r.key as string).startsWith(SLACK_META_PREFIX))) {
      await db
        .insertInto('installations')
        .values({ platform: 'slack', key: row.key.slice(SLACK_META_PREFIX.length), value: row.value, updated_at: now })
        .execute();
      await db.deleteFrom('meta').where('key', '=', row.key).execute();
    }
  },
};
