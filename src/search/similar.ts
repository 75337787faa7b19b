import type { Paper } from '../model/paper';
import { paperTerms } from './document';
import { CANDIDATES, statsFrom, type Scored, type TextIndex } from './search';
import { byScoreThenId, cosine, statsOf, termCounts, tfidfVector, type CorpusStats } from './tfidf';

/** How many of a paper's words go into the candidate query. */
const QUERY_TERMS = 24;

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

/**
 * Corpus statistics for comparing the candidates: the store's own counts for the query terms, and
 * for other words an estimate from how often they occur among the candidates.
 */
function blendedStats(store: CorpusStats, candidates: string[][]): CorpusStats {
  const local = statsOf(candidates);
  const scale = store.docCount / Math.max(local.docCount, 1);
  return {
    docCount: store.docCount,
    docFreq: (term) => store.docFreq(term) || Math.min(store.docCount, Math.round(local.docFreq(term) * scale)),
  };
}

/** `/papers similar`: the papers in the store nearest to this one by tf-idf cosine, ties by id. */
export async function similarPapers(index: TextIndex, paper: Paper, limit: number): Promise<Scored[]> {
  const tokens = paperTerms(paper);
  const terms = characteristicTerms(tokens, QUERY_TERMS);
  if (terms.length === 0 || limit <= 0) return [];
  const found = await index.textCandidates(terms, { match: 'any', limit: CANDIDATES + 1 });
  const others = found.papers.filter((p) => p.id !== paper.id);
  const otherTokens = others.map(paperTerms);
  const stats = blendedStats(statsFrom(found), [tokens, ...otherTokens]);
  const target = tfidfVector(tokens, stats);
  return others
    .map((p, i) => ({ id: p.id, paper: p, score: cosine(target, tfidfVector(otherTokens[i]!, stats)) }))
    .filter((s) => s.score > 0)
    .sort(byScoreThenId)
    .slice(0, limit);
}
