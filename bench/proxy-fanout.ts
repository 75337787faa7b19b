/**
 * The daily fan-out from three posting processes at once (replicas, `papers post-daily` beside
 * `papers start`), all through one `papers rest-proxy` (adapters/discord/proxy.ts), against the fake
 * Discord enforcing 50 requests/s for the bot and 5 messages per 5 s per channel. Three processes
 * each counting the global limit alone would send up to 150 requests/s; through the proxy they
 * share one count. The total time is compared with the least the limits allow for all channels,
 * and the fake counts the 429s Discord would have sent.
 * Variants: the proxy answering 429 at once when a limit is reached (as the discord.js project's
 * proxy container does; the callers wait and retry) or holding the request until the limit allows
 * it; the callers' discord.js global limiter on (default) or off. Then the holding proxy alone with
 * 1,500 channels, more than it can send within a caller's timeout, counting the requests that
 * timed out at their process.
 */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { startRestProxy } from '../adapters/discord/proxy';
import { DEFAULT_SETTINGS } from '../src/subscriptions/settings';
import { openTestStore, storeKinds } from '../test/helpers/stores';
import { DISCORD, PER_CHANNEL, TOP, againstFloor, channelIdsFor, discordFloorMs } from './fanout';
import { platformThread } from './platform-client';
import type { Counts } from './platform-thread';
import { NOW, log, realPapers } from './platforms';
import { knob, verdict } from './stats';

const CHANNELS = knob(process.env.BENCH_PROXY_CHANNELS, 300);
/**
 * Also run with this many: three processes each sending its 50 a second then keep the proxy busy
 * longer than a caller's 15 s timeout would allow it to hold their requests.
 */
const MANY_CHANNELS = knob(process.env.BENCH_PROXY_MANY_CHANNELS, 1_500);
const PROCESSES = 3;
const CHILD = fileURLToPath(new URL('./fanout-child.ts', import.meta.url));

interface Variant {
  name: string;
  rejectAtOnce: boolean;
  clientLimiter: 'on' | 'off';
}

const VARIANTS: Variant[] = [
  { name: 'proxy holds requests, callers’ limiter on (what `papers rest-proxy` runs)', rejectAtOnce: false, clientLimiter: 'on' },
  { name: 'proxy answers 429 at once, callers’ limiter on', rejectAtOnce: true, clientLimiter: 'on' },
  { name: 'proxy answers 429 at once, callers’ limiter off', rejectAtOnce: true, clientLimiter: 'off' },
];

function startChild(url: string, apiUrl: string, limiter: 'on' | 'off') {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, url, apiUrl, limiter], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      if (out.startsWith('ready\n')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`fan-out child exited with ${code} before ready`)));
  });
  const done = new Promise<Record<string, number>>((resolve, reject) =>
    child.on('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out.slice('ready\n'.length)) as Record<string, number>) : reject(new Error(`fan-out child exited with ${code}`)),
    ),
  );
  return { child, ready, done };
}

async function proxyRun(channels: number, variant: Variant): Promise<string> {
  const channelIds = channelIdsFor(channels, 710_000_000_000_000_000n);
  const platform = platformThread();
  const fake = await platform.call<{ apiUrl: string; guildId: string }>({ op: 'startDiscord', options: { channelIds, rateLimits: DISCORD } });
  // Three processes share the store: PostgreSQL when it runs here, as a deployment would.
  const { store, url, cleanup } = await openTestStore(storeKinds.includes('postgres') ? 'postgres' : 'sqlite');
  const proxy = await startRestProxy({ apiUrl: fake.apiUrl }, { host: '127.0.0.1', port: 0, log, rejectAtOnce: variant.rejectAtOnce });
  try {
    await store.papers.upsert(realPapers, NOW);
    for (const channelId of channelIds) {
      await store.subscriptions.upsert({
        platform: 'discord',
        workspaceId: fake.guildId,
        channelId,
        ...DEFAULT_SETTINGS,
        top: TOP,
        origin: 'command',
        createdBy: 'bench',
      });
    }
    const children = Array.from({ length: PROCESSES }, () => startChild(url, `http://127.0.0.1:${proxy.address.port}/api`, variant.clientLimiter));
    await Promise.all(children.map((c) => c.ready));
    const start = performance.now();
    for (const c of children) c.child.stdin.end('go\n');
    const reports = await Promise.all(children.map((c) => c.done));
    const ms = performance.now() - start;
    const posted = reports.reduce((n, r) => n + (r.posted ?? 0), 0);
    const timedOut = reports.reduce((n, r) => n + (r.timedOut ?? 0), 0);
    const floor = discordFloorMs(channels * PER_CHANNEL, PER_CHANNEL);
    const { rateLimited, created } = await platform.call<Counts<{ global: number; channel: number }>>({ op: 'discordCounts' });
    return (
      `${variant.name}: ${againstFloor(ms, floor)}; ` +
      `Discord's 429s: ${rateLimited.global} global (target 0: ${verdict(rateLimited.global === 0)}) + ${rateLimited.channel} per-channel; ` +
      `${posted}/${channels} channels posted (by the ${PROCESSES} processes: ${reports.map((x) => x.posted ?? 0).join(' + ')}), ${created} messages created (${channels * PER_CHANNEL} due); ` +
      `requests that timed out at their process and went again: ${timedOut}`
    );
  } finally {
    await proxy.close();
    await platform.close();
    await cleanup();
  }
}

export async function run(): Promise<string[]> {
  const lines = [
    `${PROCESSES} posting processes, one store, ${CHANNELS} channels × ${PER_CHANNEL} messages, through one REST proxy; floor max((⌈messages / 50⌉ − 1) s, (⌈${PER_CHANNEL} / 5⌉ − 1) × 5 s)`,
  ];
  for (const variant of VARIANTS) lines.push(await proxyRun(CHANNELS, variant));
  // More channels than the proxy can send in a caller's timeout: what `papers rest-proxy` runs, only.
  lines.push(`${MANY_CHANNELS} channels × ${PER_CHANNEL} messages:`, await proxyRun(MANY_CHANNELS, VARIANTS[0]!));
  return lines;
}
