import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../src/subscriptions/settings';
import { currentOwner } from '../../src/schedule/claims';
import { postDaily } from '../../src/schedule/fanout';
import { selectDigest } from '../../src/digest/select';
import { createLogger } from '../../src/log';
import { loadBotConfig } from '../../adapters/index';
import type { Store } from '../../src/store/types';
import { bundledPapers, NOW } from '../commands/services';
import { openTestStore } from '../helpers/stores';
import { DRIVERS, type ContractDriver } from './drivers';
import { CannotMessageUser } from '../../src/chat/poster';
import { digestPaperMessage } from '../../src/digest/messages';
import { postPersonalDigests } from '../../src/personal/deliver';
import { sendAlerts } from '../../src/personal/alerts';

/**
 * The adapter contract: what every platform must do, run against each adapter through its real
 * library (discord.js, Bolt) on the loopback fakes, and the console through its terminal. A new
 * platform joins by adding its driver to DRIVERS.
 */

const silent = createLogger({ level: 'silent' });
/** What `papers post-daily` runs with by default. */
const config = loadBotConfig({}, '/nonexistent');

describe.each(DRIVERS)('$name adapter contract', (factory) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let d: ContractDriver;
  const bookmarked = async (person: 'admin' | 'member') => (await store.bookmarks.list(d.platform, d.userId(person))).map((b) => b.paper.id);

  beforeEach(async () => {
    ({ store, cleanup } = await openTestStore('sqlite'));
    await store.papers.upsert(bundledPapers(), NOW);
    d = await factory.start(store, NOW);
  });
  afterEach(async () => {
    await d.stop();
    await cleanup();
  });

  it("answers /papers today publicly with the day's top papers, in order", async () => {
    const { ranked } = await selectDigest(store, DEFAULT_SETTINGS, { now: NOW });
    const seen = await d.command('today', 'member');
    expect(seen.visibility).toBe('public');
    expect(seen.text).toContain('Daily Papers of Tue, Oct 14, 2025');
    expect(seen.messages.flatMap((m) => m.paperIds)).toEqual(ranked.map((r) => r.paper.id));
  });

  it('bookmarks a paper on 🔖 for the one who reacted, and un-bookmarks it when the reaction is taken back', async () => {
    const [message] = (await d.command('paper 2510.11696', 'member')).messages;
    expect(message!.paperIds).toEqual(['2510.11696']);
    expect(await d.react(message!.id, '🔖', 'member')).toContain('Bookmarked "QeRL');
    expect(await bookmarked('member')).toEqual(['2510.11696']);
    expect(await bookmarked('admin')).toEqual([]);
    expect(await d.react(message!.id, '🔖', 'member', { remove: true })).toContain('Removed "QeRL');
    expect(await bookmarked('member')).toEqual([]);
  });

  it('bookmarks the n-th paper of a list for keycap n', async () => {
    const list = (await d.command('top day limit 3', 'member')).messages.find((m) => m.paperIds.length === 3)!;
    expect(await d.react(list.id, '2️⃣', 'admin')).toContain('Bookmarked');
    expect(await bookmarked('admin')).toEqual([list.paperIds[1]]);
  });

  it('Save on a paper stores the clicker’s bookmark, answers privately, and a second click takes it out', async () => {
    const [message] = (await d.command('paper 2510.11696', 'member')).messages;
    const saved = await d.click(message!.id, 'save', 'member');
    expect(saved.visibility).toBe('private');
    expect(saved.text).toContain('Saved "QeRL');
    expect(await bookmarked('member')).toEqual(['2510.11696']);
    expect(await bookmarked('admin')).toEqual([]);
    const removed = await d.click(message!.id, 'save', 'member');
    expect(removed.visibility).toBe('private');
    expect(removed.text).toContain('Removed "QeRL');
    expect(await bookmarked('member')).toEqual([]);
  });

  it('a list’s Save control saves the entry picked', async () => {
    const list = (await d.command('top day limit 3', 'member')).messages.find((m) => m.paperIds.length === 3)!;
    expect((await d.click(list.id, 'save', 'admin', { entry: 3 })).text).toContain('Saved');
    expect(await bookmarked('admin')).toEqual([list.paperIds[2]]);
  });

  it('Discuss twice at once opens one thread on the message, and says so privately to both', async () => {
    const [message] = (await d.command('paper 2510.11696', 'member')).messages;
    const answers = await Promise.all([d.click(message!.id, 'discuss', 'member'), d.click(message!.id, 'discuss', 'admin')]);
    expect(answers.map((a) => a.visibility)).toEqual(['private', 'private']);
    expect(answers.filter((a) => a.text.includes('Opened a discussion thread on "QeRL'))).toHaveLength(1);
    expect(answers.filter((a) => a.text.includes('already has its discussion thread'))).toHaveLength(1);
    expect(await d.threadsOn(message!.id)).toBe(1);
    expect(await store.threads.find(d.platform, d.channelId, message!.id)).toMatchObject({ paperId: '2510.11696', threadId: expect.any(String) });
  });

  it('answers a bad command privately, saying what is wrong', async () => {
    const seen = await d.command('paper not-an-id', 'member');
    expect(seen.visibility).toBe('private');
    expect(seen.text).toContain('is not an arXiv id or paper link');
    expect(seen.messages).toEqual([]);
  });

  it('refuses subscribe, privately, to someone who may not manage the channel', async () => {
    const seen = await d.command('subscribe time 08:00', 'member');
    expect(seen.visibility).toBe('private');
    expect(seen.text).toMatch(/manage this channel/);
    expect(await store.subscriptions.list()).toEqual([]);
  });

  it('posts the daily digest into a subscribed channel once: a second run posts nothing', async () => {
    const subscribed = await d.command('subscribe time 09:00 tz UTC top 3', 'admin');
    expect(subscribed.visibility).toBe('public');
    const [subscription] = await store.subscriptions.list();
    expect(subscription).toMatchObject({ platform: d.platform, channelId: d.channelId, top: 3 });

    const run = () =>
      postDaily({
        store,
        posters: [d.poster],
        config,
        log: silent,
        now: () => NOW,
        owner: currentOwner(),
        subscriptionIds: [subscription!.id],
        date: '2025-10-16',
      });
    // The header and three papers.
    const first = await d.postedDuring(run);
    expect(first.posted).toBe(4);
    expect(first.result.channels[0]).toMatchObject({ outcome: 'posted', messages: 4 });
    const second = await d.postedDuring(run);
    expect(second.posted).toBe(0);
    expect(second.result.channels[0]!.outcome).toBe('already-posted');
  });

  it('GET /metrics counts the commands answered, by subcommand, and the digest messages posted', async () => {
    await d.command('today', 'member');
    await d.command('paper not-an-id', 'member');
    await d.command('subscribe time 09:00 tz UTC top 2', 'admin');
    const [subscription] = await store.subscriptions.list();
    await d.postedDuring(() =>
      postDaily({
        store,
        posters: [d.poster],
        config,
        log: silent,
        now: () => NOW,
        owner: currentOwner(),
        subscriptionIds: [subscription!.id],
        date: '2025-10-16',
      }),
    );
    const scraped = await d.scrape();
    const series = (name: string, labels: string) => Number(new RegExp(`^${name}\\{${labels}\\} (\\S+)$`, 'm').exec(scraped)?.[1] ?? Number.NaN);
    expect(series('papers_commands_total', `platform="${d.platform}",command="today",outcome="answered"`)).toBe(1);
    expect(series('papers_commands_total', `platform="${d.platform}",command="paper",outcome="answered"`)).toBe(1);
    expect(series('papers_commands_total', `platform="${d.platform}",command="subscribe",outcome="answered"`)).toBe(1);
    expect(series('papers_command_seconds_count', `platform="${d.platform}",command="today"`)).toBe(1);
    // The header and two papers.
    expect(series('papers_messages_posted_total', `platform="${d.platform}"`)).toBe(3);
  });

  it('sends a direct message to the one user, once per idempotency key however often it is re-sent', async () => {
    const paper = bundledPapers().find((p) => p.id === '2510.11696')!;
    const message = digestPaperMessage({ rank: 1, paper, score: 1, reason: 'follows: quantization' });
    const target = await d.poster.openDirect({ workspaceId: d.workspaceId, userId: d.userId('member') });
    expect(target).toMatchObject({ platform: d.platform, userId: d.userId('member') });
    await d.poster.post(target, message, 'contract-dm:2510.11696', { maybeSentBefore: false });
    // A resumed delivery re-sends what it may have sent: the platform shows it once.
    await d.poster.post(await d.poster.openDirect({ workspaceId: d.workspaceId, userId: d.userId('member') }), message, 'contract-dm:2510.11696');
    const seen = await d.directMessages('member');
    expect(seen).toHaveLength(1);
    expect(seen[0]).toContain('QeRL');
    expect(seen[0]).toContain('follows: quantization');
    expect(await d.directMessages('admin')).toEqual([]);
  });
});

