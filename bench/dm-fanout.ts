/**
 * DM fan-out (issue 18): a personal digest due for each of 10,000 people, run through the real
 * delivery path (postPersonalDigests, which `papers post-daily --users` and the scheduler run) with
 * the real Discord REST poster and the real Slack poster, against the fakes enforcing the platforms'
 * limits (bench/fanout.ts), on SQLite. Each person follows one topic of the real list that matches
 * one to three of its papers, so their digest is a header and those papers, in a DM the bot has not
 * opened yet. The total time is compared with the least the limits allow:
 * - Discord: every request counts against the bot's 50 per second, the DM channel's opening
 *   (POST /users/@me/channels) included; a person's at most 4 messages fit one 5-per-5 s window.
 * - Slack: chat.postMessage allows 1 message per second per conversation, and every person's IM is
 *   one, so they go side by side: the floor is the longest digest's (messages − 1) s. The bot posts
 *   to the user's id and opens no IM (conversations.open is Tier 3, 50+ per minute, which the fake
 *   enforces: 10,000 opens would take 200 minutes). Slack also keeps a workspace-wide limit on
 *   posting ("several hundred messages per minute", docs.slack.dev/apis/web-api/rate-limits) but
 *   publishes no number for it, so the fake enforces a modelled one, in fixed one-minute windows,
 *   and the floor counts it: BENCH_SLACK_WORKSPACE_PER_MIN, 3,000 unless set (0: none). Ten times
 *   "several hundred", so that 10,000 people take 7 minutes rather than 70: the bot learns the
 *   number from the first window whatever it is (500 people at 300 a minute measure the same ratio,
 *   bench/RESULTS.md), and it binds at any number below the bot's own pace (about 75,000 a minute).
 */
import { performance } from 'node:perf_hooks';
import { currentOwner } from '../src/schedule/claims';
import { postPersonalDigests } from '../src/personal/deliver';
import { followsMatching } from '../src/follows/match';
import { MAX_FOLLOWS, type Follow } from '../src/follows/follow';
import type { DigestPoster } from '../src/chat/poster';
import type { Platform } from '../src/chat/command';
import type { Store } from '../src/store/types';
import { DISCORD, againstFloor, channelIdsFor, discordFloorMs, onDiscord, onSlack, slackFloorMs } from './fanout';
import { LIST_DATE, NOW, benchConfig, log, realPapers } from './platforms';
import { knob, verdict } from './stats';

const USERS = knob(process.env.BENCH_DM_USERS, 10_000);
/** A modelled workspace-wide posting limit for Slack, messages per minute (see above); 0, none. */
const SLACK_WORKSPACE_PER_MIN = process.env.BENCH_SLACK_WORKSPACE_PER_MIN === '0' ? undefined : knob(process.env.BENCH_SLACK_WORKSPACE_PER_MIN, 3_000);
/** `BENCH_DM_PLATFORMS=slack` (or discord) measures one platform; the default is both. The Discord run takes minutes at 10,000. */
const PLATFORMS = process.env.BENCH_DM_PLATFORMS?.split(',') ?? ['discord', 'slack'];
/** Papers per digest at most; the follows below match 1 to 3 each. */
const TOP = 3;
const MOST_MATCHED = 3;

interface Person {
  userId: string;
  follow: Follow;
  /** Messages their digest takes: the header and each matching paper. */
  messages: number;
}

/** Topics of the real list (its papers' keywords) matching 1 to MOST_MATCHED of its papers, in a fixed order. */
const topicsOfTheList = (() => {
  let topics: { follow: Follow; papers: number }[] | undefined;
  return () => (topics ??= findTopics());
})();

function findTopics(): { follow: Follow; papers: number }[] {
  const seen = new Set<string>();
  const topics: { follow: Follow; papers: number }[] = [];
  for (const keyword of realPapers.flatMap((p) => p.keywords)) {
    const key = keyword.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    const follow: Follow = { kind: 'topic', value: keyword };
    const papers = realPapers.filter((p) => followsMatching(p, [follow]).length > 0).length;
    if (papers >= 1 && papers <= MOST_MATCHED) topics.push({ follow, papers });
  }
  return topics;
}

function peopleOf(userIds: string[]): Person[] {
  const topics = topicsOfTheList();
  return userIds.map((userId, i) => {
    const { follow, papers } = topics[i % topics.length]!;
    return { userId, follow, messages: Math.min(papers, TOP) + 1 };
  });
}

/** Each person with their follow and a daily digest, as `/papers follow` and `/papers me daily` leave them. */
async function seed(store: Store, platform: Platform, workspaceId: string, people: Person[]): Promise<void> {
  for (const p of people) {
    await store.follows.add({ platform, userId: p.userId, follow: p.follow, at: NOW, max: MAX_FOLLOWS });
    const settings = { digest: 'daily' as const, weekDay: 'mon' as const, time: '09:00', timezone: 'UTC', top: TOP, alerts: false };
    await store.personal.set({ platform, userId: p.userId, workspaceId, settings, now: NOW });
  }
}

interface Outcome {
  ms: number;
  /** Time the bot's thread was busy (the fakes run on a thread of their own). */
  busyMs: number;
  inFull: number;
}

/** The day's personal digests, once, timed. */
async function fanOut(store: Store, poster: DigestPoster, people: Person[]): Promise<Outcome> {
  const elu = performance.eventLoopUtilization();
  const start = performance.now();
  const report = await postPersonalDigests({ store, posters: [poster], config: benchConfig({}), log, now: () => NOW, owner: currentOwner(), date: LIST_DATE });
  const ms = performance.now() - start;
  const busy = performance.eventLoopUtilization(elu);
  const due = new Map(people.map((p) => [p.userId, p.messages]));
  const inFull = report.users.filter((u) => u.outcome === 'posted' && u.messages === due.get(u.userId)).length;
  return { ms, busyMs: busy.active, inFull };
}

