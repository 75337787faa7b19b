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
import { setTimeout as sleep } from 'node:timers/promises';
import { App } from '@slack/bolt';
import { Client, Events, GatewayIntentBits, type InteractionReplyOptions } from 'discord.js';
import { NO_MENTIONS, renderReply as renderDiscordReply, toMessageOptions } from '../adapters/discord/render';
import { dispatch } from '../commands/dispatch';
import { platformThread, type PlatformThread } from './platform-client';
import type { Sample } from './platform-thread';
import { SIGNING_SECRET, benchServices, benchStore, startBenchDiscord, startBenchSlack } from './platforms';
import { knob, ms, percentile, ratio, verdict } from './stats';

const CONCURRENT = knob(process.env.BENCH_LATENCY_REQUESTS, 200);
/** Bursts before measuring, so the figures are of warm code (JIT, connection pools), as in a running bot. */
const WARMUP_BURSTS = 3;
/** Measured bursts, pooled: one burst's p99 is two samples and swings with a single GC pause. */
const MEASURED_BURSTS = 5;
/**
 * Quiet time before each burst, so each is measured from a settled bot, as a burst of commands
 * arrives in a chat; work a bot defers past a burst (recording answers) runs in it, and still
 * counts in the busy time per command.
 */
const QUIET_BEFORE_BURST_MS = 1000;
const DEADLINE_MS = 3000;
const TARGET_MS = 50;
const TARGET_RATIO = 1.5;

/** Commands sent one after another, each after the previous was answered: latency without a queue. */
const ONE_AT_A_TIME = 200;

/** A platform's pooled bursts, how long this thread (the bot's) was busy per command meanwhile, and single commands. */
interface Measured extends Sample {
  busyPerCommandMs: number;
  oneAtATime: number[];
}

/**
 * Warm-up bursts, then the measured ones pooled (each `CONCURRENT` requests at once), then
 * ONE_AT_A_TIME single requests. `send(n)` sends n at once and times each.
 */
async function measure(send: (count: number) => Promise<Sample>): Promise<Measured> {
  for (let i = 0; i < WARMUP_BURSTS; i++) await send(CONCURRENT);
  const measured: Sample[] = [];
  const busyBefore = performance.eventLoopUtilization();
  for (let i = 0; i < MEASURED_BURSTS; i++) {
    await sleep(QUIET_BEFORE_BURST_MS);
    measured.push(await send(CONCURRENT));
  }
  await sleep(QUIET_BEFORE_BURST_MS);
  const busy = performance.eventLoopUtilization(busyBefore);
  const oneAtATime: number[] = [];
  for (let i = 0; i < ONE_AT_A_TIME; i++) oneAtATime.push(...(await send(1)).latencies);
  const sum = (f: (s: Sample) => number | undefined) => measured.reduce((n, s) => n + (f(s) ?? 0), 0);
  return {
    latencies: measured.flatMap((s) => s.latencies),
    ok: sum((s) => s.ok),
    inAck: measured[0]!.inAck === undefined ? undefined : sum((s) => s.inAck),
    busyPerCommandMs: busy.active / (MEASURED_BURSTS * CONCURRENT),
    oneAtATime,
  };
}

// --- Slack ----------------------------------------------------------------------------------

const slackBursts = (platform: PlatformThread, url: string) => measure((count) => platform.call({ op: 'slackBurst', url, count }));

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

const discordBursts = (platform: PlatformThread) => measure((count) => platform.call({ op: 'discordBurst', count }));

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

