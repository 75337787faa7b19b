import { sql, type RawBuilder } from 'kysely';
import type { Paper } from '../../model/paper';
import { isEmpty, parseQuery, type SearchQuery } from '../../search/query';
import { tokenize } from '../../search/text';
import { chunks, type Executor, type StoreDb } from '../db';
import type { PaperRepository, SearchRepository } from '../types';

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
 * FTS5 scores every match before it can rank them, about 1 µs a paper: a word in half of a million
 * papers would take half a second. So SQLite ranks the most recently stored RANKED matches of the
 * query, and as many of the matches in titles, which come first. Below that many matches (nearly
 * every query of two or more specific words) the ranking is over all of them.
 * PostgreSQL reads every match's row to rank it (2 s at 1,000,000 papers for a common word), so it
 * too ranks the RANKED most recently stored matches, read from the newest buckets of its index that
 * should hold them (newestBuckets). It has no cheap title-only matches to add as SQLite does:
 * restricting the lexemes to weight A makes PostgreSQL recheck each row, which cost more than
 * ranking them all (bench/RESULTS.md).
 */
const RANKED = 1_000;
/** The most recent holders of each word that "more like this" considers. */
const PER_WORD = 200;

/**
 * Search on the database's own full-text engine (migration 0007): SQLite FTS5 ranked by BM25,
 * PostgreSQL tsvector ranked by ts_rank_cd. User text reaches the engine only as the words of a
 * parsed query (src/search/query), each quoted (FTS5) or bound as a parameter to plainto_tsquery /
 * phraseto_tsquery (PostgreSQL): no user text is ever query syntax.
 */
export function searchRepository(db: StoreDb, papers: PaperRepository): SearchRepository {
  const engine = db.dialect === 'postgres' ? postgresEngine(db) : sqliteEngine(db);
  const termOf = cachedTerms(engine);
  /** The engine's term of each word ('' for none), chunk by chunk. */
  const termsOf = async (words: string[]) => new Map((await Promise.all(chunks(words).map(termOf))).flatMap((m) => [...m]));
  /** paper_terms' counts (the term '' counts the papers) as read at a papers revision. */
  let kept = { revision: -1, docs: new Map<string, number>() };
  return {
    async find(text, limit) {
      const query = parseQuery(text);
      if (isEmpty(query) || limit <= 0) return [];
      return papers.getMany(await engine.match(query, limit));
    },
    async matchAny(words, limit, except) {
      if (words.length === 0 || limit <= 0) return [];
      // Each word's holders, then the summed weights of the words each paper holds, ties by id.
      const scores = new Map<string, number>();
      const skip = new Set(except);
      const holders = await engine.holdersOfEach(
        words.map((w) => w.word),
        PER_WORD,
      );
      for (const [i, { weight }] of words.entries()) {
        for (const id of holders[i]!) if (!skip.has(id)) scores.set(id, (scores.get(id) ?? 0) + weight);
      }
      return [...scores]
        .map(([id, score]) => ({ id, score }))
        .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1))
        .slice(0, limit);
    },
    async documentFrequencies(words) {
      // Counts read at this papers revision; a paper write moves it (in the transaction that
      // recounts paper_terms), so what is kept is never older than the store.
      const revision = await papers.revision();
      if (revision !== kept.revision) kept = { revision, docs: new Map() };
      const { docs } = kept;
      const known = await termsOf([...new Set(words)]);
      const wanted = [...new Set(['', ...known.values()])].filter((t) => !docs.has(t));
      // The chunks all at once: on PostgreSQL, round trips on pooled connections.
      const rows = await Promise.all(
        chunks(wanted).map((chunk) => db.kysely.selectFrom('paper_terms').select(['term', 'docs']).where('term', 'in', chunk).execute()),
      );
      for (const t of wanted) docs.set(t, 0);
      for (const r of rows.flat()) docs.set(r.term, Number(r.docs));
      return { docCount: docs.get('')!, docFreq: new Map(words.map((w) => [w, known.get(w) ? docs.get(known.get(w)!)! : 0])) };
    },
  };
}

