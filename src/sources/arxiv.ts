import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from '../log';
import type { PaperUpsertResult, Store } from '../store/types';
import { ConfigError } from '../errors';
import { ARXIV_CATEGORY } from '../config/schema';
import { parseListing } from '../parse/index';
import { fetchText, type FetchOptions } from './fetch';

/** arXiv's API terms ask for no more than one request every three seconds. */
export const ARXIV_PACE_MS = 3_000;
/** Papers per request, and the most requests per category in one refresh: its 500 newest at most. */
const PAGE_SIZE = 100;
const MAX_PAGES = 5;

/** One page of a category's newest submissions, as the arXiv API's Atom feed. */
export function arxivQueryUrl(apiUrl: string, category: string, start = 0, maxResults = PAGE_SIZE): string {
  if (!ARXIV_CATEGORY.test(category)) throw new ConfigError(`arXiv: "${category}" is not a category name like cs.AI or hep-th`);
  return `${apiUrl}/api/query?search_query=cat:${category}&sortBy=submittedDate&sortOrder=descending&start=${start}&max_results=${maxResults}`;
}

export interface ArxivRefresh {
  papers: number;
  skipped: number;
  stored: PaperUpsertResult;
  /** Requests made per category, in the order asked. */
  pages: Record<string, number>;
}

/**
 * Fetches the newest papers of each arXiv category into the store, each category with requests of
 * its own, so a busy category never crowds a quiet one out of a shared page. A category is paged
 * back until a page reaches papers stored before this refresh (or ends, or MAX_PAGES), and every
 * request waits ARXIV_PACE_MS after the one before. Stops at the first failure, keeping what the
 * categories before it stored.
 */
export async function refreshArxiv(
  categories: string[],
  deps: {
    store: Store;
    apiUrl: string;
    log: Logger;
    now: () => Date;
    fetch?: Omit<FetchOptions, 'log' | 'conditional'>;
    /** Smaller pages in tests. */
    pageSize?: number;
  },
): Promise<ArxivRefresh> {
  if (categories.length === 0) throw new ConfigError('arXiv: no categories given');
  const pageSize = deps.pageSize ?? PAGE_SIZE;
  const sleep = deps.fetch?.sleep ?? ((ms: number, signal?: AbortSignal) => delay(ms, undefined, { signal }));
  const result: ArxivRefresh = { papers: 0, skipped: 0, stored: { inserted: 0, updated: 0, unchanged: 0 }, pages: {} };
  /** Papers this refresh stored first: a category that shares them with one before it is not caught up by them. */
  const newNow = new Set<string>();
  let requests = 0;
  for (const category of categories) {
    result.pages[category] = 0;
    for (let page = 0; page < MAX_PAGES; page++) {
      if (requests++ > 0) await sleep(ARXIV_PACE_MS, deps.fetch?.signal);
      result.pages[category]++;
      const url = arxivQueryUrl(deps.apiUrl, category, page * pageSize, pageSize);
      const res = await fetchText(url, { ...deps.fetch, log: deps.log, conditional: deps.store.meta, accept: 'application/atom+xml' });
      if (res.notModified) break;
      const { papers, errors } = parseListing(res.text, { format: 'arxiv' });
      if (errors.length > 0) deps.log.warn({ url, skipped: errors.length, first: errors.slice(0, 3) }, 'some arXiv entries could not be read');
      const ids = papers.map((p) => p.id);
      const storedBefore = new Set((await deps.store.papers.getMany(ids)).map((p) => p.id).filter((id) => !newNow.has(id)));
      const stored = await deps.store.papers.upsert(papers, deps.now());
      await res.rememberValidators();
      for (const id of ids) if (!storedBefore.has(id)) newNow.add(id);
      result.papers += papers.length;
      result.skipped += errors.length;
      for (const k of ['inserted', 'updated', 'unchanged'] as const) result.stored[k] += stored[k];
      const ended = papers.length + errors.length < pageSize;
      if (ended || storedBefore.size > 0) break;
    }
  }
  return result;
}
