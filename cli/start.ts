import { createServer, type Server } from 'node:http';
import { parseArgs } from 'node:util';
import type { AdapterDeps, RunningAdapter } from '../adapters/types';
import type { Services } from '../src/chat/command';
import type { AppConfig } from '../src/config/schema';
import type { Logger } from '../src/log';
import { loadConfig } from '../src/config/load';
import { createLogger } from '../src/log';
import { ConfigError, errorMessage } from '../src/errors';
import { openStore } from '../src/store/open';
import { ensurePapers } from '../src/sources/seed';
import { createRefresher } from '../src/sources/refresher';
import { createScheduler, type Scheduler } from '../src/schedule/scheduler';
import { chosenPlatforms, startAdapters } from './adapters';
import { CliError, type CliContext } from './context';

interface StartFlags {
  console: boolean;
  scheduler: boolean;
  user: string | undefined;
}

/** Stopping waits for work in flight, but never longer than this: supervisors kill after ~10 s. */
const SHUTDOWN_BUDGET_MS = 9_000;

function parseFlags(args: string[]): StartFlags {
  try {
    const { values } = parseArgs({
      args,
      options: { console: { type: 'boolean', default: false }, 'no-scheduler': { type: 'boolean', default: false }, user: { type: 'string' } },
      strict: true,
      allowPositionals: false,
    });
    if (values.user !== undefined && !/^[\w.-]{1,32}$/.test(values.user)) throw new CliError('--user takes a name of letters, digits, ".", "-" or "_" (at most 32)', 2);
    return { console: values.console, scheduler: !values['no-scheduler'], user: values.user };
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(`${errorMessage(err)} (usage: papers start [--console] [--no-scheduler] [--user NAME])`, 2);
  }
}

/** GET /healthz for supervisors and load balancers; everything else is 404. */
async function serveHealthz(config: AppConfig, healthz: AdapterDeps['healthz'], consoleOnly: boolean, log: Logger): Promise<Server | null> {
  const server = createServer((req, res) => {
    const { status, body } = req.method === 'GET' && req.url === '/healthz' ? healthz() : { status: 404, body: 'not found' };
    res.writeHead(status, { 'content-type': 'text/plain' }).end(body);
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.http.port, config.http.host, () => resolve());
    });
    return server;
  } catch (err) {
    const why = `cannot serve /healthz on ${config.http.host}:${config.http.port}: ${errorMessage(err)}`;
    // Someone trying the console on a laptop should not be stopped by a busy port; a deployment should.
    if (consoleOnly) {
      log.warn({ port: config.http.port }, `${why}; continuing without it (set PORT to change it)`);
      return null;
    }
    throw new ConfigError(`${why} (set PORT or HOST)`);
  }
}

/**
 * `papers start`: config → store → first papers → refresher → adapters → scheduler → ready → /healthz.
 * Runs until SIGTERM/SIGINT (or the console's input ends), then finishes in-flight work and exits 0.
 */
export async function run(args: string[], ctx: CliContext): Promise<number> {
  const flags = parseFlags(args);
  const config = loadConfig(ctx.env, ctx.cwd);
  const platforms = chosenPlatforms(config, flags);
  const consoleOnly = platforms.every((p) => p === 'console');
  // JSON log lines would interleave with the chat in the terminal: a console of its own logs only
  // warnings unless LOG_LEVEL says otherwise, and the source's retries not at all (its answers say
  // when the source is failing or the bundled list is shown).
  const quiet = consoleOnly && !config.logLevelExplicit;
  const log = createLogger({ level: quiet ? 'warn' : config.logLevel, secrets: config.secrets });
  const sourceLog = quiet ? log.child({}, { level: 'error' }) : log;
  const now = () => new Date();
  const store = await openStore(config.databaseUrl, { log });

  let started: RunningAdapter[] = [];
  let scheduler: Scheduler | null = null;
  let server: Server | null = null;
  const refresher = createRefresher({ store, config, log: sourceLog, now });
  try {
    // One quick retry: a first run without network should fall back to the bundled list within seconds.
    const seed = await ensurePapers({ store, config, log: sourceLog, now, fetch: { retries: 1 } });
    if (seed.notice) log.info({ event: 'papers', source: seed.source }, seed.notice);
    await refresher.start();

    let ready = false;
    let consoleEnded!: () => void;
    const consoleDone = new Promise<string>((resolve) => (consoleEnded = () => resolve('end of console input')));
    const services: Services = { store, config, log, now, sourceStatus: () => refresher.status() };
    const deps: AdapterDeps = {
      config,
      services,
      log,
      healthz: () => (ready ? { status: 200, body: 'ok' } : { status: 503, body: 'starting' }),
    };
    started = await startAdapters(platforms, deps, { input: ctx.stdin, output: ctx.stdout, userName: flags.user, onEnd: consoleEnded });

    if (flags.scheduler) {
      scheduler = createScheduler({ store, posters: started.map((a) => a.poster), config, log, clock: { now }, sourceStatus: services.sourceStatus });
      await scheduler.start();
    }
    if (!started.some((a) => a.ownsHttpPort)) {
      server = await serveHealthz(config, deps.healthz, consoleOnly, log);
    }
    ready = true;
    log.info({ event: 'ready', adapters: started.map((a) => a.platform), scheduler: flags.scheduler, healthz: server ? config.http.port : null }, 'ready');

    const reason = await Promise.race([ctx.shutdownSignal, consoleDone]);
    log.info({ event: 'stopping', reason }, 'stopping');
  } finally {
    await stopAll({ scheduler, started, refresher, server, log });
    await store.close();
  }
  return 0;
}

/** Stops everything that started, newest first, within the shutdown budget. */
async function stopAll(parts: { scheduler: Scheduler | null; started: RunningAdapter[]; refresher: { stop(): Promise<void> }; server: Server | null; log: Logger }) {
  const { log } = parts;
  const steps: [string, () => Promise<void>][] = [
    ['scheduler', async () => parts.scheduler?.stop()],
    ...parts.started.map((a): [string, () => Promise<void>] => [a.platform, () => a.stop()]),
    ['refresher', () => parts.refresher.stop()],
    ['healthz', () => new Promise<void>((resolve) => (parts.server ? parts.server.close(() => resolve()) : resolve()))],
  ];
  const all = (async () => {
    for (const [name, stop] of steps) await stop().catch((err) => log.error({ err, part: name }, 'stop failed'));
  })();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), SHUTDOWN_BUDGET_MS)));
  if ((await Promise.race([all, late])) === 'late') log.warn({ budgetMs: SHUTDOWN_BUDGET_MS }, 'stopping took too long; exiting anyway');
  clearTimeout(timer);
}
