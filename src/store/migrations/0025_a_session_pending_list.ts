import { PostgresAdapter, sql, type Kysely, type Migration } from 'kysely';

/**
 * Migration 0025_a: on PostgreSQL, the search index's pending-list limit moves from the index
 * (0023's storage parameter) to the transactions that write papers, which set it themselves
 * (src/store/repositories/papers.ts): 256 kB as before for the day's writes, as every search reads
 * the list whole, and up to 64 MB for a large import, merged once at its end. A storage parameter
 * overrides what a transaction sets, and changing one locks every search out until the import
 * commits. Writers other than papers-bot now get the server's default (4 MB) until a merge.
 * SQLite has nothing to change.
 */
export const sessionPendingList: Migration = {
  async up(db: Kysely<any>) {
    if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
    await sql`alter index papers_search_stored reset (gin_pending_list_limit)`.execute(db);
  },
};
