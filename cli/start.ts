import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import type { Inbound } from '../src/chat/adapter';
import type { Services } from '../src/chat/command';
import { startHost, type RunningHost } from '../src/chat/host';
import type { Logger } from '../src/log';
import { createLogger } from '../src/log';
import { errorMessage } from '../src/errors';
import { openStore } from '../src/store/open';
import { prepareSecretsAtRest, secretBoxOf } from '../src/store/secret-box';
import { ensurePapers } from '../src/sources/seed';
import { createRefresher } from '../src/sources/refresher';
import { createScheduler, type Scheduler } from '../src/schedule/scheduler';
import { chatHandlers } from '../commands/kit/handlers';
import { chosenAdapters, loadBotConfig } from '../adapters/index';
import { CliError, type CliContext } from './context';

interface StartFlags {
  console: boolean;
  scheduler: boolean;
  user: string | undefined;
  inbound: Inbound;
}

const USAGE = 'papers start [--console] [--no-scheduler] [--no-gateway | --gateway-only] [--user NAME]';

/** Stopping waits for work in flight, but never longer than this: supervisors kill after ~10 s. */
const SHUTDOWN_BUDGET_MS = 9_000;
/** Stopping during the start first lets the start give up (aborted connections return at once), within this. */
const START_ABORT_MS = 3_000;