/** A bare discord.js client answering every interaction with `answer`: a constant, or the bot's own answer. */
async function discordFloor(answer: InteractionReplyOptions = { content: 'constant' }): Promise<Measured> {
  const platform = platformThread();
  const fake = await platform.call<{ apiUrl: string }>({ op: 'startDiscord' });
  const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: fake.apiUrl } });
  client.on(Events.InteractionCreate, (interaction) => {
    if (interaction.isChatInputCommand()) void interaction.reply(answer);
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

/**
 * The bot's `/papers today` answer as discord.js options, rendered once: five embeds, and
 * with_response, which the bot needs for the message id. A bare client sending it shows what the
 * answer's size costs the framework, apart from the bot's own work.
 */
async function botsDiscordAnswer(): Promise<InteractionReplyOptions> {
  const { store, cleanup } = await benchStore();
  try {
    const invocation = { platform: 'discord' as const, command: 'today', args: {}, user: { id: 'u1', name: 'bench' }, channel: { id: 'c1', isDirect: false }, canManageChannel: false };
    const { content, embeds } = toMessageOptions(renderDiscordReply(await dispatch(invocation, benchServices(store))));
    return { content, embeds, allowedMentions: NO_MENTIONS, withResponse: true };
  } finally {
    await cleanup();
  }
}

function compare(platform: string, what: string, bot: Measured, floor: Measured): string[] {
  const p = (samples: number[], q: number) => percentile(samples, q);
  const botP99 = p(bot.latencies, 99);
  const floorP99 = p(floor.latencies, 99);
  const singleP99 = p(bot.oneAtATime, 99);
  const total = MEASURED_BURSTS * CONCURRENT;
  const within = bot.latencies.filter((l) => l <= DEADLINE_MS).length;
  return [
    `${platform} (${what}), ${MEASURED_BURSTS} bursts of ${CONCURRENT} at once after ${WARMUP_BURSTS} warm-up bursts: ` +
      `bot p50 ${ms(p(bot.latencies, 50))}, p99 ${ms(botP99)}, max ${ms(Math.max(...bot.latencies))}; bare framework p50 ${ms(p(floor.latencies, 50))}, p99 ${ms(floorP99)}; ` +
      `answered ${bot.ok}/${total} (floor ${floor.ok}/${total})` +
      (bot.inAck === undefined ? '' : `, ${bot.inAck} with the answer in the ack (the others acked empty and answered with chat.postMessage)`),
    `${platform} bot thread busy per command in the bursts: ${ms(bot.busyPerCommandMs)} (bare framework ${ms(floor.busyPerCommandMs)}, ${ratio(bot.busyPerCommandMs / floor.busyPerCommandMs)})`,
    `${platform} burst against the targets: p99 = ${ratio(botP99 / floorP99)} the floor's p99 (≤ ${TARGET_RATIO}×: ${verdict(botP99 <= TARGET_RATIO * floorP99)}); ` +
      `${ms(botP99)} (≤ ${TARGET_MS} ms: ${verdict(botP99 <= TARGET_MS)}, the bare framework's own p99 is ${ms(floorP99)}); ` +
      `${within}/${total} within the ${DEADLINE_MS} ms deadline (p99 = ${(botP99 / DEADLINE_MS).toFixed(3)} of it)`,
    `${platform} one at a time (${ONE_AT_A_TIME} in a row): bot p50 ${ms(p(bot.oneAtATime, 50))}, p99 ${ms(singleP99)}; bare framework p50 ${ms(p(floor.oneAtATime, 50))}, p99 ${ms(p(floor.oneAtATime, 99))}; ` +
      `≤ ${TARGET_MS} ms: ${verdict(singleP99 <= TARGET_MS)}`,
  ];
}

export async function run(): Promise<string[]> {
  const lines: string[] = [];
  lines.push(...compare('Slack', 'signed HTTP request → its ack', await slackBot(), await slackFloor()));
  lines.push(...compare('Discord', 'INTERACTION_CREATE sent → interaction callback received', await discordBot(), await discordFloor()));
  const sameAnswer = await discordFloor(await botsDiscordAnswer());
  lines.push(
    `Discord bare framework sending the bot's own answer (5 embeds, with_response): p99 ${ms(percentile(sameAnswer.latencies, 99))}, ` +
      `thread busy per command ${ms(sameAnswer.busyPerCommandMs)}: what the answer's size costs discord.js and the REST round trip, before any work of the bot`,
  );
  return lines;
}
