import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PermissionFlagsBits } from 'discord.js';
import { discordAdapter } from '../../adapters/discord/index';
import { startDiscord } from '../../adapters/discord/main';
import { loadBotConfig } from '../../adapters/index';
import type { Services } from '../../src/chat/command';
import { selectDigest } from '../../src/digest/select';
import { createLogger } from '../../src/log';
import { parseListing } from '../../src/parse/index';
import { currentOwner } from '../../src/schedule/claims';
import { postDaily } from '../../src/schedule/fanout';
import type { Store } from '../../src/store/types';
import { DEFAULT_SETTINGS } from '../../src/subscriptions/settings';
import { startFakeDiscord, type FakeDiscord, type RecordedRequest } from '../fakes/discord';
import { readFixture } from '../helpers/fixtures';
import { hostAdapter, type HostedAdapter } from '../helpers/host';
import { openTestStore } from '../helpers/stores';

/**
 * Buttons, select menus, discussion threads, forum and announcement channels through the real
 * discord.js client against the loopback fake Discord, on the real 2025-10-14 listing.
 */

const now = new Date('2025-10-14T10:00:00Z');
const MANAGE_CHANNELS = 1n << 4n;
const FORUM = '645027906669510800';
const ANNOUNCEMENTS = '645027906669510900';
const QERL = '2510.11696';
const silent = createLogger({ level: 'silent' });

let fake: FakeDiscord;
let store: Store;
let cleanupStore: () => Promise<void>;
let services: Services;
let bot: HostedAdapter;
let channelId: string;

beforeEach(async () => {
  fake = await startFakeDiscord({
    announcementChannelIds: [ANNOUNCEMENTS],
    forums: [
      {
        id: FORUM,
        tags: [
          { id: '9001', name: 'Reinforcement Learning' },
          { id: '9002', name: 'robotics' },
        ],
      },
    ],
  });
  channelId = fake.channelIds[0]!;
  ({ store, cleanup: cleanupStore } = await openTestStore('sqlite'));
  await store.papers.upsert(parseListing(readFixture('hf-api/daily_papers-2025-10-14.json')).papers, now);
  const config = loadBotConfig({
    DISCORD_TOKEN: 'fake-bot-token',
    DISCORD_APPLICATION_ID: fake.applicationId,
    DISCORD_API_URL: fake.apiUrl,
    LOG_LEVEL: 'silent',
  });
  services = { store, config, log: silent, now: () => now, sourceStatus: () => ({ lastSuccessAt: now, lastError: null, note: null }) };
  bot = await hostAdapter(discordAdapter, services);
});

afterEach(async () => {
  await bot.stop();
  await fake.close();
  await cleanupStore();
});

/** The message an interaction's answer carried, once it is given (the callback, or the edit of a deferred one). */
async function answerOf(token: string): Promise<{ private: boolean; body: any; text: string }> {
  const callback = await fake.waitForRequest((r) => r.path.endsWith(`/${token}/callback`), 8000);
  const body = callback.body.type === 4 ? callback.body.data : (await fake.waitForRequest((r) => r.method === 'PATCH' && r.path.includes(token), 8000)).body;
  const ephemeral = callback.body.type === 4 ? (body.flags & 64) === 64 : (callback.body.data?.flags & 64) === 64;
  const text = [
    body.content ?? '',
    ...(body.embeds ?? []).flatMap((e: any) => [e.title ?? '', e.description ?? '', ...(e.fields ?? []).map((f: any) => f.value)]),
  ].join('\n');
  return { private: ephemeral, body, text };
}

/** `/papers <command>` as a member, and the message its public answer made. */
async function answered(command: string, options: Record<string, string | number | boolean> = {}) {
  const { token } = fake.sendCommand(command, options);
  const answer = await answerOf(token);
  return { ...answer, message: fake.interactionReply(token)! };
}

const customIds = (components: any[]): string[] => components.flatMap((row) => row.components.map((c: any) => c.custom_id));

