import type { Logger } from '../log';
import type { Paper } from '../model/paper';
import type { PaperUpsertResult, Store } from '../store/types';
import { parseListing } from '../parse/index';
import { fetchText, type FetchOptions } from './fetch';

/** HF's API answers at most this many items per request; a full page means there may be another. */
export const HF_PAGE_SIZE = 50;
/** A safety stop: no real day has had anywhere near 10 pages. */
const MAX_PAGES = 10;

export interface HfDayDeps {
  store: Store;
  /** `https://huggingface.co` or a stand-in, without a trailing slash. */
  baseUrl: string;
  log: Logger;
  now: () => Date;
  fetch?: Omit<FetchOptions, 'log' | 'conditional'>;
  pageSize?: number;
}

export interface HfDayResult {
  date: string;
  /** The source said nothing changed since the last good fetch (HTTP 304). */
  notModified: boolean;
  papers: number;
  /** Entries of the listing that could not be read (the rest were stored). */
  skipped: number;
  stored: PaperUpsertResult;
}

export function hfDayUrl(baseUrl: string, date: string, page = 0, pageSize = HF_PAGE_SIZE): string {
  const base = `${baseUrl}/api/daily_papers?date=${date}`;
  return page === 0 ? base : `${base}&p=${page}&limit=${pageSize}`;
}

/**
 * Fetches one day's Daily Papers list and stores it. An empty list is normal (weekends, early
 * morning US Eastern). Nothing is stored unless the page parsed; a bad page throws (FetchError or
 * ParseError) and leaves earlier data as it was.
 */
export async function refreshHfDay(date: string, deps: HfDayDeps): Promise<HfDayResult> {
  const pageSize = deps.pageSize ?? HF_PAGE_SIZE;
  const result: HfDayResult = { date, notModified: false, papers: 0, skipped: 0, stored: { inserted: 0, updated: 0, unchanged: 0 } };

  for (let page = 0; page < MAX_PAGES; page++) {
    const url = hfDayUrl(deps.baseUrl, date, page, pageSize);
    const res = await fetchText(url, { ...deps.fetch, log: deps.log, conditional: deps.store.meta, accept: 'application/json' });
    // A 304 on the first page means the day is as we stored it; later pages are fetched only after a full page.
    if (res.notModified) {
      result.notModified = page === 0;
      break;
    }
    const { papers, skipped, items } = readDayPage(res.text, date, deps.log, url);
    const stored = await deps.store.papers.upsert(papers, deps.now());
    await res.rememberValidators();
    result.papers += papers.length;
    result.skipped += skipped;
    result.stored = addCounts(result.stored, stored);
    if (items < pageSize) break;
  }
  return result;
}

/** Parses one page. The papers are those of the `date` list: that is what was asked for. */
function readDayPage(text: string, date: string, log: Logger, url: string): { papers: Paper[]; skipped: number; items: number } {
  const parsed = parseListing(text, { format: 'hf-api' });
  if (parsed.errors.length > 0) {
    log.warn({ url, skipped: parsed.errors.length, first: parsed.errors.slice(0, 3) }, 'some listing entries could not be read');
  }
  return {
    papers: parsed.papers.map((p) => ({ ...p, listedOn: date })),
    skipped: parsed.errors.length,
    items: parsed.papers.length + parsed.errors.length,
  };
}

export function addCounts(a: PaperUpsertResult, b: PaperUpsertResult): PaperUpsertResult {
  return { inserted: a.inserted + b.inserted, updated: a.updated + b.updated, unchanged: a.unchanged + b.unchanged };
}
