import { channel } from 'node:diagnostics_channel';
import { PostgresAdapter, sql, type Kysely, type Migration } from 'kysely';

/**
 * Migration 0007: search, similar and "for you" run on each database's own full-text engine instead
 * of an index every process built in memory from 0003's term counts (575 MiB and 5 s to load at
 * 100,000 papers, one copy per replica). 0003's columns, derived data only, are dropped.
 *
 * Both engines index four fields, weighted when ranking: title above keywords and AI summary above
 * the abstract. Both stem English words (memorize, memorizing, memorization meet), so queries pass
 * plain words and the engine brings their forms together.
 *
 * Both also get `paper_terms`: how many papers hold each of the engine's terms (the row '' counts
 * the papers), the document frequencies that weigh words for similar and for-you. The engines' own
 * (fts5vocab, ts_stat) read a term's every posting, or every paper, per lookup.
 *
 * SQLite: an FTS5 external-content table (the text stays in `papers`) kept in step by triggers,
 * Porter stemming over unicode61 words (letters, marks, digits, as src/search/text splits them;
 * accents folded). `papers` has a text primary key, so its implicit rowid is the link; the store
 * never VACUUMs or REPLACEs papers, the only ways a rowid could change under the index. Triggers
 * cannot tokenize, so papers.upsert keeps paper_terms in step, counting through the same tokenizer.
 *
 * PostgreSQL: a generated, stored tsvector (english configuration) with weights A (title), B
 * (keywords, AI summary) and C (abstract), under a GIN index; paper_terms is kept by
 * statement-level triggers over each statement's changed rows.
 */
/** Heard by src/store/migrate.ts (MIGRATION_PROGRESS_CHANNEL), which passes it on to `papers migrate`. */
const progress = channel('papers-bot:migration-progress');
/** Papers indexed per statement on SQLite, with progress between. */
const INDEX_BATCH = 20_000;

export const engineSearch: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.dropIndex('papers_search_revision').execute();
    await db.schema.alterTable('papers').dropColumn('search_terms').execute();
    await db.schema.alterTable('papers').dropColumn('search_revision').execute();
    await db.schema
      .createTable('paper_terms')
      .addColumn('term', 'text', (c) => c.primaryKey())
      .addColumn('docs', 'integer', (c) => c.notNull())
      .execute();
    if (db.getExecutor().adapter instanceof PostgresAdapter) await postgres(db);
    else await sqlite(db);
  },
};

async function sqlite(db: Kysely<any>): Promise<void> {
  await sql`create virtual table papers_fts using fts5(title, keywords, ai_summary, summary,
    content='papers', content_rowid='rowid',
    tokenize="porter unicode61 remove_diacritics 2 categories 'L* M* N* Co'")`.execute(db);
  // Read once, below, to count the terms of the papers already stored.
  await sql`create virtual table temp.papers_fts_vocab using fts5vocab(main, papers_fts, 'row')`.execute(db);
  await sql`create trigger papers_fts_insert after insert on papers begin
    insert into papers_fts(rowid, title, keywords, ai_summary, summary) values (new.rowid, new.title, new.keywords, new.ai_summary, new.summary);
  end`.execute(db);
  await sql`create trigger papers_fts_delete after delete on papers begin
    insert into papers_fts(papers_fts, rowid, title, keywords, ai_summary, summary) values ('delete', old.rowid, old.title, old.keywords, old.ai_summary, old.summary);
  end`.execute(db);
  await sql`create trigger papers_fts_update after update of title, keywords, ai_summary, summary on papers begin
    insert into papers_fts(papers_fts, rowid, title, keywords, ai_summary, summary) values ('delete', old.rowid, old.title, old.keywords, old.ai_summary, old.summary);
    insert into papers_fts(rowid, title, keywords, ai_summary, summary) values (new.rowid, new.title, new.keywords, new.ai_summary, new.summary);
  end`.execute(db);
  // The papers already stored are indexed now, so search works as soon as the migration ends: in
  // rowid ranges, as FTS5's 'rebuild' would in one statement, so a large store shows progress.
  const { rows } = await sql<{ n: number; lo: number | null; hi: number | null }>`select count(*) as n, min(rowid) as lo, max(rowid) as hi from papers`.execute(
    db,
  );
  const { n: total, lo, hi } = rows[0]!;
  let done = 0;
  for (let from = lo ?? 1; total > 0 && from <= hi!; from += INDEX_BATCH) {
    const added = await sql`insert into papers_fts(rowid, title, keywords, ai_summary, summary)
      select rowid, title, keywords, ai_summary, summary from papers where rowid >= ${from} and rowid < ${from + INDEX_BATCH}`.execute(db);
    done += Number(added.numAffectedRows ?? 0);
    progress.publish({ done, total, unit: 'papers' });
  }
  await sql`insert into paper_terms (term, docs)
    select term, doc from papers_fts_vocab union all select '', count(*) from papers`.execute(db);
  await sql`drop table temp.papers_fts_vocab`.execute(db);
}