async function click(messageId: string, customId: string, who: { userId?: string; values?: string[]; appPermissions?: string } = {}) {
  const { token } = fake.sendClick({ messageId, customId, ...who });
  return answerOf(token);
}

const bookmarksOf = async (userId: string) => (await store.bookmarks.list('discord', userId)).map((b) => b.paper.id);
const threadCreates = (): RecordedRequest[] => fake.requests.filter((r) => r.method === 'POST' && /^\/channels\/\d+\/messages\/\d+\/threads$/.test(r.path));

describe('Discord buttons', () => {
  it('draws Save, Similar, Abstract and Discuss under a paper, with custom_ids of version, action and paper only', async () => {
    const { message } = await answered('paper', { id: QERL });
    expect(customIds(message.components)).toEqual([`p1:save:${QERL}`, `p1:similar:${QERL}`, `p1:abstract:${QERL}`, `p1:discuss:${QERL}`]);
    expect(message.components[0]!.components.map((c: any) => c.label)).toEqual(['Save', 'Similar', 'Abstract', 'Discuss']);
  });

  it('Save stores the clicker’s bookmark and a second click removes it, answering privately each time', async () => {
    const { message } = await answered('paper', { id: QERL });
    const first = await click(message.id, `p1:save:${QERL}`, { userId: '111111111111111111' });
    expect(first.private).toBe(true);
    expect(first.text).toMatch(/^Saved "QeRL/);
    expect(await bookmarksOf('111111111111111111')).toEqual([QERL]);
    const second = await click(message.id, `p1:save:${QERL}`, { userId: '111111111111111111' });
    expect(second.private).toBe(true);
    expect(second.text).toMatch(/^Removed "QeRL/);
    expect(await bookmarksOf('111111111111111111')).toEqual([]);
  });

  it('Similar and Abstract answer only the clicker: the papers like it, the abstract in full with its AI summary', async () => {
    const { message } = await answered('paper', { id: QERL });
    const similar = await click(message.id, `p1:similar:${QERL}`);
    expect(similar.private).toBe(true);
    expect(similar.text).toContain('Papers like "QeRL');
    // The private list offers its own Save picker.
    expect(similar.body.components[0].components[0]).toMatchObject({ type: 3, custom_id: 'p1:save' });
    const abstract = await click(message.id, `p1:abstract:${QERL}`);
    expect(abstract.private).toBe(true);
    const paper = (await store.papers.get(QERL))!;
    expect(abstract.text).toContain(paper.summary.replace(/\s+/g, ' ').slice(-80));
    expect(abstract.body.embeds[0].fields[0]).toMatchObject({ name: 'AI summary' });
    expect(fake.requests.filter((r) => r.method === 'POST' && r.path === `/channels/${channelId}/messages`)).toEqual([]);
  });

  it('saves the entry picked from a list’s Save menu', async () => {
    const { ranked } = await selectDigest(store, { ...DEFAULT_SETTINGS, top: 10 }, { now });
    const { message } = await answered('top', { period: 'day', limit: 3 });
    const row = message.components[0]!;
    expect(row.components[0]).toMatchObject({ type: 3, custom_id: 'p1:save' });
    expect(row.components[0].options.map((o: any) => o.value)).toEqual(ranked.slice(0, 3).map((r) => r.paper.id));
    const picked = row.components[0].options[1].value;
    const answer = await click(message.id, 'p1:save', { userId: '222222222222222222', values: [picked] });
    expect(answer.text).toMatch(/^Saved/);
    expect(await bookmarksOf('222222222222222222')).toEqual([picked]);
  });

  it('/papers today, one message of several papers, offers one Save menu over them instead of buttons', async () => {
    const { message } = await answered('today');
    expect(message.components).toHaveLength(1);
    expect(message.components[0]!.components[0]).toMatchObject({ type: 3, custom_id: 'p1:save' });
  });

  it('a click forged for another user’s bookmark, or naming more than a paper, changes nothing of theirs', async () => {
    const owner = '333333333333333333';
    const forger = '444444444444444444';
    await store.bookmarks.add({ platform: 'discord', userId: owner, paperId: QERL, messageId: null, at: now });
    const { message } = await answered('paper', { id: QERL });
    // The custom_id carries no user: a "remove" names the paper only, and the clicker is the forger.
    const remove = await click(message.id, `p1:remove:${QERL}`, { userId: forger });
    expect(remove.text).toContain('is not in your bookmarks');
    const smuggled = await click(message.id, `p1:save:${QERL}:${owner}`, { userId: forger });
    expect(smuggled.text).toContain('no longer in the store');
    const save = await click(message.id, `p1:save:${QERL}`, { userId: forger });
    expect(save.text).toMatch(/^Saved/);
    expect(await bookmarksOf(owner)).toEqual([QERL]);
    expect(await bookmarksOf(forger)).toEqual([QERL]);
  });

  it('defers a slow click privately within the deadline, then edits in the answer', async () => {
    const { message } = await answered('paper', { id: QERL });
    await bot.stop();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const add: Store['bookmarks']['add'] = async (b) => {
      await gate;
      return store.bookmarks.add(b);
    };
    const slowStore: Store = { ...store, bookmarks: { ...store.bookmarks, add } };
    const slow = {
      ...discordAdapter,
      start: (ctx: Parameters<typeof discordAdapter.start>[0]) => startDiscord(ctx, discordAdapter.settingsOf(ctx.config)!, { deferAfterMs: 20 }),
    };
    bot = await hostAdapter(slow, { ...services, store: slowStore });
    const { token } = fake.sendClick({ messageId: message.id, customId: `p1:save:${QERL}` });
    const deferred = await fake.waitForRequest((r) => r.path.endsWith(`/${token}/callback`));
    expect(deferred.body).toEqual({ type: 5, data: { flags: 64 } });
    release();
    const edit = await fake.waitForRequest((r) => r.method === 'PATCH' && r.path.endsWith(`/${token}/messages/@original`));
    expect(edit.body.content).toMatch(/^Saved "QeRL/);
    expect(edit.body.allowed_mentions).toEqual({ parse: [] });
  });

  it('a button from an older version says it has expired, and where the paper is now', async () => {
    const { message } = await answered('paper', { id: QERL });
    const old = await click(message.id, `p0:bookmark:${QERL}`);
    expect(old.private).toBe(true);
    expect(old.text).toContain('older version of the bot and has expired');
    expect(old.text).toContain(`/papers paper ${QERL}`);
    expect(await bookmarksOf('53908232506183680')).toEqual([]);
  });
});

describe('Discord discussion threads', () => {
  it('Discuss twice at once opens one thread, named after the paper, whose first message is the abstract', async () => {
    const { message } = await answered('paper', { id: QERL });
    const first = fake.sendClick({ messageId: message.id, customId: `p1:discuss:${QERL}`, userId: '111111111111111111' });
    const second = fake.sendClick({ messageId: message.id, customId: `p1:discuss:${QERL}`, userId: '222222222222222222' });
    const answers = await Promise.all([answerOf(first.token), answerOf(second.token)]);
    expect(answers.every((a) => a.private)).toBe(true);
    expect(answers.map((a) => a.text).sort()).toEqual([
      expect.stringMatching(/^"QeRL.*already has its discussion thread/),
      expect.stringMatching(/^Opened a discussion thread on "QeRL/),
    ]);
    expect(threadCreates()).toHaveLength(1);
    const thread = fake.threads.get(message.id)!;
    expect(thread.name).toBe('QeRL: Beyond Efficiency -- Quantization-enhanced Reinforcement Learning for LLMs');
    const inThread = [...fake.messages.values()].filter((m) => m.channel_id === thread.id);
    expect(inThread).toHaveLength(1);
    expect((inThread[0]!.embeds[0] as { description: string }).description).toContain('huggingface.co/papers/2510.11696');
    expect(await store.threads.find('discord', channelId, message.id)).toMatchObject({ threadId: message.id, paperId: QERL });
  });

  it('tells the clicker privately which permissions the bot lacks, and opens nothing until it has them', async () => {
    const { message } = await answered('paper', { id: QERL });
    const withoutThreads = String(PermissionFlagsBits.SendMessages | PermissionFlagsBits.SendMessagesInThreads);
    const refused = await click(message.id, `p1:discuss:${QERL}`, { appPermissions: withoutThreads });
    expect(refused.private).toBe(true);
    expect(refused.text).toContain('it needs the Create Public Threads permission');
    expect(threadCreates()).toEqual([]);
    // Where Discord itself refuses the thread's first message, the clicker hears the same.
    fake.noThreadMessages.add(channelId);
    const denied = await click(message.id, `p1:discuss:${QERL}`);
    expect(denied.text).toContain('Send Messages in Threads');
    fake.noThreadMessages.clear();
    // Granted: the claim was given back, so the next click opens it (the thread Discord already has).
    const opened = await click(message.id, `p1:discuss:${QERL}`);
    expect(opened.text).toMatch(/^Opened a discussion thread/);
    expect([...fake.messages.values()].filter((m) => m.channel_id === message.id)).toHaveLength(1);
  });

  it('refuses Discuss naming a paper its message does not show', async () => {
    const { message } = await answered('paper', { id: QERL });
    const other = (await selectDigest(store, DEFAULT_SETTINGS, { now })).ranked.find((r) => r.paper.id !== QERL)!.paper.id;
    const forged = await click(message.id, `p1:discuss:${other}`);
    expect(forged.text).toContain('opens on a message of that one paper');
    expect(threadCreates()).toEqual([]);
  });
});

describe('Discord daily posts: threads, forums, announcements', () => {
  const run = (subscriptionId: string) =>
    postDaily({
      store,
      posters: [bot.poster],
      config: services.config,
      log: silent,
      now: () => now,
      owner: currentOwner(),
      subscriptionIds: [subscriptionId],
      date: '2025-10-14',
    });

  async function subscribe(options: Record<string, string | number | boolean | { channel: string; permissions: bigint }>) {
    const { token } = fake.sendCommand('subscribe', options, { permissions: MANAGE_CHANNELS });
    return answerOf(token);
  }

  it('threads on: one thread per paper of the daily post, and a second run adds none', async () => {
    await subscribe({ time: '09:00', top: 3, threads: true });
    const first = await run(`discord:${channelId}`);
    expect(first.channels[0]).toMatchObject({ outcome: 'posted', messages: 4 });
    const papers = (await store.posts.forDelivery(`discord:${channelId}@2025-10-14`)).filter((p) => p.paperIds.length === 1);
    expect(papers).toHaveLength(3);
    expect(threadCreates()).toHaveLength(3);
    for (const post of papers) {
      expect(fake.threads.get(post.messageId)?.parent_id).toBe(channelId);
      expect([...fake.messages.values()].filter((m) => m.channel_id === post.messageId)).toHaveLength(1);
    }
    const second = await run(`discord:${channelId}`);
    expect(second.channels[0]!.outcome).toBe('already-posted');
    expect(threadCreates()).toHaveLength(3);
  });

  it('a forum subscribed from another channel gets one tagged post per paper, no header, and none on a second run', async () => {
    const refused = await subscribe({ in: { channel: FORUM, permissions: 0n }, topics: 'reinforcement learning' });
    expect(refused.text).toMatch(/manage this channel/);
    const accepted = await subscribe({ in: { channel: FORUM, permissions: MANAGE_CHANNELS }, topics: 'reinforcement learning', top: 3 });
    expect(accepted.text).toContain('That channel gets the top 3 papers');
    expect(accepted.text).toContain('It is a forum');
    expect(await store.subscriptions.get(`discord:${FORUM}`)).toMatchObject({
      channelId: FORUM,
      workspaceId: fake.guildId,
      topics: ['reinforcement learning'],
    });

    const first = await run(`discord:${FORUM}`);
    expect(first.channels[0]).toMatchObject({ outcome: 'posted', messages: 3 });
    const posts = [...fake.threads.values()].filter((t) => t.parent_id === FORUM);
    expect(posts).toHaveLength(3);
    const { ranked } = await selectDigest(store, { ...DEFAULT_SETTINGS, top: 3, topics: ['reinforcement learning'] }, { now });
    expect(posts.map((p) => p.name)).toEqual(ranked.map((r) => r.paper.title.replace(/\s+/g, ' ').trim()));
    const qerl = posts.find((p) => p.name.startsWith('QeRL'))!;
    expect(qerl.applied_tags).toEqual(['9001']);
    // The post's first message is the paper, without Discuss: the post is its own thread.
    const starter = fake.messages.get(qerl.id)!;
    expect(customIds(starter.components)).toEqual([`p1:save:${QERL}`, `p1:similar:${QERL}`, `p1:abstract:${QERL}`]);
    // 🔖 on the post's first message (reported in the post's thread) bookmarks it.
    fake.sendReaction('add', { userId: '555555555555555555', channelId: qerl.id, messageId: qerl.id, emoji: '🔖' });
    await expect.poll(() => bookmarksOf('555555555555555555')).toEqual([QERL]);

    const second = await run(`discord:${FORUM}`);
    expect(second.channels[0]!.outcome).toBe('already-posted');
    expect([...fake.threads.values()].filter((t) => t.parent_id === FORUM)).toHaveLength(3);
  });

  it('a forum post sent before a crash is found again, not posted twice', async () => {
    const target = { platform: 'discord', workspaceId: fake.guildId, channelId: FORUM };
    const { ranked } = await selectDigest(store, DEFAULT_SETTINGS, { now });
    const message = (await import('../../src/digest/messages')).digestPaperMessage(ranked[0]!);
    const first = await bot.poster.post(target, message, 'k', { maybeSentBefore: false });
    const again = await bot.poster.post(target, message, 'k', { maybeSentBefore: true });
    expect(again).toEqual({ ...first, found: true });
    expect([...fake.threads.values()].filter((t) => t.parent_id === FORUM)).toHaveLength(1);
  });

  it('publish on crossposts each message of an announcement channel once; a re-send changes nothing', async () => {
    await subscribe({ in: { channel: ANNOUNCEMENTS, permissions: MANAGE_CHANNELS }, publish: true, top: 2 });
    const first = await run(`discord:${ANNOUNCEMENTS}`);
    expect(first.channels[0]).toMatchObject({ outcome: 'posted', messages: 3 });
    const crossposts = () => fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/crosspost'));
    expect(crossposts().map((r) => r.status)).toEqual([200, 200, 200]);
    const posted = [...fake.messages.values()].filter((m) => m.channel_id === ANNOUNCEMENTS);
    expect(posted.every((m) => (m.flags & 1) === 1)).toBe(true);
    expect((await run(`discord:${ANNOUNCEMENTS}`)).channels[0]!.outcome).toBe('already-posted');
    expect(crossposts()).toHaveLength(3);
    // A re-send after a crash (same key): the nonce returns the message, Discord refuses a second crosspost, nothing fails.
    const header = (await store.posts.forDelivery(`discord:${ANNOUNCEMENTS}@2025-10-14`))[0]!;
    const resent = await bot.poster.post(
      { platform: 'discord', workspaceId: fake.guildId, channelId: ANNOUNCEMENTS, publish: true },
      { blocks: [{ kind: 'text', text: 'x' }], visibility: 'public', fallback: 'x' },
      `discord:${ANNOUNCEMENTS}@2025-10-14:header`,
    );
    expect(resent?.messageId).toBe(header.messageId);
    expect(crossposts().map((r) => r.status)).toEqual([200, 200, 200, 400]);
  });
});
