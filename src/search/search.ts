import type { Paper } from '../model/paper';
import type { TermIndex } from './term-index';
import { queryTerms } from './text';

/** What search needs from the store: the terms index, and the papers it names. */
export interface SearchSource {
  /** This process's index of the papers' terms, up to date with the store. */
  searchIndex(): Promise<TermIndex>;
  /** Papers by id, in the order asked. */
  getPapers(ids: string[]): Promise<Paper[]>;
}

export interface Scored {
  id: string;
  paper: Paper;
  score: number;
}

/**
 * `/papers search`: the papers containing every word of the query (any form: "memorizing" finds
 * "memorize"), best BM25 score first, ties by id. Any text is accepted: it only ever becomes terms.
 */
export async function searchPapers(store: SearchSource, query: string, limit: number): Promise<Scored[]> {
  const terms = queryTerms(query);
  if (terms.length === 0 || limit <= 0) return [];
  const hits = (await store.searchIndex()).matchAll(terms, limit);
  const papers = await store.getPapers(hits.map((h) => h.id));
  return papers.map((paper, i) => ({ id: paper.id, paper, score: hits[i]!.score }));
}