const count = (n: number) => n.toLocaleString('en');
const sum = (people: Person[]) => people.reduce((n, p) => n + p.messages, 0);
const longest = (people: Person[]) => Math.max(...people.map((p) => p.messages));

async function discordRun(users: number): Promise<string> {
  const people = peopleOf(channelIdsFor(users, 800_000_000_000_000_000n));
  return onDiscord([], async ({ store, poster, guildId, counts }) => {
    await seed(store, 'discord', guildId, people);
    const out = await fanOut(store, poster, people);
    const { rateLimited, created, dmOpened } = await counts();
    const messages = sum(people);
    // The bot knows no DM channel yet: each person's takes one request to open.
    const floor = discordFloorMs(messages + users, longest(people));
    const tooMany = rateLimited.global + rateLimited.channel;
    return (
      `Discord, ${count(users)} people, ${count(messages)} messages + ${count(users)} DM opens due: ${againstFloor(out.ms, floor)}; ` +
      `429s: ${rateLimited.global} global + ${rateLimited.channel} per-channel (the limits force none: ${verdict(tooMany === 0)}); ` +
      `${count(out.inFull)}/${count(users)} people sent their digest in full, ${count(created)} messages created, ${count(dmOpened)} DM opens; bot thread busy ${(out.busyMs / 1000).toFixed(1)} s`
    );
  });
}

async function slackRun(users: number): Promise<string> {
  const people = peopleOf(channelIdsFor(users, 1n).map((n) => `U${n.padStart(9, '0')}`));
  return onSlack(async ({ store, poster, teamId, counts }) => {
    await seed(store, 'slack', teamId, people);
    const out = await fanOut(store, poster, people);
    const { rateLimited, created, dmOpened } = await counts();
    const messages = sum(people);
    // With a workspace limit of W a minute in fixed windows, the last message's window opens (⌈messages / W⌉ − 1) minutes in.
    const floor = Math.max(slackFloorMs(longest(people)), SLACK_WORKSPACE_PER_MIN ? (Math.ceil(messages / SLACK_WORKSPACE_PER_MIN) - 1) * 60_000 : 0);
    // A limit with no published number is found by meeting it: the first window's 429s (messages
    // already in flight when it filled) find it; any other 429 was avoidable.
    const [finding = 0, ...later] = rateLimited.workspace;
    const avoidable = rateLimited.postMessage - finding + rateLimited.conversationsOpen;
    return (
      `Slack, ${count(users)} people, ${count(messages)} messages due${SLACK_WORKSPACE_PER_MIN ? `, at most ${SLACK_WORKSPACE_PER_MIN} a minute to the workspace` : ''}: ${againstFloor(out.ms, floor)}; ` +
      `429s: ${rateLimited.postMessage} chat.postMessage + ${rateLimited.conversationsOpen} conversations.open` +
      (SLACK_WORKSPACE_PER_MIN
        ? ` (${finding} in the first of ${Math.ceil(messages / SLACK_WORKSPACE_PER_MIN)} workspace windows found its limit; later windows ${later.join(', ') || 'none'})`
        : '') +
      ` (the limits force ${SLACK_WORKSPACE_PER_MIN ? 'no other' : 'none'}: ${verdict(avoidable === 0)}); ` +
      `${count(out.inFull)}/${count(users)} people sent their digest in full, ${count(created)} messages created, ${dmOpened} conversations.open calls; bot thread busy ${(out.busyMs / 1000).toFixed(1)} s`
    );
  }, SLACK_WORKSPACE_PER_MIN);
}

export async function run(): Promise<string[]> {
  const people = peopleOf(channelIdsFor(USERS, 1n));
  const papers = sum(people) - people.length;
  const lines = [
    `people: ${count(USERS)}, each following one topic of the real ${LIST_DATE} list that matches 1–${MOST_MATCHED} of its papers (${(papers / people.length).toFixed(2)} papers each on average, top ${TOP}), no bookmarks; every digest due at once, no DM opened before`,
    `floors: Discord (⌈(messages + DM opens) / ${DISCORD.globalPerSecond}⌉ − 1) s (a person's ≤ ${longest(people)} messages fit one ${DISCORD.channelMessages.limit}-per-${DISCORD.channelMessages.windowMs / 1000} s window); ` +
      `Slack (most messages to one person − 1) × 1 s, every IM in parallel, no conversations.open needed; Slack's workspace-wide posting limit has no published number ${SLACK_WORKSPACE_PER_MIN ? `and is modelled as ${SLACK_WORKSPACE_PER_MIN} messages a minute (BENCH_SLACK_WORKSPACE_PER_MIN): the floor is then at least (⌈messages / ${SLACK_WORKSPACE_PER_MIN}⌉ − 1) minutes` : 'and is not modelled (BENCH_SLACK_WORKSPACE_PER_MIN=0)'}. Fakes open a limit window at the first request after the last one closed`,
  ];
  const runs = { discord: discordRun, slack: slackRun };
  for (const platform of PLATFORMS) {
    const one = runs[platform as keyof typeof runs];
    if (!one) throw new Error(`BENCH_DM_PLATFORMS: no platform ${platform} (discord, slack)`);
    lines.push(await one(USERS));
  }
  return lines;
}
