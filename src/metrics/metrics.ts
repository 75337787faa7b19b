import type { Platform } from '../chat/command';

/**
 * What an operator can scrape (GET /metrics, METRICS=on): the counts the runtime, the posters and
 * the REST clients report, and the gauges read at scrape time from the parts that know them. The
 * core sees only this interface; prometheus.ts implements it with prom-client, loaded only when on.
 */
export type RateLimitScope = 'route' | 'global' | 'proxy';

export interface Metrics {
  /** A command answered (or not: the platform refused the answer), and how long it took from the event. */
  command(platform: Platform, command: string, seconds: number, answered: boolean): void;
  /** A click answered, by the control's action. */
  click(platform: Platform, action: string, seconds: number, answered: boolean): void;
  /** A digest message posted, or a post that failed. */
  posted(platform: Platform): void;
  postFailed(platform: Platform, permanent: boolean): void;
  /** A 429: by a route's limit, by Discord's global limit, or by `papers rest-proxy` (its hold past its bound). */
  rateLimited(platform: Platform, scope: RateLimitScope): void;
  /** Registers what the gauges read at scrape time; a later call replaces the earlier reader. */
  watch(readers: Partial<MetricReaders>): void;
  /** The Prometheus text exposition of everything. */
  render(): Promise<{ contentType: string; body: string }>;
}

export interface DeliveryCounts {
  /** Deliveries whose time has come and that this process has not seen settled. */
  due: number;
  /** Being posted by this process now. */
  inFlight: number;
  /** Due for longer than the scheduler's sweep should ever leave one waiting. */
  late: number;
}

export interface MetricReaders {
  deliveries(): DeliveryCounts;
  /** When the paper lists were last refreshed successfully (or the process started, when never); null: unknown. */
  lastRefreshAt(): Date | null;
  /** Database connections checked out of the pool; null where there is no pool (SQLite). */
  storeConnectionsInUse(): number | null;
}
