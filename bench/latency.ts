/**
 * Command latency: 200 concurrent `/papers today` through the real Slack adapter (signed HTTP
 * requests, until the ack's response) and the real Discord adapter (INTERACTION_CREATE on the fake
 * gateway, until the interaction callback reaches the fake), next to the same load on a bare Bolt
 * app and a bare discord.js client that answer a constant: the frameworks' own floor. The fakes and
 * the load run on a thread of their own (platform-thread.ts), as the platforms run on machines of
 * their own; the bot and the bare framework share this thread, taking turns.
 * The bench, like the adapters, imports the platform libraries: the floor is those libraries alone.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { App } from '@slack/bolt';
import { Client, Events, GatewayIntentBits } from 'discord.js';
import { platformThread, type PlatformThread } from './platform-client';
import type { Sample } from './platform-thread';
import { SIGNING_SECRET, benchStore, startBenchDiscord, startBenchSlack } from './platforms';
import { knob, median, ms, percentile, ratio, verdict } from './stats';

const CONCURRENT = knob(process.env.BENCH_LATENCY_REQUESTS, 200);
/** Bursts before measuring, so the figures are of warm code (JIT, connection pools), as in a running bot. */
const WARMUP_BURSTS = 3;
/** Measured bursts per target, pooled: one burst's p99 is two samples and swings with a single GC pause. */
const MEASURED_BURSTS = 10;
/**
 * Quiet time after each burst, so the next is measured from a settled process, as a burst of
 * commands arrives in a chat; work a bot defers past a burst (recording answers) runs in it, and
 * still counts in the busy time per command.
 */
const QUIET_AFTER_BURST_MS = 1000;
const DEADLINE_MS = 3000;
const TARGET_MS = 50;
const TARGET_RATIO = 1.5;

/** Commands sent one after another, each after the previous was answered: latency without a queue. */
const ONE_AT_A_TIME = 200;

/** The bot or the bare framework, listening, with its fake: `send(n)` sends n commands at once and times each. */
interface Target {
  send(count: number): Promise<Sample>;
  stop(): Promise<unknown>;
}

/** A target's pooled bursts, how long this thread was busy per command in them, and single commands. */
interface Measured extends Sample {
  /** Each burst's p99, in the order measured: burst i of the bot ran beside burst i of the floor. */
  burstP99s: number[];
  busyPerCommandMs: number;
  oneAtATime: number[];
}

/**
 * The bot and its floor measured turn about, burst by burst (then command by command), both
 * running all along: on a shared machine, noise (another process, a slower minute) then falls on
 * both alike instead of on whichever ran second. Each target gets warm-up bursts first.
 */
async function measurePair(bot: Target, floor: Target): Promise<{ bot: Measured; floor: Measured }> {
  const targets = [bot, floor];
  const bursts = targets.map((): Sample[] => []);
  const busyMs = targets.map(() => 0);
  const single = targets.map((): number[] => []);
  // Warm-ups in turn too, with the same quiet, so the first measured burst is no colder than the rest.
  for (let i = 0; i < WARMUP_BURSTS; i++) {
    for (const target of targets) {
      await target.send(CONCURRENT);
      await sleep(QUIET_AFTER_BURST_MS);
    }
  }
  for (let i = 0; i < MEASURED_BURSTS; i++) {
    // Strictly in turn: each target's bursts then follow the same idle time and the other's burst.
    // Swapping who goes first each round gave each target gaps of 1.2 s and 3.6 s alternately,
    // and a burst after the longer gap ran up to 2.5x slower (a cold process), for either target.
    for (const t of [0, 1]) {
      const before = performance.eventLoopUtilization();
      bursts[t]!.push(await targets[t]!.send(CONCURRENT));
      await sleep(QUIET_AFTER_BURST_MS);
      busyMs[t]! += performance.eventLoopUtilization(before).active;
    }
  }
  for (let i = 0; i < ONE_AT_A_TIME; i++) for (const t of [0, 1]) single[t]!.push(...(await targets[t]!.send(1)).latencies);
  const [botFigures, floorFigures] = targets.map((_, t): Measured => {
    const sum = (f: (s: Sample) => number | undefined) => bursts[t]!.reduce((n, s) => n + (f(s) ?? 0), 0);
    return {
      latencies: bursts[t]!.flatMap((s) => s.latencies),
      burstP99s: bursts[t]!.map((s) => percentile(s.latencies, 99)),
      ok: sum((s) => s.ok),
      inAck: bursts[t]![0]!.inAck === undefined ? undefined : sum((s) => s.inAck),
      busyPerCommandMs: busyMs[t]! / (MEASURED_BURSTS * CONCURRENT),
      oneAtATime: single[t]!,
    };
  });
  return { bot: botFigures!, floor: floorFigures! };
}

async function measureBoth(start: () => Promise<[Target, Target]>): Promise<{ bot: Measured; floor: Measured }> {
  const [bot, floor] = await start();
  try {
    return await measurePair(bot, floor);
  } finally {
    await Promise.all([bot.stop(), floor.stop()]);
  }
}

// --- Slack ----------------------------------------------------------------------------------

const slackSend = (platform: PlatformThread, port: number) => (count: number) =>
  platform.call<Sample>({ op: 'slackBurst', url: `http://127.0.0.1:${port}/slack/events`, count });

async function slackBot(): Promise<Target> {
  return onPlatformThread(async (platform) => {
    const { apiUrl } = await platform.call<{ apiUrl: string }>({ op: 'startSlack' });
    const { store, cleanup } = await benchStore();
    const slack = await startBenchSlack(store, apiUrl);
    return { send: slackSend(platform, slack.host.address!.port), stop: () => slack.stop().then(cleanup) };
  });
}

