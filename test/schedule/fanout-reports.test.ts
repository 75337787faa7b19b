import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { currentOwner } from '../../src/schedule/claims';
import { postDaily, sharedListReads, type PostDailyOptions } from '../../src/schedule/fanout';
import type { PaperRepository, Store } from '../../src/store/types';
import { openTestStore } from '../helpers/stores';
import { LIST_DATE, log, RecordingPoster, realPapers, seed, subscription, testConfig } from './harness';

/**
 * What a fan-out run reports per channel, and how it shares the day's list between channels
 * (src/schedule/fanout.ts). SQLite only: the store's dialects are store.test.ts's.
 */

describe('sharedListReads', () => {
  /** Papers whose list reads are counted, and fail while `failing` is set. */
  function countingPapers() {
    const reads: string[] = [];
    let failing = false;
    const papers = {
      latestListDate: async (onOrBefore?: string) => {
        reads.push(`latest ${onOrBefore}`);
        if (failing) throw new Error('connection reset');
        return LIST_DATE;
      },
      listedBetween: async (from: string, to: string) => {
        reads.push(`listed ${from} ${to}`);
        if (failing) throw new Error('connection reset');
        return realPapers.slice(0, 2);
      },
      get: async (id: string) => realPapers.find((p) => p.id === id) ?? null,
    } as unknown as PaperRepository;
    return { papers, reads, fail: (on: boolean) => void (failing = on) };
  }

  it("reads the day's list once for every channel of a run, each distinct read once", async () => {
    const { papers, reads } = countingPapers();
    const shared = sharedListReads(papers);
    const answers = await Promise.all([shared.latestListDate('2025-10-14'), shared.latestListDate('2025-10-14'), shared.latestListDate('2025-10-15')]);
    expect(answers).toEqual([LIST_DATE, LIST_DATE, LIST_DATE]);
    const lists = await Promise.all([shared.listedBetween('2025-10-14', '2025-10-14'), shared.listedBetween('2025-10-14', '2025-10-14')]);
    expect(lists[0]).toEqual(realPapers.slice(0, 2));
    expect(lists[1]).toBe(lists[0]);
    await shared.listedBetween('2025-10-08', '2025-10-14');
    expect(reads).toEqual(['latest 2025-10-14', 'latest 2025-10-15', 'listed 2025-10-14 2025-10-14', 'listed 2025-10-08 2025-10-14']);
    // Every other read goes to the store as it is.
    expect(await shared.get(realPapers[0]!.id)).toEqual(realPapers[0]);
  });

  it('reads again after a failed read, instead of giving every later channel the failure', async () => {
    const { papers, reads, fail } = countingPapers();
    const shared = sharedListReads(papers);
    fail(true);
    await expect(shared.latestListDate('2025-10-14')).rejects.toThrow('connection reset');
    await expect(shared.listedBetween('2025-10-14', '2025-10-14')).rejects.toThrow('connection reset');
    fail(false);
    expect(await shared.latestListDate('2025-10-14')).toBe(LIST_DATE);
    expect(await shared.listedBetween('2025-10-14', '2025-10-14')).toHaveLength(2);
    expect(reads).toEqual(['latest 2025-10-14', 'listed 2025-10-14 2025-10-14', 'latest 2025-10-14', 'listed 2025-10-14 2025-10-14']);
  });
});