/** Words whose engine term this process remembers: a fixed function of the tokenizer, asked again and again. */
const TERM_CACHE = 200_000;

/**
 * The engine's term for each word, each word asked once per process: the same few thousand words
 * recur in every abstract, and asking costs a round of scratch-table work. Unindexed words map to
 * ''. Past the cap it starts over rather than grow.
 */
function cachedTerms(engine: Engine): (words: string[]) => Promise<Map<string, string>> {
  const cache = new Map<string, string>();
  return async (words) => {
    const unknown = words.filter((w) => !cache.has(w));
    if (unknown.length > 0) {
      const found = await engine.terms(unknown);
      if (cache.size + unknown.length > TERM_CACHE) cache.clear();
      for (const w of unknown) cache.set(w, found.get(w) ?? '');
    }
    return new Map(words.map((w) => [w, cache.get(w) ?? '']));
  };
}

interface Engine {
  /** Ids of the papers matching a query, best first, ties by id. */
  match(query: SearchQuery, limit: number): Promise<string[]>;
  /** For each word, ids of up to `limit` papers holding it (in any form), the most recently stored first. */
  holdersOfEach(words: string[], limit: number): Promise<string[][]>;
  /** The engine's term for each word; words it does not index are left out. */
  terms(words: string[]): Promise<Map<string, string>>;
}

/** BM25 (k1 1.2, b 0.75) of a title for the query's terms, against a typical title of 10 terms. */
function titleScore(title: string, terms: string[]): number {
  const tokens = tokenize(title);
  const norm = 1.2 * (0.25 + (0.75 * tokens.length) / 10);
  return terms.reduce((sum, term) => {
    const tf = tokens.filter((t) => t === term).length;
    return sum + (tf * 2.2) / (tf + norm);
  }, 0);
}

const FTS5_TOKENIZER = sql.raw(`tokenize="porter unicode61 remove_diacritics 2 categories 'L* M* N* Co'"`);

/**
 * A scratch FTS5 table with the papers' tokenizer in the connection's temp schema, and its
 * vocabulary: what the engine makes of some text, read back from the engine itself.
 */
async function scratch(db: Executor): Promise<void> {
  await sql`create virtual table if not exists temp.term_scratch using fts5(text, ${FTS5_TOKENIZER})`.execute(db);
  await sql`create virtual table if not exists temp.term_scratch_rows using fts5vocab(temp, term_scratch, 'row')`.execute(db);
  await sql`create virtual table if not exists temp.term_scratch_instances using fts5vocab(temp, term_scratch, 'instance')`.execute(db);
}

/** Texts into the scratch table (rowid = place + 1), read with `read`, and taken out again. */
async function throughScratch<T>(db: Executor, texts: string[], read: () => Promise<T>): Promise<T> {
  await scratch(db);
  let rowid = 0;
  for (const part of chunks(texts)) {
    await sql`insert into temp.term_scratch(rowid, text) values ${sql.join(part.map((t) => sql`(${++rowid}, ${t})`))}`.execute(db);
  }
  try {
    return await read();
  } finally {
    await sql`delete from temp.term_scratch`.execute(db);
  }
}

type PaperText = Pick<Paper, 'title' | 'keywords' | 'aiSummary' | 'summary'>;

/**
 * SQLite's paper_terms in step with a write of papers: the terms of the texts added count one more
 * paper each, those of the texts replaced one fewer, and `newPapers` more papers in all. Runs in
 * the writing transaction.
 */
export async function countSqliteTerms(tx: Executor, added: PaperText[], replaced: PaperText[], newPapers: number): Promise<void> {
  const delta = new Map<string, number>([['', newPapers]]);
  for (const [texts, sign] of [
    [added, 1],
    [replaced, -1],
  ] as const) {
    if (texts.length === 0) continue;
    const content = texts.map((p) => [p.title, JSON.stringify(p.keywords), p.aiSummary ?? '', p.summary].join('\n'));
    const { rows } = await throughScratch(tx, content, () => sql<{ term: string; doc: number }>`select term, doc from temp.term_scratch_rows`.execute(tx));
    for (const r of rows) delta.set(r.term, (delta.get(r.term) ?? 0) + sign * r.doc);
  }
  const changes = [...delta].filter(([, n]) => n !== 0);
  for (const part of chunks(changes, 400)) {
    await tx
      .insertInto('paper_terms')
      .values(part.map(([term, docs]) => ({ term, docs })))
      .onConflict((oc) => oc.column('term').doUpdateSet({ docs: sql<number>`paper_terms.docs + excluded.docs` }))
      .execute();
  }
}

