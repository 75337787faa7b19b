import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_NONCE_TTL_MS, startFakeDiscord, type FakeDiscord, type RecordedRequest } from '../fakes/discord';
import { openTestStore } from '../helpers/stores';
import { readFixture } from '../helpers/fixtures';
import { discordAdapter } from '../../adapters/discord/index';
import { startDiscord } from '../../adapters/discord/main';
import { loadBotConfig } from '../../adapters/index';
import { hostAdapter, type HostedAdapter } from '../helpers/host';
import { nonceFor } from '../../adapters/discord/poster';
import { commands } from '../../commands/index';
import { DEFAULT_SETTINGS } from '../../src/subscriptions/settings';
import { runPapers } from '../helpers/run-cli';
import { createLogger } from '../../src/log';
import { parseListing } from '../../src/parse/index';
import { selectDigest } from '../../src/digest/select';
import { digestPaperMessage } from '../../src/digest/messages';
import { PostError } from '../../src/chat/poster';
import type { Services } from '../../src/chat/command';
import type { Paper } from '../../src/model/paper';
import type { Store } from '../../src/store/types';

/**
 * The real discord.js client against the loopback fake Discord (test/fakes/discord.ts), with the
 * real SQLite store filled from the real 2025-10-14 Daily Papers listing.
 */

const now = new Date('2025-10-14T10:00:00Z');
const MANAGE_CHANNELS = 1n << 4n;
const EVERYONE_TITLE = '@everyone look';

let fake: FakeDiscord;
let store: Store;
let cleanupStore: () => Promise<void>;
let services: Services;
let adapter: HostedAdapter | null;

function configFor(f: FakeDiscord, extra: Record<string, string> = {}) {
  return loadBotConfig({ DISCORD_TOKEN: 'fake-bot-token', DISCORD_APPLICATION_ID: f.applicationId, DISCORD_API_URL: f.apiUrl, LOG_LEVEL: 'silent', ...extra });
}

async function start(extraEnv: Record<string, string> = {}) {
  const config = configFor(fake, extraEnv);
  const log = createLogger({ level: 'silent' });
  services = { ...services, config, log };
  adapter = await hostAdapter(discordAdapter, services);
  return adapter;
}

