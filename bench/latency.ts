/**
 * Command latency: 200 concurrent `/papers today` through the real Slack adapter (signed HTTP
 * requests, until the ack's response) and the real Discord adapter (INTERACTION_CREATE on the fake
 * gateway, until the interaction callback reaches the fake), next to the same load on a bare Bolt
 * app and a bare discord.js client that answer a constant: the frameworks' own floor. Everything
 * (fakes, bot, load) shares this one process, for the floor as for the bot.
 * The bench, like the adapters, imports the platform libraries: the floor is those libraries alone.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { App } from '@slack/bolt';
import { Client, Events, GatewayIntentBits } from 'discord.js';
import { readFixture } from '../test/helpers/fixtures';
import { sendToBot, startFakeSlack } from '../test/fakes/slack';
import { startFakeDiscord, type FakeDiscord } from '../test/fakes/discord';
import { SIGNING_SECRET, benchStore, startBenchDiscord, startBenchSlack } from './platforms';
import { knob, ms, percentile, ratio, verdict } from './stats';

const CONCURRENT = knob(process.env.BENCH_LATENCY_REQUESTS, 200);
const WARMUP = 20;
const DEADLINE_MS = 3000;
const TARGET_MS = 50;
const TARGET_RATIO = 1.5;

/** The real slash-command body from Slack's docs; command, text and response_url are set per request. */
const slashCommand = Object.fromEntries(new URLSearchParams(readFixture('platform/slack-slash-command.txt')));

interface Sample {
  latencies: number[];
  /** Requests answered (Slack: acked with 200; Discord: called back). */
  ok: number;
  /** Slack: acks that carried the answer; the others were acked empty and answered via response_url. */
  inAck?: number;
}

// --- Slack ----------------------------------------------------------------------------------

/** `count` signed `/papers today` requests at once; each timed from send to the complete ack response. */
async function slackBurst(url: string, responseUrl: (id: string) => string, count: number): Promise<Sample> {
  const results = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const form = { ...slashCommand, command: '/papers', text: 'today', trigger_id: `bench-${i}`, response_url: responseUrl(`bench-${i}`) };
      const start = performance.now();
      const res = await sendToBot(url, SIGNING_SECRET, { form });
      return { ms: performance.now() - start, ok: res.status === 200, inAck: res.status === 200 && res.text.length > 0 };
    }),
  );
  return { latencies: results.map((r) => r.ms), ok: results.filter((r) => r.ok).length, inAck: results.filter((r) => r.inAck).length };
}

async function slackBot(): Promise<Sample> {
  const fake = await startFakeSlack();
  const { store, cleanup } = await benchStore();
  const slack = await startBenchSlack(store, fake.apiUrl);
  try {
    const url = `http://127.0.0.1:${slack.address!.port}/slack/events`;
    await slackBurst(url, fake.responseUrl, WARMUP);
    return await slackBurst(url, fake.responseUrl, CONCURRENT);
  } finally {
    await slack.stop();
    await fake.close();
    await cleanup();
  }
}

async function slackFloor(): Promise<Sample> {
  const fake = await startFakeSlack();
  const app = new App({ token: 'xoxb-bare', signingSecret: SIGNING_SECRET, clientOptions: { slackApiUrl: fake.apiUrl } });
  app.command('/papers', async ({ ack }) => ack({ response_type: 'in_channel', text: 'constant' }));
  const server = (await app.start({ port: 0, host: '127.0.0.1' })) as Server;
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
    await slackBurst(url, fake.responseUrl, WARMUP);
    return await slackBurst(url, fake.responseUrl, CONCURRENT);
  } finally {
    await app.stop();
    await fake.close();
  }
}

// --- Discord --------------------------------------------------------------------------------

/** `count` interactions sent at once on the gateway; each timed until its callback arrives at the fake. */
async function discordBurst(fake: FakeDiscord, count: number): Promise<Sample> {
  const sent = Array.from({ length: count }, () => {
    const at = performance.now();
    const { id, token } = fake.sendCommand('today');
    return { path: `/interactions/${id}/${token}/callback`, at };
  });
  const deadline = performance.now() + 30_000;
  const latencies: number[] = [];
  for (const s of sent) {
    for (;;) {
      const callback = fake.requests.find((r) => r.path === s.path && r.status !== 0);
      if (callback) {
        latencies.push(callback.receivedAt - s.at);
        break;
      }
      if (performance.now() > deadline) break;
      await sleep(5);
    }
  }
  return { latencies, ok: latencies.length };
}

async function discordBot(): Promise<Sample> {
  const fake = await startFakeDiscord();
  const { store, cleanup } = await benchStore();
  const adapter = await startBenchDiscord(store, fake);
  try {
    await discordBurst(fake, WARMUP);
    return await discordBurst(fake, CONCURRENT);
  } finally {
    await adapter.stop();
    await fake.close();
    await cleanup();
  }
}

async function discordFloor(): Promise<Sample> {
  const fake = await startFakeDiscord();
  const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: fake.apiUrl } });
  client.on(Events.InteractionCreate, (interaction) => {
    if (interaction.isChatInputCommand()) void interaction.reply({ content: 'constant' });
  });
  const ready = new Promise((resolve) => client.once(Events.ClientReady, resolve));
  await client.login('bare-bot-token');
  await ready;
  try {
    await discordBurst(fake, WARMUP);
    return await discordBurst(fake, CONCURRENT);
  } finally {
    await client.destroy();
    await fake.close();
  }
}

function compare(platform: string, what: string, bot: Sample, floor: Sample): string[] {
  const p = (s: Sample, q: number) => percentile(s.latencies, q);
  const botP99 = p(bot, 99);
  const floorP99 = p(floor, 99);
  const within = bot.latencies.filter((l) => l <= DEADLINE_MS).length;
  const ok = botP99 <= TARGET_RATIO * floorP99 && botP99 <= TARGET_MS;
  return [
    `${platform} (${what}), ${CONCURRENT} at once: bot p50 ${ms(p(bot, 50))}, p99 ${ms(botP99)}, max ${ms(Math.max(...bot.latencies))}; ` +
      `bare framework p50 ${ms(p(floor, 50))}, p99 ${ms(floorP99)}; answered ${bot.ok}/${CONCURRENT} (floor ${floor.ok}/${CONCURRENT})` +
      (bot.inAck === undefined ? '' : `, ${bot.inAck} of them with the answer in the ack (the rest acked empty, answered via response_url)`),
    `${platform} against the targets: p99 = ${ratio(botP99 / floorP99)} the floor's p99 (≤ ${TARGET_RATIO}×) and ${ms(botP99)} (≤ ${TARGET_MS} ms): ${verdict(ok)}; ` +
      `${within}/${CONCURRENT} within the ${DEADLINE_MS} ms deadline (p99 = ${(botP99 / DEADLINE_MS).toFixed(3)} of it)`,
  ];
}

export async function run(): Promise<string[]> {
  const lines: string[] = [];
  lines.push(...compare('Slack', 'signed HTTP request → ack response carrying the answer', await slackBot(), await slackFloor()));
  lines.push(...compare('Discord', 'INTERACTION_CREATE sent → interaction callback received', await discordBot(), await discordFloor()));
  return lines;
}
