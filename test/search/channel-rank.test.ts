import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { parseListing } from '../../src/parse/index';
import { dispatch } from '../../commands/kit/dispatch';
import { selectDigest } from '../../src/digest/select';
import type { Invocation, Services } from '../../src/chat/command';
import type { AppConfig } from '../../src/config/schema';
import type { Paper } from '../../src/model/paper';
import type { RankMode, Store } from '../../src/store/types';
import { readFixture } from '../helpers/fixtures';
import { openTestStore, storeKinds } from '../helpers/stores';
import { textOf } from '../commands/reply-text';

const LIST_DATE = '2025-10-14';
const now = new Date('2025-10-14T12:00:00Z');
const searchPage = parseListing(readFixture('hf-text/daily-papers-search-2026-04-21.txt'), { today: '2026-04-21' }).papers;
const dailyList = parseListing(readFixture('hf-api/daily_papers-2025-10-14.json')).papers;
const byTitle = (title: string) => searchPage.find((p) => p.title.startsWith(title))!;
/** A recommendation paper on the day's list with a single upvote: last but one by popularity. */
const recommendation: Paper = { ...byTitle('AutoInt'), listedOn: LIST_DATE, upvotes: 1 };
const bookmarkedTitles = ['Self-Attentive Sequential Recommendation', 'Attention Residuals'];

function invocation(command: string, args: Invocation['args'] = {}, channelId = 'c1'): Invocation {
  return { platform: 'console', command, args, user: { id: 'mod', name: 'mod' }, channel: { id: channelId, isDirect: false }, canManageChannel: true };
}

describe.each(storeKinds)('rank setting on %s', (kind) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let svc: Services;
  beforeEach(async () => {
    ({ store, cleanup } = await openTestStore(kind));
    await store.papers.upsert([...searchPage.filter((p) => !p.title.startsWith('AutoInt')), ...dailyList, recommendation], now);
    svc = {
      store,
      config: {} as AppConfig,
      log: pino({ level: 'silent' }),
      now: () => now,
      sourceStatus: () => ({ lastSuccessAt: now, lastError: null, note: null }),
    };
    // Members of c1 bookmarked attention and recommendation papers from a message the bot posted there.
    const ids = bookmarkedTitles.map((t) => byTitle(t).id);
    await store.posts.record({ platform: 'console', channelId: 'c1', messageId: '7', paperIds: ids, kind: 'answer', deliveryId: null, postedAt: now });
    for (const [user, paperId] of [
      ['u1', ids[0]!],
      ['u2', ids[0]!],
      ['u2', ids[1]!],
    ] as const) {
      await store.bookmarks.add({ platform: 'console', userId: user, paperId, messageId: '7', at: now });
    }
  });
  afterEach(() => cleanup());

  /** Where the recommendation paper lands in c1's whole list under a ranking mode. */
  async function placeUnder(rank: RankMode, channelId = 'c1'): Promise<number> {
    await dispatch(invocation('subscribe', { rank, top: 10 }, channelId), svc);
    const sub = (await store.subscriptions.get(`console:${channelId}`))!;
    const { ranked } = await selectDigest(store, { ...sub, top: 100 }, { now });
    return ranked.findIndex((r) => r.paper.id === recommendation.id) + 1;
  }

  it('is set by subscribe and shown by settings', async () => {
    await dispatch(invocation('subscribe', { rank: 'channel' }), svc);
    expect((await store.subscriptions.get('console:c1'))?.rank).toBe('channel');
    expect(textOf(await dispatch(invocation('settings'), svc))).toContain("Ranking: channel (balanced, plus likeness to this channel's bookmarks)");
    expect(textOf(await dispatch(invocation('subscribe', { rank: 'loudest' }), svc))).toMatch(/rank must be one of popular, balanced, channel/);
  });

  it('ranks a recommendation paper higher under channel than under popular, for the channel whose members bookmarked such papers', async () => {
    const popular = await placeUnder('popular');
    const channel = await placeUnder('channel');
    expect(popular).toBe(dailyList.length); // one upvote: only a paper without any is below it
    expect(channel).toBeLessThan(popular);
    expect(channel).toBeLessThanOrEqual(3);
    // Another channel, without bookmarks, gets the balanced order under channel.
    expect(await placeUnder('channel', 'c2')).toBe(await placeUnder('balanced', 'c2'));
  });

  it('makes today and the daily post agree, saying which bookmark a paper is like', async () => {
    await dispatch(invocation('subscribe', { rank: 'channel', top: 10 }), svc);
    const sub = (await store.subscriptions.get('console:c1'))!;
    const { ranked } = await selectDigest(store, sub, { now });
    const today = await dispatch(invocation('today'), svc);
    const shown = today.blocks.flatMap((b) => (b.kind === 'paper' ? [b] : []));
    expect(shown.map((b) => b.paper.id)).toEqual(ranked.map((r) => r.paper.id));
    const item = shown.find((b) => b.paper.id === recommendation.id);
    expect(item?.reason).toMatch(/like: Self-Attentive Sequential Recommendation$/);
    expect(await selectDigest(store, sub, { now })).toEqual(await selectDigest(store, sub, { now }));
  });
});
