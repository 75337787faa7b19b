import type { Paper } from '../model/paper';
import type { Store } from '../store/types';
import { paperTerms, storeStats } from './document';
import { byScoreThenId, cosine, idf, termCounts, tfidfVector } from './tfidf';

/**
 * How many of a paper's most distinctive words make the query: each is one lookup in the engine.
 * On the labelled fixtures (bench/relevance.ts) precision@5 rises to 16 words and no further
 * (0.673 / 0.667 on SQLite / PostgreSQL at 16, 0.669 / 0.665 at 20).
 */
const QUERY_TERMS = 16;
/** How many papers the engine's OR-query hands over to be ranked by likeness. */
const CANDIDATES = 40;
/** How many shared words a reason names. */
const REASON_WORDS = 3;

export interface Similar {
  id: string;
  paper: Paper;
  score: number;
  /** The query's words this paper shares, most distinctive first: the reason it is here. */
  shares: string[];
}

/**
 * `/papers similar` as "more like this": the paper's most distinctive terms (tf-idf, with document
 * frequencies from the store's engine), run as one ranked OR-query on the engine; its best
 * candidates are then ordered by tf-idf cosine to the paper (the same engine statistics), ties by
 * id. Nothing but those candidates is read. The reason names the shared words that weigh most.
 */
export async function similarPapers(store: Pick<Store, 'search' | 'papers'>, paper: Paper, limit: number): Promise<Similar[]> {
  if (limit <= 0) return [];
  const stats = await storeStats(store.search, [paper]);
  const weights = [...termCounts(paperTerms(paper))]
    // A term no other paper holds cannot find one.
    .filter(([term]) => stats.docFreq(term) > 1)
    .map(([term, tf]) => ({ term, weight: (1 + Math.log(tf)) * idf(stats, term) }))
    .sort((a, b) => b.weight - a.weight || (a.term < b.term ? -1 : 1))
    .slice(0, QUERY_TERMS);
  if (weights.length === 0) return [];
  const hits = await store.search.matchAny(
    weights.map((w) => ({ word: stats.wordOf(w.term), weight: w.weight })),
    CANDIDATES,
    [paper.id],
  );
  const candidates = await store.papers.getMany(hits.map((h) => h.id));
  const all = await storeStats(store.search, [paper, ...candidates]);
  const target = tfidfVector(paperTerms(paper), all);
  return candidates
    .map((p) => {
      const vec = tfidfVector(paperTerms(p), all);
      const score = cosine(target, vec);
      const shares = [...vec.keys()]
        .filter((t) => target.has(t))
        .map((t) => ({ t, part: target.get(t)! * vec.get(t)! }))
        .sort((a, b) => b.part - a.part)
        .slice(0, REASON_WORDS)
        .map((x) => all.wordOf(x.t));
      return { id: p.id, paper: p, score, shares };
    })
    .filter((s) => s.score > 0)
    .sort(byScoreThenId)
    .slice(0, limit);
}
