import type { Kysely, Migration } from 'kysely';

/**
 * Migration 0008: signed requests already seen, so a copy replayed within the platform's window is
 * refused by every replica (Slack's signatures, Discord's HTTP interactions). A row lives until its
 * request could no longer pass the platform's age check; expired ones are pruned.
 */
export const replays: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('replays')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('replays_expires_at').on('replays').column('expires_at').execute();
  },
};
