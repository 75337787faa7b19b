import { PostgresAdapter, sql, type Kysely, type Migration } from 'kysely';

/**
 * Migration 0002 as released: a database full-text index over the papers' title, abstract and
 * keywords. Migration 0003 replaced it with per-paper term counts and an in-process index, as
 * scoring every match in the database was far too slow at 100k papers; this stays so databases at
 * version 1 still pass through 0002 on the way.
 *
 * SQLite: an FTS5 external-content table (the text stays in `papers`), kept in step by triggers.
 * Its tokenizer splits words the way src/search/text did (letters, marks, digits; no diacritic
 * folding). PostgreSQL: a generated tsvector column with the 'simple' configuration (no stemming, no
 * stopwords) and a GIN index. Both were queried with word prefixes: every stem from
 * src/search/text is a prefix of the words it stands for.
 */
export const fullText: Migration = {
  async up(db: Kysely<any>) {
    if (db.getExecutor().adapter instanceof PostgresAdapter) {
      await sql`alter table papers add column search_vector tsvector generated always as
        (to_tsvector('simple'::regconfig, title || ' ' || summary || ' ' || keywords)) stored`.execute(db);
      await sql`create index papers_search_vector on papers using gin (search_vector)`.execute(db);
      return;
    }
    // papers has a text primary key, so its implicit rowid is the link; the store never VACUUMs
    // or REPLACEs papers, which are the only ways a rowid could change under the index.
    await sql`create virtual table papers_fts using fts5(title, summary, keywords,
      content='papers', content_rowid='rowid',
      tokenize="unicode61 remove_diacritics 0 categories 'L* M* N* Co'")`.execute(db);
    await sql`create trigger papers_fts_insert after insert on papers begin
      insert into papers_fts(rowid, title, summary, keywords) values (new.rowid, new.title, new.summary, new.keywords);
    end`.execute(db);
    await sql`create trigger papers_fts_delete after delete on papers begin
      insert into papers_fts(papers_fts, rowid, title, summary, keywords) values ('delete', old.rowid, old.title, old.summary, old.keywords);
    end`.execute(db);
    await sql`create trigger papers_fts_update after update of title, summary, keywords on papers begin
      insert into papers_fts(papers_fts, rowid, title, summary, keywords) values ('delete', old.rowid, old.title, old.summary, old.keywords);
      insert into papers_fts(rowid, title, summary, keywords) values (new.rowid, new.title, new.summary, new.keywords);
    end`.execute(db);
    await sql`insert into papers_fts(papers_fts) values ('rebuild')`.execute(db);
  },
};
