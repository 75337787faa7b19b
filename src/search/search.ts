import type { Paper } from '../model/paper';
import { paperTerms } from './document';
import { queryTerms } from './text';
import { bm25, byScoreThenId, termCounts, type CorpusStats } from './tfidf';

/** What the database's full-text index answers (see src/search/fulltext.ts). */
export interface TextCandidates {
  /** Best first by the database's own rank; at most the requested limit. */
  papers: Paper[];
  /** Papers in the store. */
  docCount: number;
  /** Papers containing a word that starts with each requested term. */
  docFreq: Record<string, number>;
}

/** The one method of the store the search needs: candidate retrieval; ranking stays in TypeScript. */
export interface TextIndex {
  /**
   * Papers with a word starting with every term (`all`) or any term (`any`). Terms must come from
   * src/search/text (letters, marks and digits only); they are bound as parameters, never spliced.
   */
  textCandidates(terms: string[], opts: { match: 'all' | 'any'; limit: number }): Promise<TextCandidates>;
}

/**
 * How many candidates the database hands the scorer. Above this many matches the database's rank
 * decides which are scored, so only then may SQLite and Postgres differ.
 */
export const CANDIDATES = 300;

export interface Scored {
  id: string;
  paper: Paper;
  score: number;
}

export function statsFrom(c: Pick<TextCandidates, 'docCount' | 'docFreq'>): CorpusStats {
  return { docCount: c.docCount, docFreq: (term) => c.docFreq[term] ?? 0 };
}

/**
 * `/papers search`: the papers containing every word of the query (any form: "memorizing" finds
 * "memorize"), best BM25 score first, ties by id. Any text is accepted: it only ever becomes terms.
 */
export async function searchPapers(index: TextIndex, query: string, limit: number): Promise<Scored[]> {
  const terms = queryTerms(query);
  if (terms.length === 0 || limit <= 0) return [];
  const found = await index.textCandidates(terms, { match: 'all', limit: CANDIDATES });
  const docs = found.papers.map((paper) => {
    const tokens = paperTerms(paper);
    return { paper, counts: termCounts(tokens), length: tokens.length };
  });
  // The database matched word prefixes; keep the papers where every term is a whole stem.
  const matching = docs.filter((d) => terms.every((t) => d.counts.has(t)));
  const avgLength = matching.reduce((sum, d) => sum + d.length, 0) / Math.max(matching.length, 1);
  const stats = statsFrom(found);
  return matching
    .map((d) => ({ id: d.paper.id, paper: d.paper, score: bm25(terms, d, stats, avgLength) }))
    .sort(byScoreThenId)
    .slice(0, limit);
}
