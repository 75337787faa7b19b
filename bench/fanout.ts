/**
 * Fan-out: the daily post (header + 5 papers) to many channels through the real scheduler fan-out
 * (postDaily) and the real adapters' posters, against fakes that enforce the platforms' limits:
 * Discord 50 requests/s for the bot and 5 messages per 5 s per channel, Slack 1 message per second
 * per channel. Each total time is compared with the least those limits allow.
 * The fakes run on a thread of their own (platform-thread.ts), as the platforms run on machines of
 * their own: on the bot's thread their parsing would be billed to the bot, and they would see
 * requests arrive late, when the bot's thread is free, which shifts their limit windows.
 * The limits, the floors, the fakes' startup (onDiscord, onSlack) and the printed comparison serve
 * the proxy and DM fan-outs too (proxy-fanout.ts, dm-fanout.ts).
 */
import { performance } from 'node:perf_hooks';
import type { HostedAdapter } from '../test/helpers/host';
import type { DigestPoster } from '../src/chat/poster';
import { currentOwner } from '../src/schedule/claims';
import { postDaily } from '../src/schedule/fanout';
import type { Store } from '../src/store/types';
import { platformThread } from './platform-client';
import type { Counts, SlackRateLimited } from './platform-thread';
import type { FakeDiscord } from '../test/fakes/discord';
import { LIST_DATE, NOW, benchConfig, benchStore, log, startBenchDiscord, startBenchSlack } from './platforms';
import { knob, ratio, verdict } from './stats';
import { DEFAULT_SETTINGS } from '../src/subscriptions/settings';

const CHANNELS = knob(process.env.BENCH_FANOUT_CHANNELS, 500);
/** The fan-out's channels in flight: the most FANOUT_CONCURRENCY allows, which the limits need (see RESULTS.md). */
const CONCURRENCY = knob(process.env.BENCH_FANOUT_CONCURRENCY, 256);
/** A smaller run at the default FANOUT_CONCURRENCY, to show what an untuned install gets. */
const DEFAULT_RUN_CHANNELS = knob(process.env.BENCH_FANOUT_DEFAULT_CHANNELS, 40);
export const TOP = 5;
export const PER_CHANNEL = TOP + 1;
export const TARGET_RATIO = 1.1;

export const DISCORD = { globalPerSecond: 50, channelMessages: { limit: 5, windowMs: 5000 } };
export const SLACK_INTERVAL_MS = 1000;
/** The fake Slack's limits: chat.postMessage's 1 per second per channel; conversations.open is Tier 3, 50+ per minute. */
const SLACK = { postMessageIntervalMs: SLACK_INTERVAL_MS, conversationsOpenPerMinute: 50 };

/**
 * The least time Discord's limits allow for `requests` requests, at most `perChannel` of them
 * messages to one channel, with fixed windows: the last request's window opens then.
 */
export function discordFloorMs(requests: number, perChannel: number): number {
  const global = (Math.ceil(requests / DISCORD.globalPerSecond) - 1) * 1000;
  const perChannelMs = (Math.ceil(perChannel / DISCORD.channelMessages.limit) - 1) * DISCORD.channelMessages.windowMs;
  return Math.max(global, perChannelMs);
}
/** Channels post in parallel; within one, the n-th message can go (n - 1) s after the first. */
export const slackFloorMs = (perChannel: number) => (perChannel - 1) * SLACK_INTERVAL_MS;

/** "64.4 s = 1.09× the 59 s floor (target ≤ 1.1×: met)" */
export function againstFloor(ms: number, floorMs: number): string {
  const r = ms / floorMs;
  return `${(ms / 1000).toFixed(1)} s = ${ratio(r)} the ${(floorMs / 1000).toFixed(0)} s floor (target ≤ ${TARGET_RATIO}×: ${verdict(r <= TARGET_RATIO)})`;
}

export interface DiscordSide {
  store: Store;
  poster: DigestPoster;
  guildId: string;
  counts(): Promise<Counts<FakeDiscord['rateLimited']>>;
}

/**
 * A bench run against the fake Discord enforcing the limits, on its thread: the real adapter on a
 * fresh SQLite store holding the real list. Everything is stopped after `run`.
 */
export async function onDiscord<T>(channelIds: string[], run: (side: DiscordSide) => Promise<T>): Promise<T> {
  const platform = platformThread();
  const fake = await platform.call<{ apiUrl: string; applicationId: string; guildId: string }>({
    op: 'startDiscord',
    options: { channelIds, rateLimits: DISCORD },
  });
  const { store, cleanup } = await benchStore();
  let adapter: HostedAdapter | null = null;
  try {
    adapter = await startBenchDiscord(store, fake);
    return await run({ store, poster: adapter.poster, guildId: fake.guildId, counts: () => platform.call({ op: 'discordCounts' }) });
  } finally {
    await adapter?.stop();
    await platform.close();
    await cleanup();
  }
}

export interface SlackSide {
  store: Store;
  poster: DigestPoster;
  teamId: string;
  counts(): Promise<Counts<SlackRateLimited>>;
}

