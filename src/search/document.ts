import type { Paper } from '../model/paper';
import type { SearchRepository } from '../store/types';
import type { CorpusStats } from './tfidf';
import { stem, tokenize, words } from './text';

type PaperText = Pick<Paper, 'title' | 'summary' | 'keywords'>;

/**
 * The terms of a paper for likeness: title (counted twice, as a title says more than any abstract
 * sentence), keywords and abstract.
 */
export function paperTerms(paper: PaperText): string[] {
  const title = tokenize(paper.title);
  return [...title, ...title, ...tokenize(paper.keywords.join(' ')), ...tokenize(paper.summary)];
}

/** Statistics of the whole store for the terms of some papers, and a word each term comes from. */
export interface StoreStats extends CorpusStats {
  /** A word of the papers' text that has this stem: what the engine is asked about, and what a reason shows. */
  wordOf(term: string): string;
}

/**
 * Document frequencies from the store's full-text engine for every term of these papers, in one
 * round of lookups. The engine is asked about one word per stem; its own stemmer brings that word's
 * forms together the way src/search/text's does, closely enough for weights.
 */
export async function storeStats(search: Pick<SearchRepository, 'documentFrequencies'>, papers: PaperText[]): Promise<StoreStats> {
  const words = new Map<string, string>();
  for (const p of papers) {
    for (const w of wordsOf(p)) {
      const term = stem(w);
      if (!words.has(term)) words.set(term, w);
    }
  }
  const { docCount, docFreq } = await search.documentFrequencies([...words.values()]);
  return {
    docCount,
    // A word no stored paper holds is one the engine does not index (a stopword of PostgreSQL's
    // english configuration, say): it counts as held by all, so it weighs nothing.
    docFreq: (term) => docFreq.get(words.get(term) ?? '') || docCount,
    wordOf: (term) => words.get(term) ?? term,
  };
}

function wordsOf(p: PaperText): string[] {
  return [...words(p.title), ...words(p.keywords.join(' ')), ...words(p.summary)];
}
