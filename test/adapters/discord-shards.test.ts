import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openStore } from '../../src/store/open';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord';
import { freePort } from '../helpers/net';
import { spawnPapers, type SpawnedPapers } from '../helpers/run-cli';

/**
 * DISCORD_SHARDS=A-B/N across machines: two `papers start` processes, shards 0-1 and 2-3 of 4, on
 * the fake gateway, which gives each connection its shard's guilds ((guild_id >> 22) % 4) and only
 * their events. Every guild's reactions are handled once, by the process that holds its shard,
 * and a restarted process takes its shards back.
 */

/** Eight guilds, two on each of the four shards. */
const GUILDS = Array.from({ length: 8 }, (_, i) => {
  const id = ((1_000_000n + BigInt(i)) << 22n).toString();
  return { id, channelId: (BigInt(id) + 1n).toString(), shard: (1_000_000 + i) % 4 };
});
const PAPER = '2510.11696';

let fake: FakeDiscord;
let dir: string;
const running: SpawnedPapers[] = [];

beforeEach(async () => {
  fake = await startFakeDiscord({ extraGuilds: GUILDS, maxConcurrency: 16 });
  dir = mkdtempSync(path.join(tmpdir(), 'papers-shards-'));
});

afterEach(async () => {
  for (const { child } of running.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

async function startProcess(shards: string): Promise<SpawnedPapers> {
  const bot = spawnPapers(['start', '--no-scheduler'], {
    HF_BASE_URL: 'http://127.0.0.1:9',
    DATABASE_URL: `sqlite:${path.join(dir, 'papers.db')}`,
    PORT: String(await freePort()),
    HOST: '127.0.0.1',
    DISCORD_TOKEN: 'fake-bot-token',
    DISCORD_APPLICATION_ID: fake.applicationId,
    DISCORD_API_URL: fake.apiUrl,
    DISCORD_SHARDS: shards,
  });
  running.push(bot);
  await bot.ready;
  return bot;
}

async function stop(bot: SpawnedPapers): Promise<void> {
  bot.child.kill('SIGTERM');
  await bot.exited;
}

/** A 🔖 on each guild's digest message by a user of its own; resolves with the DM confirmations each user got. */
async function reactEverywhere(round: number): Promise<Map<string, number>> {
  const users = GUILDS.map((g, i) => ({ guild: g, userId: String(900_000_000_000_000_000n + BigInt(round * 100 + i)) }));
  const from = fake.requests.length;
  for (const { guild, userId } of users) {
    fake.sendReaction('add', { userId, channelId: guild.channelId, messageId: `${guild.channelId}0`, emoji: '🔖', guildId: guild.id });
  }
  // Every user's confirmation, then a moment for any second one to arrive.
  const confirmations = () => fake.requests.slice(from).filter((r) => r.method === 'POST' && fake.dmChannels.has(r.path.split('/')[2]!));
  const deadline = Date.now() + 10_000;
  while (confirmations().length < users.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 300));
  const byUser = new Map(users.map((u) => [u.userId, 0]));
  for (const r of confirmations()) {
    const user = fake.dmChannels.get(r.path.split('/')[2]!)!;
    byUser.set(user, (byUser.get(user) ?? 0) + 1);
  }
  return byUser;
}

it('two processes with shards 0-1/4 and 2-3/4 handle every guild’s reactions once, and a restarted one resumes its shards', async () => {
  const store = await openStore(`sqlite:${path.join(dir, 'papers.db')}`);
  for (const g of GUILDS) {
    await store.posts.record({
      platform: 'discord',
      channelId: g.channelId,
      messageId: `${g.channelId}0`,
      paperIds: [PAPER],
      kind: 'digest',
      deliveryId: null,
      postedAt: new Date(),
    });
  }
  await store.close();

  const first = await startProcess('0-1/4');
  await startProcess('2-3/4');
  expect(fake.shards().sort()).toEqual([
    [0, 4],
    [1, 4],
    [2, 4],
    [3, 4],
  ]);
  expect([...(await reactEverywhere(1)).values()]).toEqual(GUILDS.map(() => 1));

  // The first process restarts: its shards' guilds are served again once it is back.
  await stop(first);
  expect(fake.shards().sort()).toEqual([
    [2, 4],
    [3, 4],
  ]);
  await startProcess('0-1/4');
  expect(fake.shards().sort()).toEqual([
    [0, 4],
    [1, 4],
    [2, 4],
    [3, 4],
  ]);
  expect([...(await reactEverywhere(2)).values()]).toEqual(GUILDS.map(() => 1));

  const check = await openStore(`sqlite:${path.join(dir, 'papers.db')}`, { migrate: false });
  for (const round of [1, 2]) {
    for (const [i] of GUILDS.entries()) {
      const userId = String(900_000_000_000_000_000n + BigInt(round * 100 + i));
      expect((await check.bookmarks.list('discord', userId)).map((b) => b.paper.id)).toEqual([PAPER]);
    }
  }
  await check.close();
});
