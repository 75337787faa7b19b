import type { AddressInfo } from 'node:net';
import { ConfigError, errorMessage } from '../errors';
import type { Logger } from '../log';
import type { AppConfig } from '../config/schema';
import { startHttpServer, type HttpServer } from '../http/server';
import type { Adapter, ConnectedAdapter, HttpRoute, Terminal } from './adapter';
import type { Services } from './command';
import type { DigestPoster } from './poster';
import { createChatRuntime, type ChatHandlers } from './runtime';

export interface HostOptions {
  /** The adapters to run, started in this order. */
  adapters: readonly Adapter[];
  config: AppConfig;
  services: Services;
  log: Logger;
  handlers: ChatHandlers;
  terminal: Terminal;
  /** GET /healthz, served beside the adapters' routes. */
  healthz(): { status: number; body: string };
  requestStop(reason: string): void;
  /** Aborted when the process is asked to stop during the start (see AdapterContext.signal). */
  signal: AbortSignal;
}

export interface RunningHost {
  /** One per started adapter, for the scheduler. */
  posters: DigestPoster[];
  /** Where the routes and /healthz are served; null when the port was busy and only the terminal needed none. */
  address: AddressInfo | null;
  /** Stops taking requests, finishes the work in flight, then disconnects every adapter, newest first. */
  stop(): Promise<void>;
}

/**
 * Runs adapters around one chat runtime and one HTTP server (HOST/PORT): the part of `papers start`
 * that talks to people. If an adapter fails to start, those already started are closed before the
 * error goes on, so no connection outlives a failed start.
 */
export async function startHost(opts: HostOptions): Promise<RunningHost> {
  const { config, log } = opts;
  const runtime = createChatRuntime({ services: opts.services, handlers: opts.handlers, log });
  const started: { id: string; connected: ConnectedAdapter }[] = [];
  const closeAll = async () => {
    for (const { id, connected } of [...started].reverse()) {
      await connected.close().catch((err: unknown) => log.error({ err: errorMessage(err), part: id }, 'stop failed'));
    }
  };

  let server: HttpServer | null;
  try {
    for (const adapter of opts.adapters) {
      const connected = await adapter.start({
        config,
        services: opts.services,
        log,
        runtime,
        terminal: opts.terminal,
        requestStop: opts.requestStop,
        signal: opts.signal,
      });
      started.push({ id: adapter.id, connected });
    }
    const healthz: HttpRoute = {
      method: 'GET',
      path: '/healthz',
      handle: (_req, res) => {
        const { status, body } = opts.healthz();
        res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(body);
      },
    };
    const routes = [healthz, ...started.flatMap((s) => s.connected.routes)];
    // Someone trying the console on a laptop should not be stopped by a busy port; a deployment should.
    server = await serveHttp(
      config,
      routes,
      log,
      opts.adapters.some((a) => !a.fallback),
    );
  } catch (err) {
    await runtime.drain();
    await closeAll();
    throw err;
  }

  return {
    posters: started.map((s) => s.connected.poster),
    address: server?.address ?? null,
    async stop() {
      const closed = server?.close();
      await runtime.drain();
      await closeAll();
      // An event that arrived while the adapters were closing is finished too (its answer may fail, logged).
      await runtime.drain();
      await closed;
    },
  };
}

async function serveHttp(config: AppConfig, routes: HttpRoute[], log: Logger, required: boolean): Promise<HttpServer | null> {
  try {
    return await startHttpServer({ host: config.http.host, port: config.http.port, routes, log });
  } catch (err) {
    const why = `cannot serve HTTP on ${config.http.host}:${config.http.port}: ${errorMessage(err)}`;
    if (required) throw new ConfigError(`${why} (set PORT or HOST)`);
    log.warn({ port: config.http.port }, `${why}; continuing without it (set PORT to change it)`);
    return null;
  }
}
