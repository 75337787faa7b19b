import { createServer, type Server } from 'node:http';
import { parseArgs } from 'node:util';
import type { AdapterDeps, RunningAdapter } from '../adapters/types';
import type { Platform, Services } from '../src/chat/command';
import type { AppConfig } from '../src/config/schema';
import type { Logger } from '../src/log';
import { loadConfig } from '../src/config/load';
import { createLogger } from '../src/log';
import { ConfigError, errorMessage } from '../src/errors';
import { openStore } from '../src/store/open';
import { ensurePapers } from '../src/sources/seed';
import { createRefresher } from '../src/sources/refresher';
import { createScheduler, type Scheduler } from '../src/schedule/scheduler';
import { CliError, type CliContext } from './context';

interface StartFlags {
  console: boolean;
  scheduler: boolean;
  user: string | undefined;
}

/** What an adapter may need from the process besides AdapterDeps (only the console reads the terminal). */
interface Local {
  ctx: CliContext;
  flags: StartFlags;
  /** The console calls this when its input ends, which stops the bot. */
  onConsoleEnd: () => void;
}

interface AdapterEntry {
  platform: Platform;
  wanted(config: AppConfig, flags: StartFlags): boolean;
  start(deps: AdapterDeps, local: Local): Promise<RunningAdapter>;
}

/**
 * The adapters `papers start` can run, picked by configuration. Each platform is one entry, loaded
 * only when wanted, so a console-only run never loads discord.js or Bolt.
 */
const ADAPTERS: AdapterEntry[] = [
  { platform: 'discord', wanted: (config) => config.discord !== null, start: async (deps) => (await import('../adapters/discord/main')).startDiscord(deps) },
  { platform: 'slack', wanted: (config) => config.slack !== null, start: async (deps) => (await import('../adapters/slack/main')).startSlack(deps) },
  {
    platform: 'console',
    // The console is the default when no platform is configured, and on request next to them.
    wanted: (config, flags) => flags.console || (!config.discord && !config.slack),
    start: async (deps, { ctx, flags, onConsoleEnd }) =>
      (await import('../adapters/console/main')).startConsole(deps, { input: ctx.stdin, output: ctx.stdout, userName: flags.user, onEnd: onConsoleEnd }),
  },
];

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
  const log = createLogger({ level: config.logLevel, secrets: config.secrets });
  const now = () => new Date();
  const store = await openStore(config.databaseUrl, { log });

  const started: RunningAdapter[] = [];
  let scheduler: Scheduler | null = null;
  let server: Server | null = null;
  const refresher = createRefresher({ store, config, log, now });
  try {
    // One quick retry: a first run without network should fall back to the bundled list within seconds.
    const seed = await ensurePapers({ store, config, log, now, fetch: { retries: 1 } });
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

    const wanted = ADAPTERS.filter((a) => a.wanted(config, flags));
    for (const entry of wanted) started.push(await entry.start(deps, { ctx, flags, onConsoleEnd: consoleEnded }));

    if (flags.scheduler) {
      scheduler = createScheduler({ store, posters: started.map((a) => a.poster), config, log, clock: { now }, sourceStatus: services.sourceStatus });
      await scheduler.start();
    }
    if (!started.some((a) => a.ownsHttpPort)) {
      const consoleOnly = wanted.every((a) => a.platform === 'console');
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
