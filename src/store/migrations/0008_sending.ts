import type { Kysely, Migration } from 'kysely';

/**
 * Migration 0008_sending: each delivery records the message it is about to send (its key and when) before
 * sending it. A resumed delivery then knows the one message an earlier run may have sent without
 * recording it; every other pending message was never sent, so it goes out without a look at the
 * channel's history.
 */
export const sending: Migration = {
  async up(db: Kysely<any>) {
    // One column per statement: SQLite's ALTER TABLE adds one at a time.
    await db.schema.alterTable('deliveries').addColumn('sending_key', 'text').execute();
    await db.schema.alterTable('deliveries').addColumn('sending_at', 'text').execute();
  },
};
