import type { Paper } from '../model/paper';
import type { PaperRepository, SearchRepository } from '../store/types';
import { queryTerms } from './text';

/** What search needs from the store: the terms index, and the papers it names. */
export interface SearchSource {
  search: Pick<SearchRepository, 'index'>;
  papers: Pick<PaperRepository, 'getMany'>;
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
  const hits = (await store.search.index()).matchAll(terms, limit);
  const papers = await store.papers.getMany(hits.map((h) => h.id));
  return papers.map((paper, i) => ({ id: paper.id, paper, score: hits[i]!.score }));
}