describe('postDaily reports', () => {
  let store: Store;
  let url: string;
  let cleanup: () => Promise<void>;
  let poster: RecordingPoster;
  beforeEach(async () => {
    ({ store, url, cleanup } = await openTestStore('sqlite'));
    poster = new RecordingPoster();
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await cleanup();
  });

  const now = () => new Date('2025-10-14T09:00:00Z');
  const run = (over: Partial<PostDailyOptions> = {}) =>
    postDaily({ store, posters: [poster], config: testConfig(), log, now, owner: currentOwner(), retryDelayMs: 0, ...over });

  it('reports the channels asked for in the order asked, leaving out ids it does not know', async () => {
    await seed(
      store,
      ['a', 'b', 'c', 'd', 'e'].map((c) => subscription(c, { top: 1 })),
    );
    const report = await run({ subscriptionIds: ['console:d', 'console:nope', 'console:a', 'console:e', 'console:c', 'console:b'] });
    expect(report.channels.map((c) => [c.subscriptionId, c.outcome])).toEqual([
      ['console:d', 'posted'],
      ['console:a', 'posted'],
      ['console:e', 'posted'],
      ['console:c', 'posted'],
      ['console:b', 'posted'],
    ]);
  });

  it('skips a disabled channel, a platform with no adapter and a day the channel does not post on, each saying why; a default run leaves disabled channels out', async () => {
    await seed(store, [
      subscription('off'),
      subscription('weekly', { every: 'week', weekDay: 'fri' }),
      { ...subscription('S1'), platform: 'slack', workspaceId: 'T1' },
      subscription('on'),
    ]);
    await store.subscriptions.recordFailure('console:off', 'channel off not found', 1);
    const ids = ['console:off', 'console:weekly', 'slack:S1', 'console:on'];
    const report = await run({ subscriptionIds: ids });
    expect(report.channels).toEqual([
      {
        subscriptionId: 'console:off',
        date: LIST_DATE,
        outcome: 'skipped',
        messages: 0,
        detail: 'disabled: disabled after 1 failed posts; last: channel off not found',
      },
      { subscriptionId: 'console:weekly', date: LIST_DATE, outcome: 'skipped', messages: 0, detail: 'not a posting day: it posts every Friday' },
      { subscriptionId: 'slack:S1', date: LIST_DATE, outcome: 'skipped', messages: 0, detail: 'no slack adapter is configured' },
      expect.objectContaining({ subscriptionId: 'console:on', outcome: 'posted', messages: 4 }),
    ]);
    expect(poster.shown.every((m) => m.channelId === 'on')).toBe(true);
    const byDefault = await run({ date: '2025-10-15' });
    expect(byDefault.channels.map((c) => c.subscriptionId).sort()).toEqual(['console:on', 'console:weekly', 'slack:S1']);
  });

  it('posts each channel for its own local date when no date is given', async () => {
    await seed(store, [subscription('utc', { timezone: 'UTC' }), subscription('auckland', { timezone: 'Pacific/Auckland' })]);
    // 23:00 UTC on the 14th is noon on the 15th in Auckland.
    const report = await run({ now: () => new Date('2025-10-14T23:00:00Z'), subscriptionIds: ['console:utc', 'console:auckland'] });
    expect(report.channels.map((c) => [c.subscriptionId, c.date, c.outcome])).toEqual([
      ['console:utc', '2025-10-14', 'posted'],
      ['console:auckland', '2025-10-15', 'posted'],
    ]);
    expect(await store.deliveries.get('console:auckland@2025-10-15')).toMatchObject({ state: 'posted' });
  });

  it("reports a store error in one channel as that channel's failure, and the other channels post", async () => {
    await seed(store, [subscription('bad'), subscription('ok')]);
    const failing: Store = {
      ...store,
      posts: {
        ...store.posts,
        paperIdsPostedInChannel: async (platform, channelId, since) => {
          if (channelId === 'bad') throw new Error('database disk image is malformed');
          return store.posts.paperIdsPostedInChannel(platform, channelId, since);
        },
      },
    };
    const report = await run({ store: failing, subscriptionIds: ['console:bad', 'console:ok'] });
    expect(report.channels).toEqual([
      { subscriptionId: 'console:bad', date: LIST_DATE, outcome: 'failed', messages: 0, detail: 'database disk image is malformed' },
      expect.objectContaining({ subscriptionId: 'console:ok', outcome: 'posted', messages: 4 }),
    ]);
  });

  it('starts the channels in an order of its own each run (a Fisher–Yates shuffle), so replicas started together do not claim in the same order', async () => {
    await seed(
      store,
      ['a', 'b', 'c', 'd'].map((c) => subscription(c, { top: 1 })),
    );
    const claimed: string[] = [];
    const watched: Store = {
      ...store,
      deliveries: {
        ...store.deliveries,
        claim: (req) => {
          claimed.push(req.subscriptionId);
          return store.deliveries.claim(req);
        },
      },
    };
    const ids = ['console:a', 'console:b', 'console:c', 'console:d'];
    // Each draw picks the last place left: no channel moves.
    vi.spyOn(Math, 'random').mockReturnValue(0.999);
    await run({ store: watched, subscriptionIds: ids });
    expect(claimed).toEqual(ids);
    // Each draw picks the first place: each channel in turn swaps with the first.
    claimed.length = 0;
    vi.spyOn(Math, 'random').mockReturnValue(0);
    const report = await run({ store: watched, subscriptionIds: ids, date: '2025-10-15' });
    expect(claimed).toEqual(['console:b', 'console:c', 'console:d', 'console:a']);
    expect(report.channels.map((c) => c.subscriptionId)).toEqual(ids);
  });

  it('skips a channel an older version disabled without saying why as disabled by its owner', async () => {
    await seed(store, [subscription('old')]);
    // Rows disabled before disabled_reason existed have none.
    const db = new BetterSqlite3(url.slice('sqlite:'.length));
    db.prepare('update subscriptions set enabled = 0, disabled_reason = null where id = ?').run('console:old');
    db.close();
    const report = await run({ subscriptionIds: ['console:old'] });
    expect(report.channels).toEqual([{ subscriptionId: 'console:old', date: LIST_DATE, outcome: 'skipped', messages: 0, detail: 'disabled: by its owner' }]);
  });
});