/**
 * PostgreSQL's paper_terms in step with a write of papers, from the lexemes of the stored rows'
 * own search vectors: `sign` 1 after a write for the papers it added or re-texted, -1 before it
 * for the papers whose text it replaces; `newPapers` more papers in all. One statement per call,
 * so an import of 100,000 papers upserts each lexeme once rather than once per 200-row insert.
 * Runs in the writing transaction.
 */
export async function countPostgresTerms(tx: Executor, ids: string[], sign: 1 | -1, newPapers: number): Promise<void> {
  if (ids.length === 0 && newPapers === 0) return;
  await sql`insert into paper_terms (term, docs)
    select t.lexeme, ${sign} * count(*) from papers p, unnest(p.search_vector) t
      where p.id = any(cast(${ids} as text[])) group by t.lexeme
    union all select '', cast(${newPapers} as integer) where ${newPapers} <> 0
    on conflict (term) do update set docs = paper_terms.docs + excluded.docs`.execute(tx);
}

function sqliteEngine(db: StoreDb): Engine {
  const { kysely } = db;
  /** An FTS5 string: the word or words inside double quotes, which make them plain text. */
  const phrase = (run: string[]) => `"${run.join(' ').replaceAll('"', '""')}"`;
  /** The best `keep` of the RANKED most recent matches of an FTS5 expression, by bm25, ties by id. */
  const ranked = async (expression: string, keep: number) => {
    const { rows } = await sql<{ id: string }>`
      select p.id from (
        select rowid, bm25(papers_fts, ${FTS5_WEIGHTS}) as score from papers_fts
        where papers_fts match ${expression} order by rowid desc limit ${RANKED}
      ) m join papers p on p.rowid = m.rowid
      order by m.score, p.id limit ${keep}`.execute(kysely);
    return rows.map((r) => r.id);
  };
  /**
   * The RANKED most recent matches of an FTS5 expression in one of the indexes, with their titles,
   * newest first. No bm25: it first counts each word's matches over the whole index (15 ms for a
   * word in 400,000 of 1,000,000 papers), and the title pass orders by its own title score.
   */
  const recent = async (index: 'papers_fts' | 'papers_title_fts', expression: string) => {
    const { rows } = await sql<{ id: string; title: string }>`
      select p.id, p.title from (
        select rowid from ${sql.table(index)} where ${sql.table(index)} match ${expression} order by rowid desc limit ${RANKED}
      ) m join papers p on p.rowid = m.rowid order by m.rowid desc`.execute(kysely);
    return rows;
  };
  return {
    async match(query, limit) {
      const required = [...query.words.map((w) => phrase([w])), ...query.phrases.map(phrase)].join(' AND ');
      const without = (expression: string) => query.excluded.reduce((e, run) => `(${e}) NOT ${phrase(run)}`, expression);
      // Matches in the title first, then the rest: the title weighs most, and an older paper's
      // own title must find it however many newer papers use its words elsewhere.
      // FTS5's bm25 normalizes by the length of the whole paper, so a long abstract would sink a
      // title that is exactly the query: title matches are ordered by BM25 over the title alone,
      // ties newest first.
      const terms = tokenize([...query.words, ...query.phrases.flat()].join(' '));
      // The titles' own index, unless words are excluded: they must be in no field of the paper.
      const titleMatches = query.excluded.length === 0 ? recent('papers_title_fts', required) : recent('papers_fts', without(`{title} : (${required})`));
      const inTitle = (await titleMatches)
        .map((r, place) => ({ id: r.id, place, score: titleScore(r.title, terms) }))
        .sort((a, b) => b.score - a.score || a.place - b.place)
        .slice(0, limit);
      if (inTitle.length >= limit) return inTitle.map((r) => r.id);
      const anywhere = await ranked(without(required), limit);
      return [...new Set([...inTitle.map((r) => r.id), ...anywhere])].slice(0, limit);
    },
    async holdersOfEach(words, limit) {
      // One word after another: SQLite has one connection, so asking together would gain nothing.
      const found: string[][] = [];
      for (const word of words) {
        const { rows } = await sql<{ id: string }>`
          select p.id from (select rowid from papers_fts where papers_fts match ${phrase([word])} order by rowid desc limit ${limit}) m
          join papers p on p.rowid = m.rowid`.execute(kysely);
        found.push(rows.map((r) => r.id));
      }
      return found;
    },
    terms(words) {
      return kysely.connection().execute((c) =>
        throughScratch(c, words, async () => {
          const { rows } = await sql<{ term: string; doc: number }>`select term, doc from temp.term_scratch_instances`.execute(c);
          return new Map(rows.map((r) => [words[r.doc - 1]!, r.term]));
        }),
      );
    },
  };
}

