/**
 * Scoring: BM25 for typed searches, tf-idf vectors and cosine similarity for "papers like these".
 * Pure functions over token lists; the corpus statistics come from the caller (the store's index
 * or a set of papers in memory), so SQLite and Postgres rank the same candidates the same way.
 */

/** How many documents there are and how many contain each term. */
export interface CorpusStats {
  docCount: number;
  docFreq: (term: string) => number;
}

/** Document frequencies counted over token lists held in memory. */
export function statsOf(docs: Iterable<readonly string[]>): CorpusStats {
  const df = new Map<string, number>();
  let docCount = 0;
  for (const tokens of docs) {
    docCount++;
    for (const term of new Set(tokens)) df.set(term, (df.get(term) ?? 0) + 1);
  }
  return { docCount, docFreq: (term) => df.get(term) ?? 0 };
}

/** BM25's idf: positive for every term, largest for the rarest. */
export function idf(stats: CorpusStats, term: string): number {
  const n = Math.max(stats.docCount, 1);
  const df = Math.min(stats.docFreq(term), n);
  return Math.log(1 + (n - df + 0.5) / (df + 0.5));
}

export function termCounts(tokens: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const t of tokens) counts.set(t, (counts.get(t) ?? 0) + 1);
  return counts;
}

export interface Bm25Params {
  k1: number;
  b: number;
}
const BM25_DEFAULTS: Bm25Params = { k1: 1.2, b: 0.75 };

/** One term's share of a BM25 score: its idf, damped by how often it occurs and the document's length. */
export function bm25Term(tf: number, termIdf: number, length: number, avgLength: number, params: Bm25Params = BM25_DEFAULTS): number {
  const { k1, b } = params;
  const norm = k1 * (1 - b + (b * length) / Math.max(avgLength, 1));
  return termIdf * ((tf * (k1 + 1)) / (tf + norm));
}

/** The BM25 score of one document for the query terms. */
export function bm25(
  query: readonly string[],
  doc: { counts: Map<string, number>; length: number },
  stats: CorpusStats,
  avgLength: number,
  params: Bm25Params = BM25_DEFAULTS,
): number {
  let score = 0;
  for (const term of query) {
    const tf = doc.counts.get(term) ?? 0;
    if (tf > 0) score += bm25Term(tf, idf(stats, term), doc.length, avgLength, params);
  }
  return score;
}

/** A unit-length tf-idf vector (log-scaled term frequency), so cosine is a plain dot product. */
export type Vector = Map<string, number>;

export function tfidfVector(tokens: readonly string[], stats: CorpusStats): Vector {
  const vec: Vector = new Map();
  for (const [term, tf] of termCounts(tokens)) vec.set(term, (1 + Math.log(tf)) * idf(stats, term));
  const length = Math.hypot(...vec.values());
  if (length > 0) for (const [term, w] of vec) vec.set(term, w / length);
  return vec;
}

export function cosine(a: Vector, b: Vector): number {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let dot = 0;
  for (const [term, w] of small) dot += w * (large.get(term) ?? 0);
  return dot;
}

/** Highest score first; equal scores by id, so every run and every store gives the same order. */
export function byScoreThenId<T extends { score: number; id: string }>(x: T, y: T): number {
  return y.score - x.score || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0);
}