describe.each(DRIVERS)('$name adapter contract: personal digests', (factory) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let d: ContractDriver;
  beforeEach(async () => {
    ({ store, cleanup } = await openTestStore('sqlite'));
    await store.papers.upsert(bundledPapers(), NOW);
    d = await factory.start(store, NOW);
  });
  afterEach(async () => {
    await d.stop();
    await cleanup();
  });
  const run = () => postPersonalDigests({ store, posters: [d.poster], config, log: silent, now: () => NOW, owner: currentOwner(), date: '2025-10-16' });

  it('follows and a daily digest set by command arrive by direct message: the matching papers, each with its reason, once', async () => {
    for (const text of ['follow NVFP4 quantization', 'follow author Chenyan Xiong']) expect((await d.command(text, 'member')).visibility).toBe('private');
    const set = await d.command('me daily time 09:00 tz UTC top 5', 'member');
    expect(set.visibility).toBe('private');
    expect(set.text).toContain('every day at 09:00 UTC');
    const first = await run();
    expect(first.users).toEqual([expect.objectContaining({ userId: d.userId('member'), outcome: 'posted', messages: 3 })]);
    const seen = await d.directMessages('member');
    expect(seen).toHaveLength(3);
    expect(seen[0]).toContain('Your papers of 2025-10-14: 2 papers matching what you follow');
    const byPaper = (title: string) => seen.find((m) => m.includes(title))!;
    expect(byPaper('QeRL')).toContain('follows: NVFP4 quantization');
    expect(byPaper('RePro')).toContain('follows: author Chenyan Xiong');
    expect((await run()).users.map((u) => u.outcome)).toEqual(['already-posted']);
    expect(await d.directMessages('member')).toHaveLength(3);
    expect(await d.directMessages('admin')).toEqual([]);
  });

  it('a new list with one matching paper brings one alert, in one message, and no second', async () => {
    await d.command('follow NVFP4 quantization', 'member');
    expect((await d.command('me alerts on', 'member')).text).toContain('Alerts: on');
    const qerl = bundledPapers().find((p) => p.id === '2510.11696')!;
    const other = bundledPapers().find((p) => p.id === '2510.11690')!;
    await store.papers.upsert(
      [
        { ...qerl, id: 'new-qerl', arxivId: null, title: `${qerl.title} (v2)`, listedOn: '2025-10-16' },
        { ...other, id: 'new-other', arxivId: null, listedOn: '2025-10-16' },
      ],
      NOW,
    );
    const alert = () => sendAlerts({ store, posters: [d.poster], config, log: silent, now: () => new Date(NOW.getTime() + 60_000), owner: currentOwner() });
    expect((await alert()).users).toEqual([expect.objectContaining({ userId: d.userId('member'), outcome: 'sent', papers: 1 })]);
    const seen = await d.directMessages('member');
    expect(seen).toHaveLength(1);
    expect(seen[0]).toContain('(v2)');
    expect(seen[0]).toContain('follows: NVFP4 quantization');
    expect((await alert()).users.map((u) => u.outcome)).toEqual(['nothing-new']);
    expect(await d.directMessages('member')).toHaveLength(1);
  });
});