/**
 * The expression PostgreSQL's GIN index holds (migration 0023): each paper's lexemes, and for each
 * bucket size the lexeme of the bucket of consecutive `seq` numbers it falls in, e.g. '4096 244'.
 * Written exactly as the index is, or the planner will not use it.
 */
const INDEXED = sql.raw(
  `(p.search_vector || array_to_tsvector(array['4096 ' || (p.seq / 4096), '16384 ' || (p.seq / 16384), '65536 ' || (p.seq / 65536), '262144 ' || (p.seq / 262144)]))`,
);
/** The bucket sizes, largest first. */
const BUCKETS = [262_144, 65_536, 16_384, 4_096];
/**
 * How many times the matches wanted a query expects from the newest buckets it reads: words are
 * counted one by one, and together may be rarer than their counts multiplied say.
 */
const MARGIN = 1.2;

/** What sizes a query's window: the newest `seq`, the papers stored, and how many hold each of its lexemes. */
interface Counts {
  newest: number;
  total: number;
  docs: number[];
}

/**
 * A tsquery of the newest buckets, where `want` matches of words with these counts are expected
 * (in `widen` times as many papers, after a window held too few); null for every paper.
 * Down from the newest, each bucket is the largest that ends there and reaches at most an eighth
 * of the window past its start: GIN checks each candidate against every bucket named, so they are
 * few, and every paper they hold that matches is read, so they are not much more than the window.
 * Past half the papers, reading every match costs no more.
 */
function newestBuckets(counts: Counts, want: number, widen: number): string | null {
  const share = counts.docs.reduce((s, docs) => s * (docs / Math.max(counts.total, 1)), 1);
  const papers = (want * MARGIN * widen) / share;
  if (counts.docs.length === 0 || !(papers < counts.newest / 2)) return null;
  const bottom = counts.newest - papers;
  const buckets: string[] = [];
  for (let top = counts.newest - (counts.newest % 4_096) + 4_096; top > bottom; ) {
    const size = BUCKETS.find((b) => top % b === 0 && top - b >= bottom - papers / 8) ?? 4_096;
    buckets.push(`'${size} ${top / size - 1}'`);
    top -= size;
  }
  return buckets.join(' | ');
}

