import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { parseListing } from '../../src/parse/index';
import { foryouCommand } from '../../commands/foryou';
import type { Invocation, Services } from '../../src/chat/command';
import type { AppConfig } from '../../src/config/schema';
import type { Paper } from '../../src/model/paper';
import type { Store } from '../../src/store/types';
import { readFixture } from '../helpers/fixtures';
import { openTestStore, storeKinds } from '../helpers/stores';

const LIST_DATE = '2025-10-14';
const now = new Date('2025-10-14T12:00:00Z');
const searchPage = parseListing(readFixture('hf-text/daily-papers-search-2026-04-21.txt'), { today: '2026-04-21' }).papers;
const dailyList = parseListing(readFixture('hf-api/daily_papers-2025-10-14.json')).papers;
const byTitle = (title: string) => searchPage.find((p) => p.title.startsWith(title))!;
/** An unseen recommendation paper placed on the day's list, with no upvotes at all. */
const unseenRecommendation: Paper = { ...byTitle('AutoInt'), listedOn: LIST_DATE, upvotes: 0 };
const mostUpvoted = [...dailyList].sort((a, b) => b.upvotes - a.upvotes)[0]!;

function invocation(userId: string): Invocation {
  return {
    platform: 'console',
    command: 'foryou',
    args: {},
    user: { id: userId, name: userId },
    channel: { id: 'c1', isDirect: false },
    canManageChannel: false,
  };
}

describe.each(storeKinds)('foryou on %s', (kind) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let svc: Services;
  beforeEach(async () => {
    ({ store, cleanup } = await openTestStore(kind));
    await store.papers.upsert([...searchPage.filter((p) => !p.title.startsWith('AutoInt')), ...dailyList, unseenRecommendation], now);
    svc = {
      store,
      config: {} as AppConfig,
      log: pino({ level: 'silent' }),
      now: () => now,
      sourceStatus: () => ({ lastSuccessAt: now, lastError: null, note: null }),
    };
  });
  afterEach(() => cleanup());

  it('says how to start when the caller has no bookmarks', async () => {
    const reply = await foryouCommand.run(invocation('u-new'), svc);
    expect(reply.visibility).toBe('private');
    expect(reply.fallback).toMatch(/no bookmarks yet.*React 🔖.*\/papers bookmarks/);
  });

  it('ranks an unseen recommendation paper above an unrelated paper with more upvotes, saying which bookmark it is like', async () => {
    for (const title of ['Self-Attentive Sequential Recommendation', 'Attention Residuals']) {
      await store.bookmarks.add({ platform: 'console', userId: 'u1', paperId: byTitle(title).id, messageId: null, at: now });
    }
    const reply = await foryouCommand.run(invocation('u1'), svc);
    const block = reply.blocks.find((b) => b.kind === 'papers');
    expect(block?.kind).toBe('papers');
    const items = block!.kind === 'papers' ? block!.items : [];
    const ids = items.map((i) => i.paper.id);
    expect(ids).toContain(unseenRecommendation.id);
    const pos = ids.indexOf(unseenRecommendation.id);
    expect(ids.indexOf(mostUpvoted.id) === -1 || ids.indexOf(mostUpvoted.id) > pos).toBe(true);
    expect(items[pos]!.reason).toBe('like: Self-Attentive Sequential Recommendation');
    expect(ids).not.toContain(byTitle('Attention Residuals').id);
    // Deterministic: asking again gives the same list.
    const again = await foryouCommand.run(invocation('u1'), svc);
    expect(again).toEqual(reply);
  });
});
