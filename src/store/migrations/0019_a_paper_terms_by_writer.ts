import { PostgresAdapter, sql, type Kysely, type Migration } from 'kysely';

/**
 * Migration 0019 (a): on PostgreSQL, paper_terms is kept by the paper writer (one count per upsert
 * call), as on SQLite, instead of 0007's statement triggers. The insert trigger ran once per
 * 200-row insert, each run an upsert of thousands of lexemes: most of an import's time. Nothing
 * is recounted: the counts the triggers kept stay exact. SQLite has nothing to change.
 */
export const paperTermsByWriter: Migration = {
  async up(db: Kysely<any>) {
    if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
    for (const trigger of ['paper_terms_insert', 'paper_terms_delete', 'paper_terms_update']) {
      await sql`drop trigger ${sql.id(trigger)} on papers`.execute(db);
    }
    for (const fn of ['paper_terms_add', 'paper_terms_remove', 'paper_terms_change']) {
      await sql`drop function ${sql.id(fn)}()`.execute(db);
    }
  },
};