function postgresEngine(db: StoreDb): Engine {
  const { kysely } = db;
  const words = (w: string) => sql`plainto_tsquery('english', ${w})`;
  const phrase = (run: string[]) => sql`phraseto_tsquery('english', ${run.join(' ')})`;
  /** Counts for each text's lexemes (as the engine stems its words), in one round trip. */
  const counts = async (texts: string[]): Promise<Counts[]> => {
    const { rows } = await sql<{ newest: string | null; total: string | null; docs: string[] }>`
      select pg_sequence_last_value(pg_get_serial_sequence('papers', 'seq')) as newest, (select docs from paper_terms where term = '') as total,
        array(select coalesce(t.docs, 0) from unnest(to_tsvector('english', w.text)) l left join paper_terms t on t.term = l.lexeme) as docs
      from unnest(cast(${texts} as text[])) with ordinality as w(text, i) order by w.i`.execute(kysely);
    return rows.map((r) => ({ newest: Number(r.newest ?? 0), total: Number(r.total ?? 0), docs: r.docs.map(Number) }));
  };
  /** Each word's `limit` most recently stored holders, the words read together, from the newest buckets expected to hold them. */
  const holdersOfEach = async (list: string[], limit: number): Promise<string[][]> => {
    const all = await counts(list);
    const found = list.map((): string[] => []);
    let pending = list.map((_, i) => i);
    for (let widen = 1; pending.length > 0; widen *= 2) {
      const windows = pending.map((i) => newestBuckets(all[i]!, limit, widen));
      const parts = pending.map((i, j) => {
        const tsquery = windows[j] === null ? words(list[i]!) : sql`${words(list[i]!)} && cast(${windows[j]} as tsquery)`;
        // One row per word, its ids in a JSON array: row by row, parsing 3,200 rows cost this
        // process more CPU than its wait for the lookups (similar at 1,000,000 papers).
        return sql`(select cast(${i} as integer) as k, (select coalesce(json_agg(h.id order by h.seq desc), '[]') from (select p.id, p.seq from papers p where ${INDEXED} @@ (${tsquery}) order by p.seq desc limit ${limit}) h) as ids)`;
      });
      // In two statements at once, on two pooled connections: the server works on both together.
      const halves = [parts.slice(0, Math.ceil(parts.length / 2)), parts.slice(Math.ceil(parts.length / 2))].filter((h) => h.length > 0);
      const results = await Promise.all(halves.map((h) => sql<{ k: number; ids: string[] }>`${sql.join(h, sql` union all `)}`.execute(kysely)));
      for (const r of results.flatMap((x) => x.rows)) found[r.k] = r.ids;
      // A window that held too few is read again twice as wide, until it is every paper.
      pending = pending.filter((i, j) => windows[j] !== null && found[i]!.length < limit);
    }
    return found;
  };
  return {
    async match(query, limit) {
      const required = [...query.words.map(words), ...query.phrases.map(phrase)];
      const excluded = query.excluded.map((run) => sql`!! ${phrase(run)}`);
      const tsquery: RawBuilder<unknown> = sql.join([...required, ...excluded], sql` && `);
      const [wanted] = await counts([[...query.words, ...query.phrases.flat()].join(' ')]);
      for (let widen = 1; ; widen *= 2) {
        const window = newestBuckets(wanted!, RANKED, widen);
        const filter = window === null ? tsquery : sql`${tsquery} && cast(${window} as tsquery)`;
        // The query is written out where it filters, not taken from the subquery, so the planner
        // sees its words. `found` is how many matches the window held, up to RANKED.
        const { rows } = await sql<{ id: string; found: string }>`
          select id, found from (
            select p.id, ts_rank_cd(${TS_WEIGHTS}, p.search_vector, q.q, ${TS_NORMALIZATION}) + ${TITLE_BONUS} as score, count(*) over () as found
            from (select p.id, p.search_vector from papers p where ${INDEXED} @@ (${filter}) order by p.seq desc limit ${RANKED}) p, (select ${tsquery} as q) q
          ) ranked
          order by score desc, id
          limit ${limit}`.execute(kysely);
        // A window that held too few is read again twice as wide, until it is every paper.
        if (window === null || Number(rows[0]?.found ?? 0) >= RANKED) return rows.map((r) => r.id);
      }
    },
    holdersOfEach,
    async terms(list) {
      const { rows } = await sql<{ word: string; term: string }>`
        select w.word, l.lexeme as term
        from unnest(cast(${list} as text[])) as w(word), unnest(to_tsvector('english', w.word)) as l`.execute(kysely);
      return new Map(rows.map((r) => [r.word, r.term]));
    },
  };
}
