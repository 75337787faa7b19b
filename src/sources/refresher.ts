import type { SourceStatus } from '../chat/command';
import type { AppConfig } from '../config/schema';
import type { Logger } from '../log';
import type { Store } from '../store/types';
import { errorMessage } from '../errors';
import { addDays } from '../model/dates';
import { localDate } from '../schedule/time';
import { FetchError, type FetchOptions } from './fetch';
import { refreshArxiv, type ArxivRefresh } from './arxiv';
import { refreshHfDay, type HfDayResult } from './hf';
import { EMPTY_STATUS, loadSourceStatus, saveSourceStatus } from './status';

/** Hugging Face dates its lists in US Eastern time, and a day's list keeps filling until late evening there. */
const LIST_ZONE = 'America/New_York';

export interface RefreshReport {
  /** Each day asked for, newest first: what came back and what changed in the store. */
  days: HfDayResult[];
  /** The arXiv categories (configured and subscribed), when there are any and the fetch worked. */
  arxiv: ArxivRefresh | null;
  /** `what` is a list date or `arxiv`; `error` is the full line for the log, `reason` the short one for people. */
  failures: { what: string; error: string; reason: string }[];
}

export interface Refresher {
  /**
   * Refreshes today's and yesterday's lists (US Eastern), and the arXiv categories configured or
   * asked for by an enabled subscription.
   * Never throws; failures land in the report and the status.
   */
  refreshOnce(): Promise<RefreshReport>;
  /** Loads the persisted status, then refreshes now (in the background) and every config.refreshMinutes. */
  start(): Promise<void>;
  /** Stops the timer and cancels a refresh in flight. */
  stop(): Promise<void>;
  status(): SourceStatus;
}

export interface RefresherDeps {
  store: Store;
  config: Pick<AppConfig, 'hfBaseUrl' | 'arxivApiUrl' | 'arxivCategories' | 'refreshMinutes'>;
  log: Logger;
  now: () => Date;
  /** Timeouts/retries of each fetch (tests shorten them). */
  fetch?: Omit<FetchOptions, 'log' | 'conditional' | 'signal'>;
}

/** Today's and yesterday's list dates: yesterday's still gains late arrivals and upvotes. */
export function listDatesToRefresh(now: Date): string[] {
  const today = localDate(now, LIST_ZONE);
  return [today, addDays(today, -1)];
}

export function createRefresher(deps: RefresherDeps): Refresher {
  const log = deps.log.child({ component: 'refresher' });
  let status: SourceStatus = { ...EMPTY_STATUS };
  let inFlight: Promise<RefreshReport> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let abort = new AbortController();

  async function run(): Promise<RefreshReport> {
    const report: RefreshReport = { days: [], arxiv: null, failures: [] };
    const common = { store: deps.store, log, now: deps.now, fetch: { ...deps.fetch, signal: abort.signal } };
    for (const date of listDatesToRefresh(deps.now())) {
      try {
        report.days.push(await refreshHfDay(date, { ...common, baseUrl: deps.config.hfBaseUrl }));
      } catch (err) {
        report.failures.push({ what: date, error: errorMessage(err), reason: `Hugging Face: ${shortReason(err)}` });
      }
    }
    try {
      const categories = await arxivCategoriesToFetch();
      if (categories.length > 0) report.arxiv = await refreshArxiv(categories, { ...common, apiUrl: deps.config.arxivApiUrl });
    } catch (err) {
      report.failures.push({ what: 'arxiv', error: errorMessage(err), reason: `arXiv: ${shortReason(err)}` });
    }
    // A refresh cancelled by stop() says nothing about the source.
    if (abort.signal.aborted) return report;
    try {
      await record(report);
    } catch (err) {
      log.error({ err }, 'could not save the source status');
    }
    return report;
  }

  /**
   * ARXIV_CATEGORIES plus every enabled channel's, sorted so each refresh asks in the same order.
   */
  async function arxivCategoriesToFetch(): Promise<string[]> {
    const subscribed = (await deps.store.subscriptions.list({ enabledOnly: true })).flatMap((s) => s.arxiv);
    return [...new Set([...deps.config.arxivCategories, ...subscribed])].sort();
  }

  async function record(report: RefreshReport): Promise<void> {
    const changed = [...report.days.map((d) => d.stored), ...(report.arxiv ? [report.arxiv.stored] : [])].reduce((n, s) => n + s.inserted + s.updated, 0);
    const live = report.days.some((d) => d.papers > 0);
    // Read back first: a seed or another replica may have written since we loaded.
    const before = await loadSourceStatus(deps.store.meta);
    status =
      report.failures.length === 0
        ? { lastSuccessAt: deps.now(), lastError: null, note: live ? null : before.note }
        : { ...before, lastError: [...new Set(report.failures.map((f) => f.reason))].join('; ') };
    await saveSourceStatus(deps.store.meta, status);
    const summary = {
      days: report.days.map((d) => ({ date: d.date, papers: d.papers, notModified: d.notModified, ...d.stored, skipped: d.skipped })),
      arxiv: report.arxiv,
      changed,
    };
    if (report.failures.length === 0) log.info(summary, 'refresh done');
    else log.warn({ ...summary, failures: report.failures }, 'refresh failed; answers use the last good data');
  }

  const refreshOnce = (): Promise<RefreshReport> => {
    // One refresh at a time: a timer tick during a slow refresh joins it instead of doubling the load.
    inFlight ??= run().finally(() => {
      inFlight = null;
    });
    return inFlight;
  };

  return {
    refreshOnce,
    status: () => status,
    async start() {
      status = await loadSourceStatus(deps.store.meta);
      abort = new AbortController();
      void refreshOnce();
      timer = setInterval(() => void refreshOnce(), deps.config.refreshMinutes * 60_000);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      abort.abort();
      await inFlight?.catch(() => undefined);
    },
  };
}

/** What chat users are told (the status is shown in answers): no URLs, bounded length. */
function shortReason(err: unknown): string {
  const reason = err instanceof FetchError ? err.reason : errorMessage(err);
  return reason.length > 200 ? `${reason.slice(0, 199)}…` : reason;
}
