import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { describeReport } from '../../cli/post-daily';
import type { DigestPoster, PostTarget } from '../../src/chat/poster';
import type { Reply } from '../../src/chat/reply';
import type { ThreadRequest, ThreadSite } from '../../src/chat/threads';
import { currentOwner } from '../../src/schedule/claims';
import { postDaily, type PostDailyOptions } from '../../src/schedule/fanout';
import type { Store } from '../../src/store/types';
import { openTestStore } from '../helpers/stores';
import { LIST_DATE, log, RecordingPoster, seed, subscription, testConfig } from './harness';

/**
 * The exactly-once path of one channel's post (src/schedule/delivery.ts) where fanout.test.ts does
 * not reach: plans of older versions, resumed messages, discussion threads, the weekly guard's
 * week, and what a failed delivery reports. SQLite only: the store's dialects are store.test.ts's.
 */

const now = () => new Date('2025-10-14T09:00:00Z');

/** A pid that certainly belonged to a process on this host and is gone now. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid!;
}

interface Sent {
  channelId: string;
  key: string;
  reply: Reply;
  opts: { maybeSentBefore: boolean; since?: Date } | undefined;
}

/** The recording poster, with every send's message and options kept, and discussion threads when `threads` is given. */
function capturing(poster: RecordingPoster, threads?: DigestPoster['threads']) {
  const sent: Sent[] = [];
  const wrapped: DigestPoster = {
    platform: poster.platform,
    openDirect: (user) => poster.openDirect(user),
    async post(target: PostTarget, reply: Reply, key: string, opts) {
      sent.push({ channelId: target.channelId, key, reply, opts });
      return poster.post(target, reply, key, opts);
    },
    ...(threads ? { threads } : {}),
  };
  return { wrapped, sent, inChannel: (c: string) => sent.filter((s) => s.channelId === c) };
}

