import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { parseDatabaseUrl } from '../../src/store/database-url';
import { BULK_PENDING_KB, SEARCH_INDEX } from '../../src/store/repositories/papers';
import { allFixturePapers } from './fixture-papers';
import { seeded } from './synthetic-papers';

/** Runs of 10 real abstract words; each generated abstract is 6 of them, its title 8 real title words. */
const RUNS = 5_000;
const TITLE_WORDS = 8;
const ABSTRACT_RUNS = 6;

/**
 * Adds `count` papers made of the real fixture papers' words to a migrated store, with one
 * INSERT … SELECT (the engine indexes them as they go: FTS5 triggers, PostgreSQL's generated
 * column), then counts paper_terms afresh from the index, as migration 0007 does (the papers
 * repository keeps it in step with its own writes, not with these). Paper n is `g` and n in 7 digits, listed on day
 * n % 3650 after 2016-01-01, with n % 300 upvotes: about 270 papers a day.
 */
export async function addGeneratedPapers(url: string, count: number): Promise<void> {
  const real = allFixturePapers();
  const rand = seeded(19);
  const titleWords = real.flatMap((p) => p.title.split(/\s+/));
  const summaryWords = real.flatMap((p) => p.summary.split(/\s+/));
  const runs = Array.from({ length: RUNS }, () => Array.from({ length: 10 }, () => summaryWords[Math.floor(rand() * summaryWords.length)]).join(' '));
  // Word k of paper n is row ((n * a_k + b_k) mod a large prime) mod the table's size: a different
  // mix for every paper (a small modulus alone would repeat every table-size papers), the same every run.
  const pick = (table: string, column: string, size: number, k: number, n: string) =>
    `(select ${column} from ${table} where i = ((${n} * ${2_654_435_761 + 2 * 40_503 * k} + ${7_919 * k + 11}) % 4294967291) % ${size})`;
  const text = (n: string) => ({
    title: Array.from({ length: TITLE_WORDS }, (_, k) => pick('title_words', 'word', titleWords.length, k, n)).join(` || ' ' || `),
    summary: Array.from({ length: ABSTRACT_RUNS }, (_, k) => pick('runs', 'run', RUNS, k + TITLE_WORDS, n)).join(` || ' ' || `),
  });
  const columns = 'id, title, summary, authors, published_at, listed_on, upvotes, keywords, source, first_seen_at, updated_at';
  const at = `'2026-01-01T00:00:00.000Z'`;
  const target = parseDatabaseUrl(url);

  if (target.kind === 'sqlite') {
    const db = new BetterSqlite3(target.path);
    try {
      db.exec('create temp table title_words (i integer primary key, word text); create temp table runs (i integer primary key, run text)');
      const tw = db.prepare('insert into title_words values (?, ?)');
      const rw = db.prepare('insert into runs values (?, ?)');
      db.transaction(() => {
        for (const [i, w] of titleWords.entries()) tw.run(i, w);
        for (const [i, r] of runs.entries()) rw.run(i, r);
      })();
      const { title, summary } = text('n.i');
      const day = `date('2016-01-01', '+' || (n.i % 3650) || ' days')`;
      db.exec(`insert into papers (${columns})
        with recursive n(i) as (select 0 union all select i + 1 from n where i < ${count - 1})
        select printf('g%07d', i), ${title}, ${summary}, '["A. Author"]', ${day}, ${day}, i % 300, '[]', 'hf-api', ${at}, ${at} from n`);
      db.exec(`create virtual table temp.vocab using fts5vocab(main, papers_fts, 'row');
        delete from paper_terms;
        insert into paper_terms (term, docs) select term, doc from temp.vocab union all select '', count(*) from papers`);
    } finally {
      db.close();
    }
    return;
  }

  const client = new pg.Client({ connectionString: target.connectionString });
  await client.connect();
  try {
    if (target.schema) await client.query(`set search_path to "${target.schema}"`);
    await client.query('create temp table title_words (i int primary key, word text); create temp table runs (i int primary key, run text)');
    await client.query('insert into title_words select i - 1, w from unnest($1::text[]) with ordinality as t(w, i)', [titleWords]);
    await client.query('insert into runs select i - 1, r from unnest($1::text[]) with ordinality as t(r, i)', [runs]);
    const { title, summary } = text('n::bigint');
    const day = `(date '2016-01-01' + (n % 3650))::text`;
    // As papers-bot writes a large import (src/store/repositories/papers.ts): the search index's
    // new entries gathered in bulk, then merged, so no search reads a pending list left behind.
    await client.query(`set gin_pending_list_limit = ${BULK_PENDING_KB}`);
    await client.query(`insert into papers (${columns})
      select 'g' || lpad(n::text, 7, '0'), ${title}, ${summary}, '["A. Author"]', ${day}, ${day}, n % 300, '[]', 'hf-api', ${at}, ${at}
      from generate_series(0, ${count - 1}) as n`);
    await client.query(`select gin_clean_pending_list(cast('${SEARCH_INDEX}' as regclass))`);
    await client.query(`delete from paper_terms;
      insert into paper_terms (term, docs) select t.lexeme, count(*) from papers, unnest(papers.search_vector) t group by t.lexeme
      union all select '', count(*) from papers`);
    await client.query('analyze');
  } finally {
    await client.end();
  }
}
