import type { Kysely, Migration } from 'kysely';

/**
 * Migration 0009 (a): how often a channel gets its post. `every` is day (as before), weekday or
 * week; `week_day` (mon..sun) is the day of a weekly post. Existing subscriptions keep posting every day.
 */
export const weeklyPosts: Migration = {
  async up(db: Kysely<any>) {
    // One column per statement: SQLite's ALTER TABLE adds one at a time.
    await db.schema
      .alterTable('subscriptions')
      .addColumn('every', 'text', (c) => c.notNull().defaultTo('day'))
      .execute();
    await db.schema
      .alterTable('subscriptions')
      .addColumn('week_day', 'text', (c) => c.notNull().defaultTo('mon'))
      .execute();
  },
};
