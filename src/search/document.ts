import type { Paper } from '../model/paper';
import { termCounts } from './tfidf';
import { tokenize } from './text';

/**
 * The index terms of a paper: title (counted twice, as a title says more than any abstract
 * sentence), keywords and abstract.
 */
export function paperTerms(paper: Pick<Paper, 'title' | 'summary' | 'keywords'>): string[] {
  const title = tokenize(paper.title);
  return [...title, ...title, ...tokenize(paper.keywords.join(' ')), ...tokenize(paper.summary)];
}

/**
 * A paper's term counts as the store keeps them (`papers.search_terms`), computed once when the
 * paper is written so loading the index needs no tokenizing: `term:count` pairs, space-separated.
 * Terms are letters, marks and digits only, so neither separator can occur inside one.
 */
export function encodeTerms(paper: Pick<Paper, 'title' | 'summary' | 'keywords'>): string {
  return [...termCounts(paperTerms(paper))].map(([term, n]) => `${term}:${n}`).join(' ');
}

export function decodeTerms(encoded: string): { term: string; count: number }[] {
  if (encoded === '') return [];
  return encoded.split(' ').map((pair) => {
    const colon = pair.lastIndexOf(':');
    return { term: pair.slice(0, colon), count: Number(pair.slice(colon + 1)) };
  });
}
