import { PostgresAdapter, sql, type Kysely, type Migration } from 'kysely';

/**
 * The database half of search: a full-text index over the papers' title, abstract and keywords that
 * finds candidates; src/search ranks them, so both dialects give the same order.
 *
 * SQLite: an FTS5 external-content table (the text stays in `papers`), kept in step by triggers.
 * Its tokenizer splits words the way src/search/text does (letters, marks, digits; no diacritic
 * folding). PostgreSQL: a generated tsvector column with the 'simple' configuration (no stemming, no
 * stopwords) and a GIN index. Both are queried with word prefixes: every stem from
 * src/search/text is a prefix of the words it stands for.
 */

function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

export const fullTextMigration: Migration = {
  async up(db: Kysely<any>) {
    if (isPostgres(db)) {
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

/** Only what src/search/text produces may reach a query string; anything else is a bug upstream. */
function assertPlainTerms(terms: string[]): void {
  for (const t of terms) {
    if (!/^[\p{L}\p{M}\p{N}]+$/u.test(t)) throw new Error(`not a search term: ${JSON.stringify(t)}`);
  }
}

/** The query in the dialect's syntax; each term quoted, as a prefix. Always bound as a parameter. */
function matchExpression(postgres: boolean, terms: string[], match: 'all' | 'any'): string {
  return postgres
    ? terms.map((t) => `'${t}':*`).join(match === 'all' ? ' & ' : ' | ')
    : terms.map((t) => `"${t}"*`).join(match === 'all' ? ' AND ' : ' OR ');
}

export interface FullTextMatches {
  /** Matching paper ids, best first by the database's own rank (then id), at most the limit. */
  ids: string[];
  docCount: number;
  docFreq: Record<string, number>;
}

export async function fullTextMatches(
  db: Kysely<any>,
  terms: string[],
  opts: { match: 'all' | 'any'; limit: number },
): Promise<FullTextMatches> {
  assertPlainTerms(terms);
  const postgres = isPostgres(db);
  const matching = (expr: string) =>
    postgres
      ? sql`select id from papers where search_vector @@ to_tsquery('simple', ${expr})
          order by ts_rank(search_vector, to_tsquery('simple', ${expr})) desc, id limit ${opts.limit}`
      : sql`select p.id from papers_fts f join papers p on p.rowid = f.rowid where papers_fts match ${expr}
          order by f.rank, p.id limit ${opts.limit}`;
  const count = (expr: string) =>
    postgres
      ? sql<{ n: number | string }>`select count(*) as n from papers where search_vector @@ to_tsquery('simple', ${expr})`
      : sql<{ n: number | string }>`select count(*) as n from papers_fts where papers_fts match ${expr}`;

  const [rows, total, ...freqs] = await Promise.all([
    matching(matchExpression(postgres, terms, opts.match)).execute(db),
    sql<{ n: number | string }>`select count(*) as n from papers`.execute(db),
    ...terms.map((t) => count(matchExpression(postgres, [t], 'all')).execute(db)),
  ]);
  return {
    ids: rows.rows.map((r) => String((r as { id: unknown }).id)),
    // PostgreSQL returns count(*) as a bigint string.
    docCount: Number(total.rows[0]?.n ?? 0),
    docFreq: Object.fromEntries(terms.map((t, i) => [t, Number(freqs[i]?.rows[0]?.n ?? 0)])),
  };
}
