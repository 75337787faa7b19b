import type { Paper } from '../model/paper';
import { paperTerms } from './document';
import type { Scored, SearchSource } from './search';
import { byScoreThenId, cosine, termCounts, tfidfVector } from './tfidf';

/** How many of a paper's words pick the candidates. */
const QUERY_TERMS = 24;
/** How many candidates, chosen by BM25 on those words, are compared in full. */
const CANDIDATES = 300;

/**
 * The words a paper is most about, without corpus statistics yet: most frequent first (title words
 * count twice), then by first appearance, so the query is the same every time.
 */
function characteristicTerms(tokens: string[], n: number): string[] {
  const counts = termCounts(tokens);
  return [...counts.keys()]
    .map((term, firstSeen) => ({ term, count: counts.get(term)!, firstSeen }))
    .sort((a, b) => b.count - a.count || a.firstSeen - b.firstSeen)
    .slice(0, n)
    .map((t) => t.term);
}

/** `/papers similar`: the papers in the store nearest to this one by tf-idf cosine, ties by id. */
export async function similarPapers(store: SearchSource, paper: Paper, limit: number): Promise<Scored[]> {
  const tokens = paperTerms(paper);
  const terms = characteristicTerms(tokens, QUERY_TERMS);
  if (terms.length === 0 || limit <= 0) return [];
  const index = await store.search.index();
  const hits = index.matchAny(terms, CANDIDATES + 1).filter((h) => h.id !== paper.id);
  const others = await store.papers.getMany(hits.map((h) => h.id));
  const stats = index.stats();
  const target = tfidfVector(tokens, stats);
  return others
    .map((p) => ({ id: p.id, paper: p, score: cosine(target, tfidfVector(paperTerms(p), stats)) }))
    .filter((s) => s.score > 0)
    .sort(byScoreThenId)
    .slice(0, limit);
}
