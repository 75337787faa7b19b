import type { Kysely, Migration } from 'kysely';

/**
 * Migration 0006: discussion threads and the channel settings that go with them. `threads` holds
 * one claim per message a thread is opened on (inserted or not, so two clicks or two replicas open
 * one thread), with the thread's id once it is open. Subscriptions gain `threads` (open one on every
 * paper of the daily post) and `publish` (crosspost each message of an announcement channel), both off.
 */
export const threads: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('threads')
      .addColumn('platform', 'text', (c) => c.notNull())
      .addColumn('channel_id', 'text', (c) => c.notNull())
      .addColumn('message_id', 'text', (c) => c.notNull())
      .addColumn('paper_id', 'text', (c) => c.notNull())
      .addColumn('thread_id', 'text')
      .addColumn('claimed_at', 'text', (c) => c.notNull())
      .addColumn('opened_at', 'text')
      .addPrimaryKeyConstraint('threads_pk', ['platform', 'channel_id', 'message_id'])
      .execute();
    // One column per statement: SQLite's ALTER TABLE adds one at a time.
    await db.schema
      .alterTable('subscriptions')
      .addColumn('threads', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .alterTable('subscriptions')
      .addColumn('publish', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
  },
};
