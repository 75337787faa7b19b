/**
 * Command latency: 200 concurrent `/papers today` through the real Slack adapter (signed HTTP
 * requests, until the ack's response) and the real Discord adapter (INTERACTION_CREATE on the fake
 * gateway, until the interaction callback reaches the fake), next to the same load on a bare Bolt
 * app and a bare discord.js client that answer a constant: the frameworks' own floor. The fakes and
 * the load run on a thread of their own (platform-thread.ts), as the platforms run on machines of
 * their own; the bot, or the bare framework, has this thread to itself.
 * The bench, like the adapters, imports the platform libraries: the floor is those libraries alone.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { App } from '@slack/bolt';
import { Client, Events, GatewayIntentBits } from 'discord.js';
import { platformThread, type PlatformThread } from './platform-client';
import type { Sample } from './platform-thread';
import { SIGNING_SECRET, benchStore, startBenchDiscord, startBenchSlack } from './platforms';
import { knob, ms, percentile, ratio, verdict } from './stats';

const CONCURRENT = knob(process.env.BENCH_LATENCY_REQUESTS, 200);
/** Bursts before measuring, so the figures are of warm code (JIT, connection pools), as in a running bot. */
const WARMUP_BURSTS = 3;
/** Measured bursts, pooled: one burst's p99 is two samples and swings with a single GC pause. */
const MEASURED_BURSTS = 5;
const DEADLINE_MS = 3000;
const TARGET_MS = 50;
const TARGET_RATIO = 1.5;

/** A platform's pooled bursts, and how long this thread (the bot's) was busy per command meanwhile. */
interface Measured extends Sample {
  busyPerCommandMs: number;
}

// --- Slack ----------------------------------------------------------------------------------

/** Warm-up bursts, then the measured ones pooled, each burst `CONCURRENT` requests at once. */
async function bursts(burst: () => Promise<Sample>): Promise<Measured> {
  for (let i = 0; i < WARMUP_BURSTS; i++) await burst();
  const measured: Sample[] = [];
  const busyBefore = performance.eventLoopUtilization();
  for (let i = 0; i < MEASURED_BURSTS; i++) measured.push(await burst());
  const busy = performance.eventLoopUtilization(busyBefore);
  const sum = (f: (s: Sample) => number | undefined) => measured.reduce((n, s) => n + (f(s) ?? 0), 0);
  return {
    latencies: measured.flatMap((s) => s.latencies),
    ok: sum((s) => s.ok),
    inAck: measured[0]!.inAck === undefined ? undefined : sum((s) => s.inAck),
    busyPerCommandMs: busy.active / (MEASURED_BURSTS * CONCURRENT),
  };
}

const slackBursts = (platform: PlatformThread, url: string) =>
  bursts(() => platform.call({ op: 'slackBurst', url, count: CONCURRENT }));

async function slackBot(): Promise<Measured> {
  const platform = platformThread();
  const { apiUrl } = await platform.call<{ apiUrl: string }>({ op: 'startSlack' });
  const { store, cleanup } = await benchStore();
  const slack = await startBenchSlack(store, apiUrl);
  try {
    return await slackBursts(platform, `http://127.0.0.1:${slack.address!.port}/slack/events`);
  } finally {
    await slack.stop();
    await platform.close();
    await cleanup();
  }
}

async function slackFloor(): Promise<Measured> {
  const platform = platformThread();
  const { apiUrl } = await platform.call<{ apiUrl: string }>({ op: 'startSlack' });
  const app = new App({ token: 'xoxb-bare', signingSecret: SIGNING_SECRET, clientOptions: { slackApiUrl: apiUrl } });
  app.command('/papers', async ({ ack }) => ack({ response_type: 'in_channel', text: 'constant' }));
  const server = (await app.start({ port: 0, host: '127.0.0.1' })) as Server;
  try {
    return await slackBursts(platform, `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`);
  } finally {
    await app.stop();
    await platform.close();
  }
}

// --- Discord --------------------------------------------------------------------------------

const discordBursts = (platform: PlatformThread) => bursts(() => platform.call({ op: 'discordBurst', count: CONCURRENT }));

async function discordBot(): Promise<Measured> {
  const platform = platformThread();
  const fake = await platform.call<{ apiUrl: string; applicationId: string }>({ op: 'startDiscord' });
  const { store, cleanup } = await benchStore();
  const adapter = await startBenchDiscord(store, fake);
  try {
    return await discordBursts(platform);
  } finally {
    await adapter.stop();
    await platform.close();
    await cleanup();
  }
}

async function discordFloor(): Promise<Measured> {
  const platform = platformThread();
  const fake = await platform.call<{ apiUrl: string }>({ op: 'startDiscord' });
  const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: fake.apiUrl } });
  client.on(Events.InteractionCreate, (interaction) => {
    if (interaction.isChatInputCommand()) void interaction.reply({ content: 'constant' });
  });
  const ready = new Promise((resolve) => client.once(Events.ClientReady, resolve));
  await client.login('bare-bot-token');
  await ready;
  try {
    return await discordBursts(platform);
  } finally {
    await client.destroy();
    await platform.close();
  }
}

function compare(platform: string, what: string, bot: Measured, floor: Measured): string[] {
  const p = (s: Sample, q: number) => percentile(s.latencies, q);
  const botP99 = p(bot, 99);
  const floorP99 = p(floor, 99);
  const total = MEASURED_BURSTS * CONCURRENT;
  const within = bot.latencies.filter((l) => l <= DEADLINE_MS).length;
  const ok = botP99 <= TARGET_RATIO * floorP99 && botP99 <= TARGET_MS;
  return [
    `${platform} (${what}), ${MEASURED_BURSTS} bursts of ${CONCURRENT} at once after ${WARMUP_BURSTS} warm-up bursts: ` +
      `bot p50 ${ms(p(bot, 50))}, p99 ${ms(botP99)}, max ${ms(Math.max(...bot.latencies))}; bare framework p50 ${ms(p(floor, 50))}, p99 ${ms(floorP99)}; ` +
      `answered ${bot.ok}/${total} (floor ${floor.ok}/${total})` +
      (bot.inAck === undefined ? '' : `, ${bot.inAck} with the answer in the ack (the others acked empty and answered with chat.postMessage)`),
    `${platform} bot thread busy per command: ${ms(bot.busyPerCommandMs)} (bare framework ${ms(floor.busyPerCommandMs)}, ${ratio(bot.busyPerCommandMs / floor.busyPerCommandMs)})`,
    `${platform} against the targets: p99 = ${ratio(botP99 / floorP99)} the floor's p99 (≤ ${TARGET_RATIO}×) and ${ms(botP99)} (≤ ${TARGET_MS} ms): ${verdict(ok)}; ` +
      `${within}/${total} within the ${DEADLINE_MS} ms deadline (p99 = ${(botP99 / DEADLINE_MS).toFixed(3)} of it)`,
  ];
}

export async function run(): Promise<string[]> {
  const lines: string[] = [];
  lines.push(...compare('Slack', 'signed HTTP request → ack response carrying the answer', await slackBot(), await slackFloor()));
  lines.push(...compare('Discord', 'INTERACTION_CREATE sent → interaction callback received', await discordBot(), await discordFloor()));
  return lines;
}