async function until<T>(probe: () => Promise<T | null | undefined | false>, what: string): Promise<T> {
  for (let i = 0; i < 500; i++) {
    const value = await probe();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Every request that creates or edits a message, with the message body it carried. */
function messageBodies(requests: RecordedRequest[]): any[] {
  return requests.flatMap((r) => {
    if (/\/callback$/.test(r.path)) return r.body?.data && r.body.type !== 5 ? [r.body.data] : [];
    if (/\/messages(\/@original)?$/.test(r.path) && (r.method === 'POST' || r.method === 'PATCH')) return [r.body];
    if (/^\/webhooks\/\d+\/[^/]+$/.test(r.path) && r.method === 'POST') return [r.body];
    return [];
  });
}

beforeEach(async () => {
  fake = await startFakeDiscord();
  const opened = await openTestStore('sqlite');
  store = opened.store;
  cleanupStore = opened.cleanup;
  const { papers } = parseListing(readFixture('hf-api/daily_papers-2025-10-14.json'));
  await store.papers.upsert(papers, now);
  services = {
    store,
    config: configFor(fake),
    log: createLogger({ level: 'silent' }),
    now: () => now,
    sourceStatus: () => ({ lastSuccessAt: now, lastError: null, note: null }),
  };
  adapter = null;
});

afterEach(async () => {
  await adapter?.stop();
  await fake.close();
  await cleanupStore();
});

describe('Discord adapter end to end', () => {
  it('connects with only the needed intents and no privileged ones', async () => {
    await start();
    const identify = fake.identifies[0]!;
    // Guilds (1) + GuildMessageReactions (1<<10) + DirectMessages (1<<12).
    expect(identify.intents).toBe(1 | (1 << 10) | (1 << 12));
    expect(identify.token).toBe('fake-bot-token');
  });

  it('answers /papers today through the interaction callback with the day’s top papers, and a keycap bookmarks the n-th', async () => {
    await start();
    const { id, token } = fake.sendCommand('today');
    const callback = await fake.waitForRequest((r) => r.path.endsWith(`/${token}/callback`));

    expect(callback.body.type).toBe(4);
    const expected = await selectDigest(store, DEFAULT_SETTINGS, { now });
    expect(expected.ranked.length).toBeGreaterThan(1);
    const urls = callback.body.data.embeds.map((e: { url?: string }) => e.url);
    expect(urls).toEqual(expected.ranked.map((r) => r.paper.url));
    expect(callback.body.data.flags ?? 0).toBe(0);
    expect(callback.body.data.allowed_mentions).toEqual({ parse: [] });

    // The answer is recorded under its interaction (the callback does not ask for the message)…
    const channelId = fake.channelIds[0]!;
    expect(callback.query.get('with_response')).toBeNull();
    const post = await until(() => store.posts.find('discord', channelId, id), 'the answer to be recorded');
    expect(post.paperIds).toEqual(expected.ranked.map((r) => r.paper.id));

    // …so keycap 2️⃣ on the message bookmarks the second paper: the bot asks Discord once which
    // interaction the message answers, and keeps the record under the message's id too.
    const messageId = fake.interactionReply(token)!.id;
    fake.sendReaction('add', { userId: '111111111111111111', channelId, messageId, emoji: '2️⃣' });
    const saved = await until(async () => (await store.bookmarks.list('discord', '111111111111111111'))[0], 'the bookmark');
    expect(saved.paper.id).toBe(expected.ranked[1]!.paper.id);
    expect((await store.posts.find('discord', channelId, messageId))?.paperIds).toEqual(post.paperIds);
    fake.sendReaction('add', { userId: '555555555555555555', channelId, messageId, emoji: '1️⃣' });
    await until(async () => (await store.bookmarks.list('discord', '555555555555555555')).length === 1, 'the second bookmark');
    const lookups = fake.requests.filter((r) => r.method === 'GET' && r.path === `/channels/${channelId}/messages/${messageId}`);
    expect(lookups).toHaveLength(1);
  });

  it('answers an export with its file, privately, as one multipart callback', async () => {
    await start();
    const userId = '666666666666666666';
    const { ranked } = await selectDigest(store, DEFAULT_SETTINGS, { now });
    await store.bookmarks.add({ platform: 'discord', userId, paperId: ranked[0]!.paper.id, messageId: null, at: now });
    const { token } = fake.sendCommand('bookmarks', { action: 'export', format: 'bibtex' }, { userId });
    const callback = await fake.waitForRequest((r) => r.path.endsWith(`/${token}/callback`));
    expect(callback.body.type).toBe(4);
    expect(callback.body.data.flags & 64).toBe(64);
    expect(callback.files).toHaveLength(1);
    expect(callback.files[0]!.name).toMatch(/\.bib$/);
    expect(callback.files[0]!.content).toContain(ranked[0]!.paper.id);
  });

  it('asks Discord only once about a reacted message that is not an answer, and stays quiet', async () => {
    await start();
    const channelId = fake.channelIds[0]!;
    const stranger = '123456789012345678';
    const lookups = () => fake.requests.filter((r) => r.method === 'GET' && r.path === `/channels/${channelId}/messages/${stranger}`);
    const settle = () => new Promise((resolve) => setTimeout(resolve, 100));
    // Two reactions at once share one question; a later one finds the answer remembered.
    fake.sendReaction('add', { userId: '111111111111111111', channelId, messageId: stranger, emoji: '🔖' });
    fake.sendReaction('add', { userId: '222222222222222222', channelId, messageId: stranger, emoji: '1️⃣' });
    await fake.waitForRequest((r) => r.method === 'GET' && r.path === `/channels/${channelId}/messages/${stranger}`);
    await settle();
    fake.sendReaction('add', { userId: '333333333333333333', channelId, messageId: stranger, emoji: '🔖' });
    await settle();
    expect(lookups()).toHaveLength(1);
    for (const userId of ['111111111111111111', '222222222222222222', '333333333333333333']) expect(await store.bookmarks.list('discord', userId)).toEqual([]);
    expect(fake.requests.filter((r) => r.method === 'POST' && fake.dmChannels.has(r.path.split('/')[2]!))).toEqual([]);
  });

  it('bookmarks a digest paper on 🔖, also after the client restarts, and removing the reaction removes it', async () => {
    const running = await start();
    const channelId = fake.channelIds[0]!;
    const { ranked } = await selectDigest(store, DEFAULT_SETTINGS, { now });
    const paper = ranked[0]!;
    const { messageId } = (await running.poster.post(
      { platform: 'discord', workspaceId: fake.guildId, channelId },
      digestPaperMessage(paper),
      'sub@2025-10-14#1',
    ))!;
    await store.posts.record({ platform: 'discord', channelId, messageId, paperIds: [paper.paper.id], kind: 'digest', deliveryId: null, postedAt: now });

    const userId = '222222222222222222';
    fake.sendReaction('add', { userId, channelId, messageId, emoji: '🔖' });
    await until(async () => (await store.bookmarks.list('discord', userId)).length === 1, 'the bookmark');
    // The confirmation goes by DM, not into the channel.
    const dm = await fake.waitForRequest(
      (r) => r.method === 'POST' && /^\/channels\/\d+\/messages$/.test(r.path) && fake.dmChannels.has(r.path.split('/')[2]!),
    );
    expect(dm.body.allowed_mentions).toEqual({ parse: [] });

    // A new client knows nothing of the message (no cache): partials still carry the reaction through.
    await adapter!.stop();
    adapter = null;
    await start();
    fake.sendReaction('remove', { userId, channelId, messageId, emoji: '🔖' });
    await until(async () => (await store.bookmarks.list('discord', userId)).length === 0, 'the bookmark to be removed');
    fake.sendReaction('add', { userId, channelId, messageId, emoji: '🔖' });
    const again = await until(async () => (await store.bookmarks.list('discord', userId))[0], 'the bookmark after restart');
    expect(again.paper.id).toBe(paper.paper.id);
  });

  it('ignores the bot’s own reactions and stays quiet when the user’s DMs are closed', async () => {
    const running = await start();
    const channelId = fake.channelIds[0]!;
    const { ranked } = await selectDigest(store, DEFAULT_SETTINGS, { now });
    const { messageId } = (await running.poster.post({ platform: 'discord', workspaceId: fake.guildId, channelId }, digestPaperMessage(ranked[0]!), 'k1'))!;
    await store.posts.record({ platform: 'discord', channelId, messageId, paperIds: [ranked[0]!.paper.id], kind: 'digest', deliveryId: null, postedAt: now });

    fake.sendReaction('add', { userId: fake.applicationId, channelId, messageId, emoji: '🔖' });
    const closed = '333333333333333333';
    fake.closedDms.add(closed);
    fake.sendReaction('add', { userId: closed, channelId, messageId, emoji: '🔖' });
    await until(async () => (await store.bookmarks.list('discord', closed)).length === 1, 'the bookmark');
    await fake.waitForRequest((r) => r.status === 403 && fake.dmChannels.has(r.path.split('/')[2]!));
    expect(await store.bookmarks.list('discord', fake.applicationId)).toEqual([]);
    // Nothing about the refused DM went into the channel.
    expect(fake.requests.filter((r) => r.method === 'POST' && r.path === `/channels/${channelId}/messages`)).toHaveLength(1);
  });

  it('refuses subscribe from a member without Manage Channels, and accepts it from one who has it', async () => {
    await start();
    const refused = fake.sendCommand('subscribe', { time: '08:30', tz: 'Europe/Berlin' }, { permissions: 0n });
    const refusal = await fake.waitForRequest((r) => r.path.endsWith(`/${refused.token}/callback`));
    expect(refusal.body.data.flags).toBe(64); // ephemeral
    expect(refusal.body.data.content).toMatch(/manage this channel/i);
    expect(await store.subscriptions.get(`discord:${fake.channelIds[0]}`)).toBeNull();

    const allowed = fake.sendCommand('subscribe', { time: '08:30', tz: 'Europe/Berlin' }, { permissions: MANAGE_CHANNELS });
    await fake.waitForRequest((r) => r.path.endsWith(`/${allowed.token}/callback`));
    const sub = await store.subscriptions.get(`discord:${fake.channelIds[0]}`);
    expect(sub).toMatchObject({ time: '08:30', timezone: 'Europe/Berlin', workspaceId: fake.guildId });
  });

  it('pings no one for a paper titled "@everyone look": allowed_mentions is empty in every body', async () => {
    const base = (await store.papers.listedBetween('2025-10-14', '2025-10-14'))[0]!;
    const loud: Paper = {
      ...base,
      id: '2510.99999',
      arxivId: '2510.99999',
      title: EVERYONE_TITLE,
      upvotes: 10_000,
      url: 'https://huggingface.co/papers/2510.99999',
    };
    await store.papers.upsert([loud], now);
    const running = await start();

    const { token } = fake.sendCommand('today');
    const callback = await fake.waitForRequest((r) => r.path.endsWith(`/${token}/callback`));
    expect(callback.body.data.embeds[0].title).toBe('@\u200beveryone look');

    const ranked = (await selectDigest(store, DEFAULT_SETTINGS, { now })).ranked[0]!;
    expect(ranked.paper.title).toBe(EVERYONE_TITLE);
    const { messageId } = (await running.poster.post(
      { platform: 'discord', workspaceId: fake.guildId, channelId: fake.channelIds[0]! },
      digestPaperMessage(ranked),
      'loud',
    ))!;
    await store.posts.record({
      platform: 'discord',
      channelId: fake.channelIds[0]!,
      messageId,
      paperIds: [loud.id],
      kind: 'digest',
      deliveryId: null,
      postedAt: now,
    });
    fake.sendReaction('add', { userId: '444444444444444444', channelId: fake.channelIds[0]!, messageId, emoji: '🔖' });
    await fake.waitForRequest((r) => r.method === 'POST' && fake.dmChannels.has(r.path.split('/')[2]!));

    const bodies = messageBodies(fake.requests);
    expect(bodies.length).toBeGreaterThanOrEqual(3);
    for (const body of bodies) expect(body.allowed_mentions).toEqual({ parse: [] });
  });

  it('waits out a 429 with retry_after and the post lands once; a re-send with the same key is not shown twice', async () => {
    const running = await start();
    const channelId = fake.channelIds[0]!;
    const { ranked } = await selectDigest(store, DEFAULT_SETTINGS, { now });
    fake.rateLimitNext('POST', /^\/channels\/\d+\/messages$/, 0.05);

    const first = await running.poster.post({ platform: 'discord', workspaceId: fake.guildId, channelId }, digestPaperMessage(ranked[0]!), 'sub@2025-10-14#1');
    const attempts = fake.requests.filter((r) => r.path === `/channels/${channelId}/messages`);
    expect(attempts.map((r) => r.status)).toEqual([429, 200]);
    expect(attempts[1]!.body).toMatchObject({ nonce: nonceFor('sub@2025-10-14#1'), enforce_nonce: true });

    const again = await running.poster.post({ platform: 'discord', workspaceId: fake.guildId, channelId }, digestPaperMessage(ranked[0]!), 'sub@2025-10-14#1');
    expect(again?.messageId).toBe(first?.messageId);
    expect([...fake.messages.values()].filter((m) => m.channel_id === channelId)).toHaveLength(1);
  });

  it('creates the message again for a re-send after Discord forgot its nonce (a few minutes), as Discord does', async () => {
    const running = await start();
    const channelId = fake.channelIds[0]!;
    const message = digestPaperMessage((await selectDigest(store, DEFAULT_SETTINGS, { now })).ranked[0]!);
    const target = { platform: 'discord' as const, workspaceId: fake.guildId, channelId };
    const first = await running.poster.post(target, message, 'sub@2025-10-14#1');
    fake.elapse(DEFAULT_NONCE_TTL_MS - 1_000);
    expect((await running.poster.post(target, message, 'sub@2025-10-14#1'))?.messageId).toBe(first?.messageId);
    fake.elapse(1_000);
    expect((await running.poster.post(target, message, 'sub@2025-10-14#1'))?.messageId).not.toBe(first?.messageId);
    expect([...fake.messages.values()].filter((m) => m.channel_id === channelId)).toHaveLength(2);
  });

  it('reports a channel it cannot reach as a permanent PostError', async () => {
    const running = await start();
    const message = digestPaperMessage((await selectDigest(store, DEFAULT_SETTINGS, { now })).ranked[0]!);
    const unknown = running.poster.post({ platform: 'discord', workspaceId: null, channelId: '999999999999999999' }, message, 'x');
    await expect(unknown).rejects.toBeInstanceOf(PostError);
    await expect(unknown).rejects.toMatchObject({ permanent: true });
    fake.forbiddenChannels.add(fake.channelIds[0]!);
    await expect(running.poster.post({ platform: 'discord', workspaceId: null, channelId: fake.channelIds[0]! }, message, 'y')).rejects.toMatchObject({
      permanent: true,
    });
  });

  /** Starts a client whose store holds one repository's `method` until release(), so the answer is late and gets deferred. */
  async function startSlow<R extends 'papers' | 'bookmarks'>(repository: R, method: keyof Store[R]) {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const real = store[repository];
    const held = real[method] as (...args: unknown[]) => Promise<unknown>;
    const waiting = async (...args: unknown[]) => {
      await gate;
      return held(...args);
    };
    const slowStore: Store = { ...store, [repository]: { ...real, [method]: waiting } };
    const slowDiscord = {
      ...discordAdapter,
      start: (ctx: Parameters<typeof discordAdapter.start>[0]) => startDiscord(ctx, discordAdapter.settingsOf(ctx.config)!, { deferAfterMs: 20 }),
    };
    const running = await hostAdapter(slowDiscord, { ...services, store: slowStore });
    let stopped: Promise<void> | undefined;
    return {
      release,
      stop: () => {
        release();
        return (stopped ??= running.stop());
      },
    };
  }

  it('defers, then edits the reply when the answer is not ready in time', async () => {
    const slow = await startSlow('papers', 'latestListDate');
    try {
      const { token } = fake.sendCommand('today');
      const deferred = await fake.waitForRequest((r) => r.path.endsWith(`/${token}/callback`));
      expect(deferred.body.type).toBe(5);
      expect(deferred.body.data?.flags ?? 0).toBe(0);
      slow.release();
      const edit = await fake.waitForRequest((r) => r.method === 'PATCH' && r.path.endsWith(`/${token}/messages/@original`));
      expect(edit.body.embeds.length).toBeGreaterThan(0);
      expect(edit.body.allowed_mentions).toEqual({ parse: [] });
    } finally {
      await slow.stop();
    }
  });

  it('defers a slow private command privately and edits that reply, with nothing deleted', async () => {
    const slow = await startSlow('bookmarks', 'list');
    try {
      const { token } = fake.sendCommand('bookmarks');
      const deferred = await fake.waitForRequest((r) => r.path.endsWith(`/${token}/callback`));
      expect(deferred.body).toMatchObject({ type: 5, data: { flags: 64 } });
      slow.release();
      const edit = await fake.waitForRequest((r) => r.method === 'PATCH' && r.path.endsWith(`/${token}/messages/@original`));
      expect(JSON.stringify(edit.body)).toContain('You have no bookmarks yet.');
      await slow.stop();
      const tokenRequests = fake.requests.filter((r) => r.path.includes(token));
      expect(tokenRequests.map((r) => r.method)).toEqual(['POST', 'PATCH']);
    } finally {
      await slow.stop();
    }
  });

  it('a slow public command answering with a private error replaces its public placeholder by a private follow-up', async () => {
    const slow = await startSlow('papers', 'get');
    try {
      const { token } = fake.sendCommand('paper', { id: '2510.99999' });
      const deferred = await fake.waitForRequest((r) => r.path.endsWith(`/${token}/callback`));
      expect(deferred.body.data?.flags ?? 0).toBe(0);
      slow.release();
      const followUp = await fake.waitForRequest((r) => r.method === 'POST' && /^\/webhooks\/\d+\/[^/]+$/.test(r.path) && r.path.includes(token));
      expect(followUp.body.flags).toBe(64);
      expect(fake.requests.some((r) => r.method === 'DELETE' && r.path.endsWith(`/${token}/messages/@original`))).toBe(true);
    } finally {
      await slow.stop();
    }
  });
});

describe('papers register', () => {
  it('sends the whole /papers tree as a bulk overwrite, guild-scoped with --guild, and twice is harmless', async () => {
    const env = { DISCORD_TOKEN: 'fake-bot-token', DISCORD_APPLICATION_ID: fake.applicationId, DISCORD_API_URL: fake.apiUrl, LOG_LEVEL: 'silent' };
    expect((await runPapers(['register', '--guild', fake.guildId], { env })).code).toBe(0);
    const second = await runPapers(['register', '--guild', fake.guildId], { env });
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(`in guild ${fake.guildId}`);

    const puts = fake.requests.filter((r) => r.method === 'PUT');
    expect(puts.map((r) => r.path)).toEqual([
      `/applications/${fake.applicationId}/guilds/${fake.guildId}/commands`,
      `/applications/${fake.applicationId}/guilds/${fake.guildId}/commands`,
    ]);
    expect(puts[1]!.body).toEqual(puts[0]!.body);
    const [tree] = puts[0]!.body;
    expect(tree.name).toBe('papers');
    expect(tree.options.map((o: { name: string }) => o.name)).toEqual(commands.map((c) => c.name));
    for (const spec of commands) {
      const sub = tree.options.find((o: { name: string }) => o.name === spec.name);
      expect(sub.type).toBe(1);
      expect(sub.description).toBe(spec.description);
      expect((sub.options ?? []).map((o: { name: string }) => o.name)).toEqual(spec.options.map((o) => o.name));
    }
    const subscribe = tree.options.find((o: { name: string }) => o.name === 'subscribe');
    expect(subscribe.options.map((o: { name: string }) => o.name)).toEqual([
      'in',
      'time',
      'tz',
      'every',
      'day',
      'top',
      'topics',
      'min-upvotes',
      'rank',
      'arxiv',
      'threads',
      'publish',
    ]);
    expect(subscribe.options.find((o: { name: string }) => o.name === 'top')).toMatchObject({ type: 4, min_value: 1, max_value: 10 });
    // The target channel: a channel picker offering text (0), announcement (5) and forum (15) channels; the switches are booleans.
    expect(subscribe.options.find((o: { name: string }) => o.name === 'in')).toMatchObject({ type: 7, channel_types: [0, 5, 15] });
    expect(subscribe.options.find((o: { name: string }) => o.name === 'threads')).toMatchObject({ type: 5 });
    expect(subscribe.options.find((o: { name: string }) => o.name === 'every').choices.map((c: { value: string }) => c.value)).toEqual([
      'day',
      'weekday',
      'week',
    ]);
    const bookmarks = tree.options.find((o: { name: string }) => o.name === 'bookmarks');
    expect(bookmarks.options.find((o: { name: string }) => o.name === 'action').choices.map((c: { value: string }) => c.value)).toEqual([
      'list',
      'remove',
      'export',
    ]);

    expect((await runPapers(['register'], { env })).code).toBe(0);
    expect(fake.requests.at(-1)!.path).toBe(`/applications/${fake.applicationId}/commands`);
  });

  it('explains what is missing instead of failing obscurely', async () => {
    const missing = await runPapers(['register'], { env: { DISCORD_TOKEN: 'fake-bot-token', LOG_LEVEL: 'silent' } });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/needs DISCORD_TOKEN and DISCORD_APPLICATION_ID/);
    const bad = await runPapers(['register', '--guild', 'general'], {
      env: { DISCORD_TOKEN: 'fake-bot-token', DISCORD_APPLICATION_ID: fake.applicationId, DISCORD_API_URL: fake.apiUrl },
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/17 to 20 digits/);
  });
});
