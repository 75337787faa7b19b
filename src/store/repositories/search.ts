import { sql, type RawBuilder } from 'kysely';
import { isEmpty, parseQuery, type SearchQuery } from '../../search/query';
import { chunks, type StoreDb } from '../db';
import type { PaperRepository, SearchHit, SearchRepository } from '../types';

/**
 * Field weights when ranking (migration 0007 indexes the four fields). FTS5's bm25 takes one per
 * column: title, keywords, AI summary, abstract. PostgreSQL's ts_rank_cd takes one per weight
 * class, D to A: unused, abstract (C), keywords and AI summary (B), title (A).
 */
const FTS5_WEIGHTS = sql.raw('10.0, 4.0, 4.0, 1.0');
const TS_WEIGHTS = sql.raw(`'{0.1, 0.2, 0.4, 1.0}'::float4[]`);
/** ts_rank_cd normalization 1: divide by 1 + log(document length), as BM25 favours short fields. */
const TS_NORMALIZATION = sql.raw('1');
/**
 * ts_rank_cd normalizes by the length of the whole document, not of each field as FTS5's bm25
 * does, so "Attention Residuals" would rank below "Multi-Head Attention Residuals" for its own
 * title. A title (the A-weighted lexemes) that alone matches the query adds 1 / its length.
 */
const TITLE_BONUS = sql.raw(`coalesce((ts_filter(p.search_vector, '{a}') @@ q.q)::int::float4 / nullif(length(ts_filter(p.search_vector, '{a}')), 0), 0)`);

/**
 * Search on the database's own full-text engine (migration 0007): SQLite FTS5 ranked by BM25,
 * PostgreSQL tsvector ranked by ts_rank_cd. User text reaches the engine only as the words of a
 * parsed query (src/search/query), each quoted (FTS5) or bound as a parameter to plainto_tsquery /
 * phraseto_tsquery (PostgreSQL): no user text is ever query syntax.
 */
export function searchRepository(db: StoreDb, papers: PaperRepository): SearchRepository {
  const engine = db.dialect === 'postgres' ? postgresEngine(db) : sqliteEngine(db);
  return {
    async find(text, limit) {
      const query = parseQuery(text);
      if (isEmpty(query) || limit <= 0) return [];
      return papers.getMany((await engine.match(query, limit)).map((h) => h.id));
    },
    async matchAny(words, limit, except) {
      if (words.length === 0 || limit <= 0) return [];
      return engine.matchAny(words, limit, except);
    },
    async documentFrequencies(words) {
      const docFreq = new Map<string, number>();
      for (const chunk of chunks([...new Set(words)])) for (const [w, n] of await engine.docFreqs(chunk)) docFreq.set(w, n);
      return { docCount: await engine.docCount(), docFreq };
    },
  };
}

interface Engine {
  match(query: SearchQuery, limit: number): Promise<SearchHit[]>;
  matchAny(words: string[], limit: number, except: string[]): Promise<SearchHit[]>;
  /** How many papers hold each word, in the engine's form of it (words it does not index count 0). */
  docFreqs(words: string[]): Promise<Map<string, number>>;
  docCount(): Promise<number>;
}

/** Best first (higher score), ties by id: the same order every time. */
function hits(rows: { id: string; score: number | string }[]): SearchHit[] {
  return rows.map((r) => ({ id: r.id, score: Number(r.score) }));
}

