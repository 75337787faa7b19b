import type { Paper } from '../model/paper';
import { tokenize } from './text';

/**
 * The index terms of a paper: title (counted twice, as a title says more than any abstract
 * sentence), keywords and abstract. The same fields the database's full-text index covers.
 */
export function paperTerms(paper: Pick<Paper, 'title' | 'summary' | 'keywords'>): string[] {
  const title = tokenize(paper.title);
  return [...title, ...title, ...tokenize(paper.keywords.join(' ')), ...tokenize(paper.summary)];
}