async function slackFloor(): Promise<Target> {
  return onPlatformThread(async (platform) => {
    const { apiUrl } = await platform.call<{ apiUrl: string }>({ op: 'startSlack' });
    const app = new App({ token: 'xoxb-bare', signingSecret: SIGNING_SECRET, clientOptions: { slackApiUrl: apiUrl } });
    app.command('/papers', async ({ ack }) => ack({ response_type: 'in_channel', text: 'constant' }));
    const server = (await app.start({ port: 0, host: '127.0.0.1' })) as Server;
    return { send: slackSend(platform, (server.address() as AddressInfo).port), stop: () => app.stop() };
  });
}

// --- Discord --------------------------------------------------------------------------------

const discordSend = (platform: PlatformThread) => (count: number) => platform.call<Sample>({ op: 'discordBurst', count });

async function discordBot(): Promise<Target> {
  return onPlatformThread(async (platform) => {
    const fake = await platform.call<{ apiUrl: string; applicationId: string }>({ op: 'startDiscord' });
    const { store, cleanup } = await benchStore();
    const adapter = await startBenchDiscord(store, fake);
    return { send: discordSend(platform), stop: () => adapter.stop().then(cleanup) };
  });
}

/** A bare discord.js client answering every interaction with a constant. */
async function discordFloor(): Promise<Target> {
  return onPlatformThread(async (platform) => {
    const fake = await platform.call<{ apiUrl: string }>({ op: 'startDiscord' });
    const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: fake.apiUrl } });
    client.on(Events.InteractionCreate, (interaction) => {
      if (interaction.isChatInputCommand()) void interaction.reply({ content: 'constant' });
    });
    const ready = new Promise((resolve) => client.once(Events.ClientReady, resolve));
    await client.login('bare-bot-token');
    await ready;
    return { send: discordSend(platform), stop: () => client.destroy() };
  });
}

/** A target with a platform thread of its own (its fake and load), closed after the target stops. */
async function onPlatformThread(start: (platform: PlatformThread) => Promise<Target>): Promise<Target> {
  const platform = platformThread();
  const target = await start(platform);
  return {
    send: target.send,
    async stop() {
      await target.stop();
      await platform.close();
    },
  };
}

function compare(platform: string, what: string, bot: Measured, floor: Measured): string[] {
  const p = (samples: number[], q: number) => percentile(samples, q);
  const botP99 = p(bot.latencies, 99);
  const floorP99 = p(floor.latencies, 99);
  const singleP99 = p(bot.oneAtATime, 99);
  const total = MEASURED_BURSTS * CONCURRENT;
  const within = bot.latencies.filter((l) => l <= DEADLINE_MS).length;
  return [
    `${platform} (${what}), ${MEASURED_BURSTS} bursts of ${CONCURRENT} at once after ${WARMUP_BURSTS} warm-up bursts, turn about with the bare framework's: ` +
      `bot p50 ${ms(p(bot.latencies, 50))}, p99 ${ms(botP99)}, max ${ms(Math.max(...bot.latencies))}; bare framework p50 ${ms(p(floor.latencies, 50))}, p99 ${ms(floorP99)}; ` +
      `answered ${bot.ok}/${total} (floor ${floor.ok}/${total})` +
      (bot.inAck === undefined ? '' : `, ${bot.inAck} with the answer in the ack (the others acked empty and answered with chat.postMessage)`),
    `${platform} bot thread busy per command in the bursts: ${ms(bot.busyPerCommandMs)} (bare framework ${ms(floor.busyPerCommandMs)}, ${ratio(bot.busyPerCommandMs / floor.busyPerCommandMs)})`,
    `${platform} burst against the targets: p99 = ${ratio(botP99 / floorP99)} the floor's p99 (≤ ${TARGET_RATIO}×: ${verdict(botP99 <= TARGET_RATIO * floorP99)}); ` +
      `${ms(botP99)} (≤ ${TARGET_MS} ms: ${verdict(botP99 <= TARGET_MS)}, the bare framework's own p99 is ${ms(floorP99)}); ` +
      `${within}/${total} within the ${DEADLINE_MS} ms deadline (p99 = ${(botP99 / DEADLINE_MS).toFixed(3)} of it)`,
    // One slow burst (a GC pause, another process) can decide a pooled p99; the median of the
    // side-by-side bursts' ratios shows whether it did.
    `${platform} burst by burst: median of the ${MEASURED_BURSTS} bot/floor p99 ratios of bursts run side by side ${ratio(median(bot.burstP99s.map((b, i) => b / floor.burstP99s[i]!)))}` +
      ` (per burst: ${bot.burstP99s.map((b, i) => (b / floor.burstP99s[i]!).toFixed(2)).join(', ')})`,
    `${platform} one at a time (${ONE_AT_A_TIME} in a row): bot p50 ${ms(p(bot.oneAtATime, 50))}, p99 ${ms(singleP99)}; bare framework p50 ${ms(p(floor.oneAtATime, 50))}, p99 ${ms(p(floor.oneAtATime, 99))}; ` +
      `≤ ${TARGET_MS} ms: ${verdict(singleP99 <= TARGET_MS)}`,
  ];
}

export async function run(): Promise<string[]> {
  const slack = await measureBoth(async () => [await slackBot(), await slackFloor()]);
  const discord = await measureBoth(async () => [await discordBot(), await discordFloor()]);
  return [
    ...compare('Slack', 'signed HTTP request → its ack', slack.bot, slack.floor),
    ...compare('Discord', 'INTERACTION_CREATE sent → interaction callback received', discord.bot, discord.floor),
  ];
}
