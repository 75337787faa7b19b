import { readFileSync } from 'node:fs';
import type { AppConfig } from '../config/schema';
import type { Logger } from '../log';
import type { Store } from '../store/types';
import { errorMessage } from '../errors';
import { parseListing } from '../parse/index';
import { addDays } from '../model/dates';
import type { FetchOptions } from './fetch';
import { refreshHfDay } from './hf';
import { listDatesToRefresh } from './refresher';
import { loadSourceStatus, saveSourceStatus } from './status';

/** A real Daily Papers list shipped with the bot, so a first run without network still has papers. */
const BUNDLED_FILE = new URL('./bundled/hf-daily-papers-2025-10-14.json', import.meta.url);
const BUNDLED_DATE = '2025-10-14';
/** Back far enough to cross a weekend (lists are empty on Saturdays and Sundays). */
const DAYS_TO_TRY = 4;

export interface SeedResult {
  source: 'store' | 'live' | 'bundled';
  /** What an operator (and `papers start`'s log) should know; null when the store already had papers. */
  notice: string | null;
}

/**
 * Makes sure the store has papers before the bot answers anyone: an empty store is filled from
 * Hugging Face when it answers, else from the bundled listing, and the source status says which.
 */
export async function ensurePapers(deps: {
  store: Store;
  config: Pick<AppConfig, 'hfBaseUrl'>;
  log: Logger;
  now: () => Date;
  fetch?: Omit<FetchOptions, 'log' | 'conditional'>;
}): Promise<SeedResult> {
  const { store, log } = deps;
  if ((await store.papers.count()) > 0) return { source: 'store', notice: null };

  const [today] = listDatesToRefresh(deps.now());
  let why = `Hugging Face had no list in the last ${DAYS_TO_TRY} days`;
  try {
    for (let back = 0; back < DAYS_TO_TRY; back++) {
      const day = await refreshHfDay(addDays(today!, -back), { store, baseUrl: deps.config.hfBaseUrl, log, now: deps.now, fetch: deps.fetch });
      if (day.papers > 0) {
        const notice = `filled the empty store with ${day.papers} papers from the ${day.date} Daily Papers list`;
        log.info({ date: day.date, papers: day.papers }, 'seeded from Hugging Face');
        return { source: 'live', notice };
      }
    }
  } catch (err) {
    why = 'Hugging Face could not be reached';
    log.warn({ error: errorMessage(err) }, 'Hugging Face unreachable for the first fill; using the bundled list');
  }

  const { papers } = parseListing(readFileSync(BUNDLED_FILE, 'utf8'), { format: 'hf-api' });
  await store.papers.upsert(papers, deps.now());
  const notice = `${why}: showing the bundled ${BUNDLED_DATE} list until a live one arrives`;
  const status = await loadSourceStatus(store.meta);
  await saveSourceStatus(store.meta, { ...status, note: notice });
  log.info({ date: BUNDLED_DATE, papers: papers.length }, 'seeded from the bundled list');
  return { source: 'bundled', notice };
}