describe('delivering one channel', () => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let poster: RecordingPoster;
  beforeEach(async () => {
    ({ store, cleanup } = await openTestStore('sqlite'));
    poster = new RecordingPoster();
  });
  afterEach(async () => {
    vi.useRealTimers();
    await cleanup();
  });

  /** Another replica (whose owner it takes for gone) takes console:a's claim of the list day over. */
  const takeOverAsReplicaB = (maxAttempts: number) =>
    store.deliveries.claim({
      subscriptionId: 'console:a',
      date: LIST_DATE,
      owner: { host: 'replica-b', pid: 7 },
      now: now(),
      staleAfterMs: 600_000,
      ownerIsGone: () => true,
      maxAttempts,
    });

  const run = (over: Partial<PostDailyOptions> = {}) =>
    postDaily({ store, posters: [poster], config: testConfig(), log, now, owner: currentOwner(), retryDelayMs: 0, ...over });

  /** Claims `subscriptionId`'s delivery as a process that is gone now, as an older version did: without a plan. */
  const claimedByTheDead = async (subscriptionId: string, date = LIST_DATE) => {
    const owner = { host: os.hostname(), pid: deadPid() };
    const claim = await store.deliveries.claim({ subscriptionId, date, owner, now: now(), staleAfterMs: 600_000, ownerIsGone: () => false, maxAttempts: 3 });
    return { owner, id: claim.delivery.id };
  };

  it.each([
    { cadence: 'daily', settings: {}, date: LIST_DATE, header: `Top 3 papers from Hugging Face Daily Papers, ${LIST_DATE}` },
    // Popular boosts no topic: a resumed post's reasons must not say it matched one.
    { cadence: 'daily popular', settings: { rank: 'popular' as const }, date: LIST_DATE, header: `Top 3 papers from Hugging Face Daily Papers, ${LIST_DATE}` },
    {
      cadence: 'weekly',
      settings: { every: 'week' as const, weekDay: 'wed' as const },
      date: '2025-10-15',
      header: 'Top 3 papers from Hugging Face Daily Papers, 2025-10-08 to 2025-10-14',
    },
  ])(
    'a resumed $cadence delivery sends exactly the messages a fresh one does: the header, the numbering, the reasons and topics',
    async ({ settings, date, header }) => {
      await seed(store, [subscription('a', { topics: ['llm', 'reasoning'], ...settings }), subscription('b', { topics: ['llm', 'reasoning'], ...settings })]);
      const { wrapped, inChannel } = capturing(poster);
      // The crashed run fixed its plan, then died before its first message went out.
      poster.crashBeforeSend = 1;
      void run({ posters: [wrapped], owner: { host: os.hostname(), pid: deadPid() }, subscriptionIds: ['console:a'], date });
      await expect.poll(() => inChannel('a').length).toBe(1);

      const report = await run({ posters: [wrapped], subscriptionIds: ['console:a', 'console:b'], date });
      expect(report.channels).toMatchObject([
        { subscriptionId: 'console:a', outcome: 'posted', messages: 4 },
        { subscriptionId: 'console:b', outcome: 'posted', messages: 4 },
      ]);
      const resumed = inChannel('a').slice(1);
      const fresh = inChannel('b');
      expect(resumed[0]!.reply.fallback).toBe(header);
      expect(resumed.map((s) => s.reply.fallback)).toEqual(fresh.map((s) => s.reply.fallback));
      expect(resumed.map((s) => s.reply)).toEqual(fresh.map((s) => s.reply));
      expect(fresh.slice(1).map((s) => s.reply.fallback.slice(0, 3))).toEqual(['1. ', '2. ', '3. ']);
    },
  );

  it('plans a delivery an older version claimed without a plan, and promises each of its messages as new', async () => {
    await seed(store, [subscription('a')]);
    const { id } = await claimedByTheDead('console:a');
    const report = await run();
    expect(report.channels[0]).toMatchObject({ outcome: 'posted', messages: 4 });
    const shown = poster.inChannel('a');
    expect(shown[0]!.text).toBe(`Top 3 papers from Hugging Face Daily Papers, ${LIST_DATE}`);
    // Nothing was sent before the plan was fixed, so no send needs a look for an earlier one.
    expect(poster.sentAsNew).toEqual(shown.map((m) => m.key));
    const delivery = (await store.deliveries.get(id))!;
    expect(delivery).toMatchObject({ state: 'posted', plan: shown.slice(1).map((m) => m.paperIds[0]) });
  });

  it('posts nothing when another process takes over a plan-less claim before this one could fix its plan', async () => {
    await seed(store, [subscription('a')]);
    await claimedByTheDead('console:a');
    const setPlan = store.deliveries.setPlan;
    const racing: Store = {
      ...store,
      deliveries: {
        ...store.deliveries,
        // Another replica takes the claim over between this run's claim and its plan.
        setPlan: async (...args) => {
          await takeOverAsReplicaB(3);
          return setPlan(...args);
        },
      },
    };
    const report = await run({ store: racing });
    expect(report.channels[0]).toMatchObject({ outcome: 'claimed-elsewhere', messages: 0 });
    expect(poster.shown).toEqual([]);
    expect(await store.deliveries.get(`console:a@${LIST_DATE}`)).toMatchObject({ state: 'claimed', owner: { host: 'replica-b' }, plan: null });
  });

  it('resumes a plan an older version recorded without the message it was sending: every message may be there already, since whenever', async () => {
    await seed(store, [subscription('a')]);
    const { owner, id } = await claimedByTheDead('console:a');
    const planned = (await run({ dryRun: true })).channels[0]!.plan!.papers.map((p) => p.id);
    expect(await store.deliveries.setPlan(id, owner, planned)).toBe(true);
    const { wrapped, sent } = capturing(poster);

    const report = await run({ posters: [wrapped] });
    expect(report.channels[0]).toMatchObject({ outcome: 'posted', messages: 4 });
    expect(sent.map((s) => s.opts)).toEqual([{ maybeSentBefore: true }, { maybeSentBefore: true }, { maybeSentBefore: true }, { maybeSentBefore: true }]);
    expect(poster.shown.slice(1).map((m) => m.paperIds[0])).toEqual(planned);
  });

  it('a resumed plan whose paper is no longer stored posts the others, numbered in the planned order', async () => {
    await seed(store, [subscription('a')]);
    const { owner, id } = await claimedByTheDead('console:a');
    const planned = (await run({ dryRun: true })).channels[0]!.plan!.papers.map((p) => p.id);
    expect(await store.deliveries.setPlan(id, owner, [planned[0]!, 'gone-from-the-store', planned[1]!])).toBe(true);

    const report = await run();
    expect(report.channels[0]).toMatchObject({ outcome: 'posted', messages: 3 });
    expect(poster.shown.map((m) => m.paperIds)).toEqual([[], [planned[0]], [planned[1]]]);
    expect(poster.shown[2]!.text.startsWith('3. ')).toBe(true);
  });

  describe('threads on', () => {
    it("opens one discussion thread on each paper message of the day's post, none on its header, and none again on a second run", async () => {
      await seed(store, [subscription('a', { threads: true })]);
      const opened: { site: ThreadSite; request: ThreadRequest }[] = [];
      const { wrapped } = capturing(poster, {
        openThread: async (site, request) => {
          opened.push({ site, request });
          return { threadId: `thread-${site.messageId}` };
        },
      });
      expect((await run({ posters: [wrapped] })).channels[0]).toMatchObject({ outcome: 'posted', messages: 4 });
      const papers = poster.inChannel('a').slice(1);
      expect(opened.map((o) => o.site)).toEqual(papers.map((m) => ({ platform: 'console', workspaceId: null, channelId: 'a', messageId: m.messageId })));
      const titles = new Map((await store.papers.getMany(papers.map((m) => m.paperIds[0]!))).map((p) => [p.id, p.title]));
      expect(opened.map((o) => o.request.name)).toEqual(papers.map((m) => titles.get(m.paperIds[0]!)));
      for (const m of papers) expect(await store.threads.find('console', 'a', m.messageId)).toMatchObject({ threadId: `thread-${m.messageId}` });

      expect((await run({ posters: [wrapped], date: LIST_DATE })).channels[0]!.outcome).toBe('already-posted');
      expect(opened).toHaveLength(3);
    });

    it('opens no thread where threads are off, even on a platform that has them', async () => {
      await seed(store, [subscription('a')]);
      const openThread = vi.fn(async () => ({ threadId: 't' }));
      const { wrapped } = capturing(poster, { openThread });
      expect((await run({ posters: [wrapped] })).channels[0]!.outcome).toBe('posted');
      expect(openThread).not.toHaveBeenCalled();
    });

    it('a thread the platform refuses fails neither the post nor the other threads', async () => {
      await seed(store, [subscription('a', { threads: true })]);
      let calls = 0;
      const { wrapped } = capturing(poster, {
        openThread: async (site) => {
          if (++calls === 1) throw new Error('Missing Access: Create Public Threads');
          return { threadId: `thread-${site.messageId}` };
        },
      });
      const report = await run({ posters: [wrapped] });
      expect(report.channels[0]).toMatchObject({ outcome: 'posted', messages: 4 });
      expect(calls).toBe(3);
      expect((await store.deliveries.get(`console:a@${LIST_DATE}`))!.state).toBe('posted');
    });
  });

  describe('the weekly guard', () => {
    const weekly = (weekDay: 'mon' | 'wed' | 'sun') => subscription('w', { every: 'week', weekDay });

    it('keeps a weekly post whose day moved to one post a week, naming the day it was made', async () => {
      await seed(store, [weekly('wed')]);
      expect((await run({ date: '2025-10-15' })).channels[0]!.outcome).toBe('posted');
      await store.subscriptions.upsert(weekly('sun'));
      const moved = (await run({ date: '2025-10-19' })).channels[0]!;
      expect(moved).toMatchObject({ outcome: 'already-posted', messages: 0, detail: 'posted this week on 2025-10-15' });
      expect(describeReport(moved)).toBe('console:w 2025-10-19: already posted; nothing sent: posted this week on 2025-10-15');
    });

    it('a second run on the day it posted says already posted, not posted this week', async () => {
      await seed(store, [weekly('wed')]);
      await run({ date: '2025-10-15' });
      const again = (await run({ date: '2025-10-15' })).channels[0]!;
      expect(again).toMatchObject({ outcome: 'already-posted', messages: 0 });
      expect(again.detail).toBeUndefined();
    });

    it("looks at the post's own week only, Monday to Sunday: a post on the next Monday does not stop this Sunday's", async () => {
      await seed(store, [weekly('mon')]);
      expect((await run({ date: '2025-10-20' })).channels[0]!.outcome).toBe('posted');
      await store.subscriptions.upsert(weekly('sun'));
      expect((await run({ date: '2025-10-19' })).channels[0]!.outcome).toBe('posted');
    });

    it('a failed try earlier in the week does not count as its post', async () => {
      await seed(store, [weekly('wed')]);
      poster.gone.add('w');
      expect((await run({ date: '2025-10-15' })).channels[0]!.outcome).toBe('failed');
      poster.gone.delete('w');
      await store.subscriptions.upsert(weekly('sun'));
      expect((await run({ date: '2025-10-19' })).channels[0]!.outcome).toBe('posted');
    });
  });

  describe('what a failed delivery reports', () => {
    it('a permanent failure: permanent, with what it had sent, and the subscription disabled at the last one', async () => {
      await seed(store, [subscription('gone')]);
      poster.gone.add('gone');
      const days = ['2025-10-14', '2025-10-15', '2025-10-16'];
      const reports = [];
      for (const date of days) reports.push((await run({ date, subscriptionIds: ['console:gone'] })).channels[0]!);
      expect(reports.map((r) => [r.outcome, r.messages, r.permanent, r.found])).toEqual([
        ['failed', 0, true, undefined],
        ['failed', 0, true, undefined],
        ['failed', 0, true, undefined],
      ]);
      expect(reports.map((r) => r.detail)).toEqual([
        'channel gone not found',
        'channel gone not found',
        'channel gone not found (subscription disabled after 3 failures)',
      ]);
      expect(await store.deliveries.get(`console:gone@${days[0]}`)).toMatchObject({ state: 'failed', lastError: 'channel gone not found' });
    });

    it('a transient failure: not permanent, retried by a later run, and not counted towards disabling', async () => {
      await seed(store, [subscription('flaky')]);
      poster.flaky.set('flaky', 3);
      const failed = (await run()).channels[0]!;
      expect(failed).toMatchObject({ outcome: 'failed', messages: 0, permanent: false, detail: '503 service unavailable' });
      expect(await store.subscriptions.get('console:flaky')).toMatchObject({ enabled: true, failures: 0, lastError: null });
      expect(await store.deliveries.get(`console:flaky@${LIST_DATE}`)).toMatchObject({ state: 'failed', lastError: '503 service unavailable' });
      expect((await run()).channels[0]).toMatchObject({ outcome: 'posted', messages: 4 });
    });

    it('counts the messages sent and found before the failure', async () => {
      await seed(store, [subscription('a', { top: 3 })]);
      // Header and first paper recorded; the second paper reached the channel, then the process died.
      poster.crashAfterSend = 3;
      void run({ owner: { host: os.hostname(), pid: deadPid() } });
      await expect.poll(() => poster.shown.length).toBe(3);
      // The restart finds the second paper, then the third fails for good.
      const failing: DigestPoster = {
        platform: 'console',
        openDirect: (user) => poster.openDirect(user),
        post: (target, reply, key, opts) => {
          if (poster.calls.has(key)) return poster.post(target, reply, key, opts);
          poster.gone.add('a');
          return poster.post(target, reply, key, opts);
        },
      };
      const report = (await run({ posters: [failing] })).channels[0]!;
      expect(report).toMatchObject({ outcome: 'failed', messages: 0, found: 1, permanent: true });
      expect(describeReport(report)).toBe(`console:a ${LIST_DATE}: failed after 0 message(s); found 1 already posted by an earlier run: channel a not found`);
    });

    it('a failure the store cannot record is still reported, and the other channels post', async () => {
      await seed(store, [subscription('gone'), subscription('ok')]);
      poster.gone.add('gone');
      const broken: Store = {
        ...store,
        deliveries: {
          ...store.deliveries,
          finish: async (id, owner, outcome, at) => {
            if (outcome.state === 'failed') throw new Error('database is locked');
            return store.deliveries.finish(id, owner, outcome, at);
          },
        },
      };
      const report = await run({ store: broken, subscriptionIds: ['console:gone', 'console:ok'] });
      expect(report.channels).toMatchObject([
        { subscriptionId: 'console:gone', outcome: 'failed', detail: 'channel gone not found', permanent: true },
        { subscriptionId: 'console:ok', outcome: 'posted', messages: 4 },
      ]);
    });
  });

  it('leaves no heartbeat timer running once a delivery is done, posted or failed', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    await seed(store, [subscription('ok'), subscription('gone')]);
    poster.gone.add('gone');
    const report = await run();
    expect(report.channels.map((c) => c.outcome).sort()).toEqual(['failed', 'posted']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('sends channels that share a ranking the very same messages, which the adapters then render once (they cache by message)', async () => {
    await seed(store, [subscription('a'), subscription('b'), subscription('other', { topics: ['video'] })]);
    const { wrapped, inChannel } = capturing(poster);
    await run({ posters: [wrapped] });
    const [a, b, other] = [inChannel('a'), inChannel('b'), inChannel('other')];
    expect(a).toHaveLength(4);
    expect(a.every((s, i) => s.reply === b[i]!.reply)).toBe(true);
    // Other topics rank, and word the messages, otherwise: nothing is shared with them.
    expect(other.some((s) => a.some((x) => x.reply === s.reply))).toBe(false);
  });

  it("sends the empty day's note with the header's key, so every run sends it as the same message, and records no paper for it", async () => {
    await seed(store, [subscription('a', { minUpvotes: 1_000_000 })]);
    const report = await run({ config: testConfig({ emptyDigest: 'note' }) });
    expect(report.channels[0]).toMatchObject({ outcome: 'empty', messages: 1 });
    expect(poster.shown.map((m) => m.key)).toEqual([`console:a@${LIST_DATE}:header`]);
    expect(await store.posts.find('console', 'a', poster.shown[0]!.messageId)).toMatchObject({ paperIds: [], deliveryId: `console:a@${LIST_DATE}` });
    expect(await store.posts.paperIdsPostedInChannel('console', 'a', new Date(0))).toEqual(new Set());
  });

  it('skips the post while the paper source is down with STALE_DIGEST=skip, saying why, and claims nothing', async () => {
    await seed(store, [subscription('a')]);
    const sourceStatus = () => ({ lastSuccessAt: new Date('2025-10-14T07:49:00Z'), lastError: 'HTTP 503', note: null });
    const report = await run({ sourceStatus, config: testConfig({ staleDigest: 'skip' }) });
    expect(report.channels).toEqual([
      { subscriptionId: 'console:a', date: LIST_DATE, outcome: 'skipped', messages: 0, detail: 'the paper source is down (STALE_DIGEST=skip)' },
    ]);
    expect(poster.shown).toEqual([]);
    expect(await store.deliveries.get(`console:a@${LIST_DATE}`)).toBeNull();
  });

  it('a resumed delivery checks its claim before its first message: taken over meanwhile, it sends nothing', async () => {
    await seed(store, [subscription('a')]);
    // The crashed run sent and recorded its header, then died sending the first paper.
    poster.crashBeforeSend = 2;
    void run({ owner: { host: os.hostname(), pid: deadPid() } });
    await expect.poll(async () => (await store.posts.forDelivery(`console:a@${LIST_DATE}`)).length).toBe(1);
    const overtaken: Store = {
      ...store,
      posts: {
        ...store.posts,
        // While this run reads what was sent, another replica takes the claim over.
        forDelivery: async (id) => {
          await takeOverAsReplicaB(5);
          return store.posts.forDelivery(id);
        },
      },
    };
    const report = await run({ store: overtaken });
    expect(report.channels[0]).toMatchObject({ outcome: 'claimed-elsewhere', messages: 0 });
    expect(poster.shown).toHaveLength(1);
  });

  it("posts a resumed plan as planned even where the channel's topics now exclude a paper of it, with no reason given for that one", async () => {
    await seed(store, [subscription('a')]);
    const { owner, id } = await claimedByTheDead('console:a');
    const planned = (await run({ dryRun: true })).channels[0]!.plan!.papers;
    expect(
      await store.deliveries.setPlan(
        id,
        owner,
        planned.map((p) => p.id),
      ),
    ).toBe(true);
    const excludedWord = planned[1]!.title
      .split(/\s+/)
      .find((w) => /^[a-z]{5,}$/i.test(w))!
      .toLowerCase();
    await store.subscriptions.upsert(subscription('a', { topics: [`-${excludedWord}`] }));
    const { wrapped, sent } = capturing(poster);

    expect((await run({ posters: [wrapped] })).channels[0]).toMatchObject({ outcome: 'posted', messages: 4 });
    expect(poster.shown.slice(1).map((m) => m.paperIds[0])).toEqual(planned.map((p) => p.id));
    const reasons = sent.slice(1).map((s) => (s.reply.blocks[0] as { reason: string }).reason);
    expect(reasons[1]).toBe('');
    expect(reasons[0]).not.toBe('');
  });
});