/** As onDiscord, against the fake Slack: chat.postMessage paced per channel, conversations.open at its tier. */
/** `workspacePerMinute`: also limit the messages to the workspace, as Slack does without publishing a number. */
export async function onSlack<T>(run: (side: SlackSide) => Promise<T>, workspacePerMinute?: number): Promise<T> {
  const platform = platformThread();
  const rateLimits = workspacePerMinute ? { ...SLACK, workspaceMessages: { limit: workspacePerMinute, windowMs: 60_000 } } : SLACK;
  const fake = await platform.call<{ apiUrl: string; teamId: string }>({ op: 'startSlack', options: { rateLimits } });
  const { store, cleanup } = await benchStore();
  let adapter: HostedAdapter | null = null;
  try {
    adapter = await startBenchSlack(store, fake.apiUrl);
    return await run({ store, poster: adapter.poster, teamId: fake.teamId, counts: () => platform.call({ op: 'slackCounts' }) });
  } finally {
    await adapter?.stop();
    await platform.close();
    await cleanup();
  }
}

interface Outcome {
  ms: number;
  posted: number;
  failed: number;
}

/** Subscribes the channels, then runs the day's fan-out once and times it. */
async function fanOut(
  store: Store,
  platform: 'discord' | 'slack',
  workspaceId: string,
  channelIds: string[],
  poster: DigestPoster,
  concurrency: number,
): Promise<Outcome> {
  for (const channelId of channelIds) {
    await store.subscriptions.upsert({ platform, workspaceId, channelId, ...DEFAULT_SETTINGS, top: TOP, origin: 'command', createdBy: 'bench' });
  }
  const config = benchConfig({}, { concurrency });
  const start = performance.now();
  const report = await postDaily({ store, posters: [poster], config, log, now: () => NOW, owner: currentOwner(), date: LIST_DATE });
  const ms = performance.now() - start;
  const posted = report.channels.filter((c) => c.outcome === 'posted' && c.messages === PER_CHANNEL).length;
  return { ms, posted, failed: report.channels.length - posted };
}

export const channelIdsFor = (n: number, base: bigint) => Array.from({ length: n }, (_, i) => String(base + BigInt(i)));

async function discordRun(channels: number, concurrency: number): Promise<string> {
  const channelIds = channelIdsFor(channels, 700_000_000_000_000_000n);
  return onDiscord(channelIds, async ({ store, poster, guildId, counts }) => {
    const out = await fanOut(store, 'discord', guildId, channelIds, poster, concurrency);
    const { rateLimited, created } = await counts();
    const tooMany = rateLimited.global + rateLimited.channel;
    return (
      `Discord, ${channels} channels × ${PER_CHANNEL} messages, FANOUT_CONCURRENCY=${concurrency}: ${againstFloor(out.ms, discordFloorMs(channels * PER_CHANNEL, PER_CHANNEL))}; ` +
      `429s: ${rateLimited.global} global + ${rateLimited.channel} per-channel (the limits force none: ${verdict(tooMany === 0)}); ` +
      `${out.posted}/${channels} channels posted in full, ${created} messages created`
    );
  });
}

async function slackRun(channels: number, concurrency: number): Promise<string> {
  const channelIds = channelIdsFor(channels, 1n).map((n) => `C${n.padStart(9, '0')}`);
  return onSlack(async ({ store, poster, teamId, counts }) => {
    const out = await fanOut(store, 'slack', teamId, channelIds, poster, concurrency);
    const { rateLimited, created } = await counts();
    return (
      `Slack, ${channels} channels × ${PER_CHANNEL} messages, FANOUT_CONCURRENCY=${concurrency}: ${againstFloor(out.ms, slackFloorMs(PER_CHANNEL))}; ` +
      `429s: ${rateLimited.postMessage} (the limits force none: ${verdict(rateLimited.postMessage === 0)}); ` +
      `${out.posted}/${channels} channels posted in full, ${created} messages created`
    );
  });
}

/** `BENCH_FANOUT_PLATFORMS=slack` (or discord) measures one platform; the default is both. */
const PLATFORMS = process.env.BENCH_FANOUT_PLATFORMS?.split(',') ?? ['discord', 'slack'];

export async function run(): Promise<string[]> {
  const defaultConcurrency = benchConfig({}).schedule.concurrency;
  const runs = { discord: discordRun, slack: slackRun };
  const lines = [
    `floors: Discord max((⌈messages / 50⌉ − 1) s, (⌈${PER_CHANNEL} / 5⌉ − 1) × 5 s); Slack (${PER_CHANNEL} − 1) × 1 s, every channel in parallel. Fakes open a limit window at the first request after the last one closed`,
  ];
  for (const [channels, concurrency] of [
    [CHANNELS, CONCURRENCY],
    [DEFAULT_RUN_CHANNELS, defaultConcurrency],
  ] as const) {
    for (const platform of PLATFORMS) {
      const one = runs[platform as keyof typeof runs];
      if (!one) throw new Error(`BENCH_FANOUT_PLATFORMS: no platform ${platform} (discord, slack)`);
      lines.push(await one(channels, concurrency));
    }
  }
  return lines;
}
