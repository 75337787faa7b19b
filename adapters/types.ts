import type { Logger } from 'pino';
import type { AppConfig } from '../src/config/schema';
import type { Platform, Services } from '../src/chat/command';
import type { DigestPoster } from '../src/chat/poster';

/** What `papers start` hands every adapter. */
export interface AdapterDeps {
  config: AppConfig;
  services: Services;
  log: Logger;
  /** GET /healthz: 200 once the bot is ready. An adapter that owns the HTTP port serves it. */
  healthz: () => { status: number; body: string };
}

/**
 * What building a platform's digest poster needs. Posters need no connection, so `papers
 * post-daily` can post beside a running bot without a second gateway or Socket Mode session.
 */
export type PosterDeps = Pick<AdapterDeps, 'config' | 'services' | 'log'>;

/** A connected adapter. start resolves only once the platform connection is up. */
export interface RunningAdapter {
  platform: Platform;
  poster: DigestPoster;
  /** True when the adapter serves HTTP on config.http, so `papers start` must not open its own server. */
  ownsHttpPort: boolean;
  /** Finish what is in flight, then disconnect. */
  stop(): Promise<void>;
}

export type StartAdapter = (deps: AdapterDeps) => Promise<RunningAdapter>;