async function postgres(db: Kysely<any>): Promise<void> {
  // Text is cut into words at anything but letters and digits first, as src/search/text and FTS5
  // cut it: PostgreSQL's own parser would keep "1.5", "Llama-3.1-Sherkala-8B" or a URL as one
  // token, which the query's words could then never match.
  // Each of these three statements reads every paper; PostgreSQL reports nothing from inside them.
  const { rows } = await sql<{ any: boolean }>`select exists (select 1 from papers) as any`.execute(db);
  const steps = (done: number) => rows[0]!.any && progress.publish({ done, total: 3, unit: 'steps' });
  steps(0);
  await sql`alter table papers add column search_vector tsvector generated always as (
    setweight(to_tsvector('english'::regconfig, regexp_replace(title, '[^[:alnum:]]+', ' ', 'g')), 'A') ||
    setweight(to_tsvector('english'::regconfig, regexp_replace(keywords || ' ' || coalesce(ai_summary, ''), '[^[:alnum:]]+', ' ', 'g')), 'B') ||
    setweight(to_tsvector('english'::regconfig, regexp_replace(summary, '[^[:alnum:]]+', ' ', 'g')), 'C')) stored`.execute(db);
  steps(1);
  await sql`create index papers_search_vector on papers using gin (search_vector)`.execute(db);
  steps(2);

  // Each function adds (or takes back) the lexemes of the rows one statement changed, in one upsert.
  await sql`create function paper_terms_add() returns trigger language plpgsql as $$
    begin
      insert into paper_terms (term, docs)
        select t.lexeme, count(*) from changed, unnest(changed.search_vector) t group by t.lexeme
        union all select '', count(*) from changed
      on conflict (term) do update set docs = paper_terms.docs + excluded.docs;
      return null;
    end $$`.execute(db);
  await sql`create function paper_terms_remove() returns trigger language plpgsql as $$
    begin
      update paper_terms set docs = paper_terms.docs - gone.docs
        from (select t.lexeme as term, count(*) as docs from changed, unnest(changed.search_vector) t group by t.lexeme
              union all select '', count(*) from changed) gone
        where paper_terms.term = gone.term;
      return null;
    end $$`.execute(db);
  await sql`create function paper_terms_change() returns trigger language plpgsql as $$
    begin
      insert into paper_terms (term, docs)
        select term, sum(d) from (
          select t.lexeme as term, 1 as d from new_rows, unnest(new_rows.search_vector) t
          union all select t.lexeme, -1 from old_rows, unnest(old_rows.search_vector) t) diff
        group by term having sum(d) <> 0
      on conflict (term) do update set docs = paper_terms.docs + excluded.docs;
      return null;
    end $$`.execute(db);
  await sql`create trigger paper_terms_insert after insert on papers referencing new table as changed
    for each statement execute function paper_terms_add()`.execute(db);
  await sql`create trigger paper_terms_delete after delete on papers referencing old table as changed
    for each statement execute function paper_terms_remove()`.execute(db);
  await sql`create trigger paper_terms_update after update on papers referencing old table as old_rows new table as new_rows
    for each statement execute function paper_terms_change()`.execute(db);
  await sql`insert into paper_terms (term, docs)
    select t.lexeme, count(*) from papers, unnest(papers.search_vector) t group by t.lexeme
    union all select '', count(*) from papers`.execute(db);
  steps(3);
}