function sqliteEngine(db: StoreDb): Engine {
  const { kysely } = db;
  /** An FTS5 string: the word or words inside double quotes, which make them plain text. */
  const phrase = (run: string[]) => `"${run.join(' ').replaceAll('"', '""')}"`;
  const ranked = async (expression: string, limit: number, except: string[] = []) => {
    const { rows } = await sql<{ id: string; score: number }>`
      select p.id, -bm25(papers_fts, ${FTS5_WEIGHTS}) as score
      from papers_fts join papers p on p.rowid = papers_fts.rowid
      where papers_fts match ${expression}
      ${except.length > 0 ? sql`and p.id not in (${sql.join(except)})` : sql``}
      order by score desc, p.id limit ${limit}`.execute(kysely);
    return hits(rows);
  };
  /**
   * The engine's stems of words come from the engine: a scratch FTS5 table with the same tokenizer,
   * in this connection's temp schema, reads them back through its own vocabulary table.
   */
  let scratch: Promise<void> | null = null;
  const stems = async (words: string[]): Promise<Map<string, string>> => {
    scratch ??= (async () => {
      await sql`create virtual table if not exists temp.stem_scratch using fts5(w,
        tokenize="porter unicode61 remove_diacritics 2 categories 'L* M* N* Co'")`.execute(kysely);
      await sql`create virtual table if not exists temp.stem_scratch_vocab using fts5vocab(temp, stem_scratch, 'instance')`.execute(kysely);
    })();
    await scratch;
    return kysely.connection().execute(async (c) => {
      // One scratch row per word (rowid = its place + 1), so each term read back names its word.
      let rowid = 0;
      for (const part of chunks(words)) {
        const rows = part.map((w) => sql`(${++rowid}, ${w})`);
        await sql`insert into temp.stem_scratch(rowid, w) values ${sql.join(rows)}`.execute(c);
      }
      try {
        const { rows } = await sql<{ term: string; doc: number }>`select term, doc from temp.stem_scratch_vocab`.execute(c);
        return new Map(rows.map((r) => [words[r.doc - 1]!, r.term]));
      } finally {
        await sql`delete from temp.stem_scratch`.execute(c);
      }
    });
  };
  return {
    match(query, limit) {
      let expression = [...query.words.map((w) => phrase([w])), ...query.phrases.map(phrase)].join(' AND ');
      for (const run of query.excluded) expression = `(${expression}) NOT ${phrase(run)}`;
      return ranked(expression, limit);
    },
    matchAny(words, limit, except) {
      return ranked(words.map((w) => phrase([w])).join(' OR '), limit, except);
    },
    async docFreqs(words) {
      const stemOf = await stems(words);
      const terms = [...new Set(stemOf.values())];
      const { rows } =
        terms.length === 0
          ? { rows: [] }
          : await sql<{ term: string; doc: number }>`select term, doc from papers_fts_vocab where term in (${sql.join(terms)})`.execute(kysely);
      const docs = new Map(rows.map((r) => [r.term, r.doc]));
      return new Map(words.map((w) => [w, docs.get(stemOf.get(w) ?? '') ?? 0]));
    },
    async docCount() {
      // Papers are never deleted, so the highest rowid counts them without reading the table.
      const row = await kysely.selectFrom('papers').select(sql<number | null>`max(rowid)`.as('n')).executeTakeFirst();
      return Number(row?.n ?? 0);
    },
  };
}

function postgresEngine(db: StoreDb): Engine {
  const { kysely } = db;
  const words = (w: string) => sql`plainto_tsquery('english', ${w})`;
  const phrase = (run: string[]) => sql`phraseto_tsquery('english', ${run.join(' ')})`;
  const ranked = async (query: RawBuilder<unknown>, limit: number, except: string[] = []) => {
    const { rows } = await sql<{ id: string; score: number }>`
      select p.id, ts_rank_cd(${TS_WEIGHTS}, p.search_vector, q.q, ${TS_NORMALIZATION}) + ${TITLE_BONUS} as score
      from papers p, (select ${query} as q) q
      where p.search_vector @@ q.q
      ${except.length > 0 ? sql`and p.id not in (${sql.join(except)})` : sql``}
      order by score desc, p.id limit ${limit}`.execute(kysely);
    return hits(rows);
  };
  return {
    match(query, limit) {
      const required = [...query.words.map(words), ...query.phrases.map(phrase)];
      const excluded = query.excluded.map((run) => sql`!! ${phrase(run)}`);
      return ranked(sql.join([...required, ...excluded], sql` && `), limit);
    },
    matchAny(any, limit, except) {
      return ranked(sql.join(any.map(words), sql` || `), limit, except);
    },
    async docFreqs(list) {
      const { rows } = await sql<{ word: string; docs: number }>`
        select w.word, coalesce(max(t.docs), 0) as docs
        from unnest(cast(${list} as text[])) as w(word)
        left join lateral unnest(to_tsvector('english', w.word)) as l on true
        left join paper_terms t on t.term = l.lexeme
        group by w.word`.execute(kysely);
      return new Map(rows.map((r) => [r.word, Number(r.docs)]));
    },
    async docCount() {
      const { rows } = await sql<{ docs: number }>`select docs from paper_terms where term = ''`.execute(kysely);
      return Number(rows[0]?.docs ?? 0);
    },
  };
}
