import type { AddressInfo } from 'node:net';
import { ConfigError, errorMessage } from '../errors';
import type { Logger } from '../log';
import type { AppConfig } from '../config/schema';
import { startHttpServer, type HttpServer } from '../http/server';
import type { Adapter, ConnectedAdapter, HttpRoute, Inbound, Terminal } from './adapter';
import type { Services } from './command';
import type { Metrics } from '../metrics/metrics';
import { PostError, type DigestPoster } from './poster';
import { createChatRuntime, type ChatHandlers } from './runtime';

export interface HostOptions {
  /** The adapters to run, started in this order. */
  adapters: readonly Adapter[];
  config: AppConfig;
  services: Services;
  log: Logger;
  handlers: ChatHandlers;
  terminal: Terminal;
  /** GET /healthz (liveness), served beside the adapters' routes; GET /readyz adds that the store answers. */
  healthz(): { status: number; body: string };
  requestStop(reason: string): void;
  /** Which inbound connections the adapters serve; default both. */
  inbound?: Inbound;
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
        ...(opts.inbound ? { inbound: opts.inbound } : {}),
        signal: opts.signal,
      });
      started.push({ id: adapter.id, connected });
    }
    const routes = [...probeRoutes(opts), ...started.flatMap((s) => s.connected.routes)];
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
    posters: started.map((s) => (opts.services.metrics ? countedPoster(s.connected.poster, opts.services.metrics) : s.connected.poster)),
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

/** How long /readyz waits for the store's answer: a load balancer's probe gives up after a few seconds. */
const READY_QUERY_TIMEOUT_MS = 2_000;

const TEXT = { 'content-type': 'text/plain; charset=utf-8' };

/**
 * GET /healthz: the process is up and ready (liveness: a supervisor restarts it when this fails).
 * GET /readyz: ready and the store answers a trivial query now (a load balancer sends it traffic).
 * GET /metrics: only with METRICS=on; without it the route does not exist.
 */
function probeRoutes(opts: HostOptions): HttpRoute[] {
  const { store, metrics } = opts.services;
  const routes: HttpRoute[] = [
    {
      method: 'GET',
      path: '/healthz',
      handle: (_req, res) => {
        const { status, body } = opts.healthz();
        res.writeHead(status, TEXT).end(body);
      },
    },
    {
      method: 'GET',
      path: '/readyz',
      handle: async (_req, res) => {
        const live = opts.healthz();
        if (live.status !== 200) {
          res.writeHead(503, TEXT).end(live.body);
          return;
        }
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timed out')), READY_QUERY_TIMEOUT_MS)));
        try {
          await Promise.race([store.ping(), late]);
          res.writeHead(200, TEXT).end('ok');
        } catch (err) {
          opts.log.warn({ err: errorMessage(err) }, 'not ready: the store does not answer');
          res.writeHead(503, TEXT).end('store unavailable');
        } finally {
          clearTimeout(timer);
        }
      },
    },
  ];
  if (metrics) {
    routes.push({
      method: 'GET',
      path: '/metrics',
      handle: async (_req, res) => {
        const { contentType, body } = await metrics.render();
        res.writeHead(200, { 'content-type': contentType }).end(body);
      },
    });
  }
  return routes;
}

/** The poster, counting what it posts and what fails, for every platform at once. */
function countedPoster(poster: DigestPoster, metrics: Metrics): DigestPoster {
  return {
    ...poster,
    async post(target, message, key, postOpts) {
      try {
        const posted = await poster.post(target, message, key, postOpts);
        // A message found from an earlier send was not posted now.
        if (posted && !posted.found) metrics.posted(poster.platform);
        return posted;
      } catch (err) {
        metrics.postFailed(poster.platform, err instanceof PostError && err.permanent);
        throw err;
      }
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
