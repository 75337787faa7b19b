import type { Kysely, Migration } from 'kysely';

/**
 * Migration 0021_a: each thread claim names who holds it (host and pid, as a delivery's claim does),
 * so a claim whose process is certainly dead (this host, no such pid) is taken over at once
 * instead of after a minute: a daily post resumed right after a crash opens its threads itself.
 */
export const threadOwners: Migration = {
  async up(db: Kysely<any>) {
    // One column per statement: SQLite's ALTER TABLE adds one at a time.
    await db.schema.alterTable('threads').addColumn('owner_host', 'text').execute();
    await db.schema.alterTable('threads').addColumn('owner_pid', 'integer').execute();
  },
};
