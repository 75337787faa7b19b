import type { Kysely, Migration } from 'kysely';

/**
 * Migration 0022_a: each person's direct-message conversation, once opened, so a new process (a
 * restart, another replica, `papers post-daily --users`) sends to it without opening it again:
 * 10,000 people were 10,000 extra Discord requests per process before their first digest.
 */
export const dmChannels: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('personal_feeds').addColumn('dm_channel_id', 'text').execute();
  },
};
