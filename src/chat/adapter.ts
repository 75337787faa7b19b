import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable, Writable } from 'node:stream';
import type { z } from 'zod';
import { ConfigError } from '../errors';
import type { Logger } from '../log';
import type { AdapterSettingsSpec, AppConfig } from '../config/schema';
import type { Platform, Services } from './command';
import type { DigestPoster } from './poster';
import type { ChatRuntime } from './runtime';

/**
 * The adapter contract: what a chat platform plugs into. Each adapter folder exports one
 * Adapter (adapters/index.ts is the only list of them); the core never names a platform.
 */

/** A route an adapter serves on the bot's one HTTP port (HOST/PORT), beside GET /healthz. */
export interface HttpRoute {
  method: 'GET' | 'POST';
  /** Matched exactly, without the query string. */
  path: string;
  handle(req: IncomingMessage, res: ServerResponse): void | Promise<void>;
}

/** The terminal the process runs in: where a chat in the terminal (the console adapter) reads and writes. */
export interface Terminal {
  input: Readable;
  output: Writable;
  /** Who is typing (`papers start --user NAME`). */
  user?: string;
}

/** What `papers start` hands an adapter. */
export interface AdapterContext {
  config: AppConfig;
  services: Services;
  log: Logger;
  /** Every command, reaction and click goes through it. */
  runtime: ChatRuntime;
  terminal: Terminal;
  /** Asks the process to stop (the terminal's input ended; the platform connection gave up for good). */
  requestStop(reason: string): void;
  /**
   * Which inbound connections this process serves (`papers start --no-gateway | --gateway-only`):
   * a platform's persistent connection (Discord's gateway) and its routes on the HTTP server
   * (Discord's interactions endpoint). Default both. Slack's adapter serves as configured either way.
   */
  inbound?: Inbound;
  /** Aborted when the operator stops the process while adapters are still connecting: give up the connection. */
  signal: AbortSignal;
}

export interface Inbound {
  gateway: boolean;
  http: boolean;
}

/** What building a digest poster needs: no connection, so `papers post-daily` can post beside a running bot. */
export interface PosterContext {
  config: AppConfig;
  services: Services;
  log: Logger;
  /** Where an adapter without a remote platform (the console) shows what it posts. */
  output: Writable;
}

/** A started adapter. */
export interface ConnectedAdapter {
  poster: DigestPoster;
  /** Served on the bot's HTTP port for as long as it runs. */
  routes: HttpRoute[];
  /** Disconnects. The runtime has already finished the work in flight (see src/chat/host.ts). */
  close(): Promise<void>;
}

export interface Adapter extends AdapterSettingsSpec {
  readonly id: Platform;
  /** Started only when no other adapter is configured, or when asked for (the console). */
  readonly fallback: boolean;
  /** Connects; resolves once the platform connection is up. */
  start(ctx: AdapterContext): Promise<ConnectedAdapter>;
  poster(ctx: PosterContext): Promise<DigestPoster>;
  /** Whether its settings are present. */
  isConfigured(config: AppConfig): boolean;
}

/** An adapter whose own settings are typed: what defineAdapter returns. */
export interface TypedAdapter<C> extends Adapter {
  /** Its settings as the config loader resolved them, or null when it is not configured. */
  settingsOf(config: AppConfig): C | null;
}

/**
 * Builds an adapter from its parts, typed by its own settings: `resolve` reads them from its
 * validated environment variables (null: not configured), and start/poster receive them. Modules
 * with the platform's library belong behind `import()` in start/poster, so a run that does not use
 * the platform never loads it.
 */
export function defineAdapter<S extends z.ZodRawShape, C>(def: {
  id: Platform;
  fallback?: boolean;
  env: S;
  secrets: readonly (keyof S & string)[];
  resolve(env: z.output<z.ZodObject<S>>): C | null;
  start(ctx: AdapterContext, settings: C): Promise<ConnectedAdapter>;
  poster(ctx: PosterContext, settings: C): Promise<DigestPoster>;
}): TypedAdapter<C> {
  const settingsOf = (config: AppConfig) => (config.adapters[def.id] as C | undefined) ?? null;
  const required = (config: AppConfig): C => {
    const settings = settingsOf(config);
    if (settings === null) throw new ConfigError(`${def.id} is not configured`);
    return settings;
  };
  return {
    id: def.id,
    fallback: def.fallback ?? false,
    env: def.env,
    secrets: def.secrets,
    resolve: (env) => def.resolve(env as z.output<z.ZodObject<S>>),
    settingsOf,
    isConfigured: (config) => settingsOf(config) !== null,
    start: (ctx) => def.start(ctx, required(ctx.config)),
    poster: (ctx) => def.poster(ctx, required(ctx.config)),
  };
}