describe.each(DRIVERS.filter((f) => f.refusesDirectMessages))('$name adapter contract: a user who cannot be messaged', (factory) => {
  it('pauses their personal digest at the first refusal and never tries again', async () => {
    const { store, cleanup } = await openTestStore('sqlite');
    await store.papers.upsert(bundledPapers(), NOW);
    const d = await factory.start(store, NOW);
    try {
      await d.command('follow reinforcement learning', 'member');
      await d.command('me daily time 09:00 tz UTC', 'member');
      d.closeDirectMessages!('member');
      const run = () => postPersonalDigests({ store, posters: [d.poster], config, log: silent, now: () => NOW, owner: currentOwner(), date: '2025-10-16' });
      expect((await run()).users).toEqual([expect.objectContaining({ outcome: 'paused' })]);
      expect((await run()).users).toEqual([]);
      expect(await store.personal.get(d.platform, d.userId('member'))).toMatchObject({ pausedReason: expect.any(String) });
      expect(await d.directMessages('member')).toEqual([]);
      // The next private answer tells them.
      expect((await d.command('following', 'member')).text).toContain('Your personal digest and alerts are paused');
    } finally {
      await d.stop();
      await cleanup();
    }
  });

  it('fails the direct message with CannotMessageUser, permanently, and shows nothing', async () => {
    const { store, cleanup } = await openTestStore('sqlite');
    const d = await factory.start(store, NOW);
    try {
      d.closeDirectMessages!('member');
      const send = async () => {
        const target = await d.poster.openDirect({ workspaceId: d.workspaceId, userId: d.userId('member') });
        await d.poster.post(target, { blocks: [{ kind: 'text', text: 'hello' }], visibility: 'public', fallback: 'hello' }, 'contract-dm:closed');
      };
      const failure = await send().then(
        () => null,
        (err: unknown) => err,
      );
      expect(failure).toBeInstanceOf(CannotMessageUser);
      expect(failure).toMatchObject({ permanent: true, userId: d.userId('member') });
      expect(await d.directMessages('member')).toEqual([]);
    } finally {
      await d.stop();
      await cleanup();
    }
  });
});