function parseFlags(args: string[]): StartFlags {
  try {
    const { values } = parseArgs({
      args,
      options: {
        console: { type: 'boolean', default: false },
        'no-scheduler': { type: 'boolean', default: false },
        'no-gateway': { type: 'boolean', default: false },
        'gateway-only': { type: 'boolean', default: false },
        user: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    });
    if (values.user !== undefined && !/^[\w.-]{1,32}$/.test(values.user))
      throw new CliError('--user takes a name of letters, digits, ".", "-" or "_" (at most 32)', 2);
    if (values['no-gateway'] && values['gateway-only']) throw new CliError(`--no-gateway and --gateway-only exclude each other (usage: ${USAGE})`, 2);
    return {
      console: values.console,
      scheduler: !values['no-scheduler'],
      user: values.user,
      inbound: { gateway: !values['no-gateway'], http: !values['gateway-only'] },
    };
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(`${errorMessage(err)} (usage: ${USAGE})`, 2);
  }
}

/**
 * `papers start`: config → store → first papers → refresher → adapters → scheduler → ready → /healthz.
 * Runs until SIGTERM/SIGINT (or the console's input ends), then finishes in-flight work and exits 0.
 */
export async function run(args: string[], ctx: CliContext): Promise<number> {
  const flags = parseFlags(args);
  const config = loadBotConfig(ctx.env, ctx.cwd);
  const adapters = chosenAdapters(config, { fallback: flags.console });
  const terminalOnly = adapters.every((a) => a.fallback);
  // JSON log lines would interleave with the chat in the terminal: a console of its own logs only
  // warnings unless LOG_LEVEL says otherwise, and the source's retries not at all (its answers say
  // when the source is failing or the bundled list is shown).
  const quiet = terminalOnly && !config.logLevelExplicit;
  const log = createLogger({ level: quiet ? 'warn' : config.logLevel, secrets: config.secrets });
  const sourceLog = quiet ? log.child({}, { level: 'error' }) : log;
  const now = () => new Date();

  // One way to stop, whatever asks and whenever: the operator's signal (even while still connecting),
  // an adapter giving up for good, or an error nothing caught.
  let stopRequested!: (reason: string) => void;
  const stop = new Promise<string>((resolve) => (stopRequested = resolve));
  void ctx.shutdownSignal.then((signal) => stopRequested(signal));
  const connecting = new AbortController();
  void stop.then(() => connecting.abort());
  let crash: string | null = null;
  const crashed = (err: unknown) => {
    crash ??= errorMessage(err).split('\n')[0]!;
    log.fatal({ event: 'crash', err: errorMessage(err), stack: err instanceof Error ? err.stack : undefined }, 'unexpected error; stopping');
    stopRequested('crash');
  };

  const store = await openStore(config.databaseUrl, { log });
  try {
    await prepareSecretsAtRest(store, secretBoxOf(config), log);
  } catch (err) {
    await store.close();
    throw err;
  }
  let host: RunningHost | null = null;
  let scheduler: Scheduler | null = null;
  const refresher = createRefresher({ store, config, log: sourceLog, now });
  let ready = false;
  process.on('uncaughtException', crashed);
  process.on('unhandledRejection', crashed);
  try {
    const starting = (async () => {
      // One quick retry: a first run without network should fall back to the bundled list within seconds.
      const seed = await ensurePapers({ store, config, log: sourceLog, now, fetch: { retries: 1 } });
      if (seed.notice) log.info({ event: 'papers', source: seed.source }, seed.notice);
      await refresher.start();
      const metrics = config.metrics ? (await import('../src/metrics/prometheus')).createPrometheusMetrics(now) : undefined;
      // Never refreshed (not even before a restart, whose status the store keeps): counted from this start, so the alert still fires.
      const startedAt = now();
      metrics?.watch({ lastRefreshAt: () => refresher.status().lastSuccessAt ?? startedAt, storeConnectionsInUse: () => store.connectionsInUse() });
      const services: Services = { store, config, log, now, sourceStatus: () => refresher.status(), ...(metrics ? { metrics } : {}) };
      host = await startHost({
        adapters,
        config,
        services,
        log,
        handlers: chatHandlers,
        terminal: { input: ctx.stdin, output: ctx.stdout, user: flags.user },
        healthz: () => (ready ? { status: 200, body: 'ok' } : { status: 503, body: 'starting' }),
        requestStop: (reason) => stopRequested(reason),
        signal: connecting.signal,
        inbound: flags.inbound,
      });
      if (flags.scheduler) {
        const started = createScheduler({ store, posters: host.posters, config, log, clock: { now }, sourceStatus: services.sourceStatus });
        scheduler = started;
        metrics?.watch({ deliveries: () => started.deliveries() });
        // Ready without waiting for the catch-up fan-out, which can take minutes on the platforms'
        // limits: meanwhile the replica answers commands, and load balancers see it ready.
        await started.start({ catchUp: 'background' });
      }
      return host;
    })();
    const early = await Promise.race([starting.then(() => null), stop]);
    if (early === null) {
      ready = true;
      const healthz = healthzUrl((host as RunningHost | null)?.address ?? null);
      log.info({ event: 'ready', adapters: adapters.map((a) => a.id), scheduler: flags.scheduler, healthz }, 'ready');
    } else {
      // Asked to stop while starting: the aborted connections give up, then whatever started is stopped.
      starting.catch(() => {});
      await within(
        START_ABORT_MS,
        starting.catch(() => {}),
      );
    }
    const reason = await stop;
    log.info({ event: 'stopping', reason, ...(early === null ? {} : { while: 'starting' }) }, 'stopping');
  } finally {
    await stopAll({ scheduler, host, refresher, log });
    await store.close();
    process.off('uncaughtException', crashed);
    process.off('unhandledRejection', crashed);
  }
  if (crash !== null) throw new CliError(`stopped after an unexpected error: ${crash}`);
  return 0;
}

/** Where GET /healthz answers, as a URL to paste (a wildcard address is reachable on loopback); null without an HTTP server. */
function healthzUrl(address: AddressInfo | null): string | null {
  if (!address) return null;
  const wildcard = address.address === '0.0.0.0' || address.address === '::';
  const host = wildcard ? '127.0.0.1' : address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}/healthz`;
}

/** Waits for `work`, but at most `ms`. */
async function within(ms: number, work: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

/** Stops everything that started, newest first, within the shutdown budget. */
async function stopAll(parts: { scheduler: Scheduler | null; host: RunningHost | null; refresher: { stop(): Promise<void> }; log: Logger }) {
  const { log } = parts;
  const steps: [string, () => Promise<void>][] = [
    ['scheduler', async () => parts.scheduler?.stop()],
    ['adapters', async () => parts.host?.stop()],
    ['refresher', () => parts.refresher.stop()],
  ];
  const all = (async () => {
    for (const [name, stop] of steps) await stop().catch((err: unknown) => log.error({ err: errorMessage(err), part: name }, 'stop failed'));
  })();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), SHUTDOWN_BUDGET_MS)));
  if ((await Promise.race([all, late])) === 'late') log.warn({ budgetMs: SHUTDOWN_BUDGET_MS }, 'stopping took too long; exiting anyway');
  clearTimeout(timer);
}
