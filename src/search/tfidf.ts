/**
 * Scoring for "papers like these": tf-idf vectors and cosine similarity. Pure functions over token
 * lists; the corpus statistics come from the caller (the store's engine, src/search/document
 * storeStats), so SQLite and Postgres rank the same candidates the same way.
 */

/** How many documents there are and how many contain each term. */
export interface CorpusStats {
  docCount: number;
  docFreq: (term: string) => number;
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

/**
 * A unit-length tf-idf vector (log-scaled term frequency, square root of idf), so cosine is a plain
 * dot product. The square root damps idf: the engines' stemmers fold more words together than
 * src/search/text does (Porter's "gener" holds general, generate and generation), which makes some
 * frequencies coarse, and with full idf a word or two that happen to be rare decided the match.
 * On the labelled fixtures (bench/relevance.ts) it lifts similar's precision@5 from 0.645 to 0.675.
 */
export type Vector = Map<string, number>;

export function tfidfVector(tokens: readonly string[], stats: CorpusStats): Vector {
  const vec: Vector = new Map();
  for (const [term, tf] of termCounts(tokens)) vec.set(term, (1 + Math.log(tf)) * Math.sqrt(idf(stats, term)));
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
