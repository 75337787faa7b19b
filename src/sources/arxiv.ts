import type { Logger } from '../log';
import type { PaperUpsertResult, Store } from '../store/types';
import { ConfigError } from '../errors';
import { ARXIV_CATEGORY } from '../config/schema';
import { parseListing } from '../parse/index';
import { fetchText, type FetchOptions } from './fetch';

/** The newest submissions in any of the categories, as the arXiv API's Atom feed. */
export function arxivQueryUrl(apiUrl: string, categories: string[], maxResults = 50): string {
  if (categories.length === 0) throw new ConfigError('arXiv: no categories given');
  const bad = categories.find((c) => !ARXIV_CATEGORY.test(c));
  if (bad !== undefined) throw new ConfigError(`arXiv: "${bad}" is not a category name like cs.AI or hep-th`);
  const query = categories.map((c) => `cat:${c}`).join('+OR+');
  return `${apiUrl}/api/query?search_query=${query}&sortBy=submittedDate&sortOrder=descending&max_results=${maxResults}`;
}

/**
 * Fetches the newest papers of some arXiv categories into the store. arXiv asks API clients to
 * keep to one request every few seconds, so callers ask for all categories in one query.
 */
export async function refreshArxiv(
  categories: string[],
  deps: { store: Store; apiUrl: string; log: Logger; now: () => Date; fetch?: Omit<FetchOptions, 'log' | 'conditional'> },
): Promise<{ papers: number; skipped: number; stored: PaperUpsertResult }> {
  const url = arxivQueryUrl(deps.apiUrl, categories);
  const res = await fetchText(url, { ...deps.fetch, log: deps.log, conditional: deps.store.meta, accept: 'application/atom+xml' });
  if (res.notModified) return { papers: 0, skipped: 0, stored: { inserted: 0, updated: 0, unchanged: 0 } };
  const { papers, errors } = parseListing(res.text, { format: 'arxiv' });
  if (errors.length > 0) deps.log.warn({ url, skipped: errors.length, first: errors.slice(0, 3) }, 'some arXiv entries could not be read');
  const stored = await deps.store.papers.upsert(papers, deps.now());
  await res.rememberValidators();
  return { papers: papers.length, skipped: errors.length, stored };
}
