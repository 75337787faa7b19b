import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseListing } from '../../src/parse/index';
import type { Store } from '../../src/store/types';
import { readFixture } from '../helpers/fixtures';
import { openTestStore, storeKinds } from '../helpers/stores';
import { subscription } from '../schedule/harness';

const arxiv = parseListing(readFixture('arxiv/api-query-cat-cs.AI-OR-cs.LG-OR-cs.CL-2026-08-02.xml')).papers;
const hf = parseListing(readFixture('hf-api/daily_papers-2026-07-31.json')).papers;
const seenAt = new Date('2026-08-02T08:00:00Z');

const channel = subscription('C1', { platform: 'slack', workspaceId: 'T1', top: 5, createdBy: 'u1' });

describe.each(storeKinds)('arXiv categories in the store on %s', (kind) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ store, cleanup } = await openTestStore(kind));
  });
  afterEach(async () => cleanup());

  it("keeps each paper's categories, and none for a paper that has none", async () => {
    await store.papers.upsert([...arxiv, ...hf], seenAt);
    const seiberg = arxiv.find((p) => p.id === '2607.28628')!;
    expect(await store.papers.get(seiberg.id)).toEqual(seiberg);
    const hfOnly = hf.find((p) => !arxiv.some((a) => a.id === p.id))!;
    expect(await store.papers.get(hfOnly.id)).toEqual(hfOnly);
    expect(await store.papers.get(hfOnly.id)).not.toHaveProperty('categories');
  });

  it('never makes a day seen only in the arXiv RSS feed the latest list, nor moves a listed paper to it', async () => {
    const rss = parseListing(readFixture('arxiv/rss-cs.LG+cs.AI+cs.CL+stat.ML-2026-09-24-trimmed.xml')).papers;
    expect(rss.every((p) => p.source === 'arxiv' && p.listedOn === '2026-09-24')).toBe(true);
    const listed = hf[0]!;
    await store.papers.upsert(hf, seenAt);
    // The same paper announced in a later RSS feed: arXiv's announcement day, not a Daily Papers list.
    await store.papers.upsert([...rss, { ...rss[0]!, id: listed.id, arxivId: listed.arxivId, title: listed.title }], seenAt);
    expect(await store.papers.latestListDate()).toBe('2026-07-31');
    expect((await store.papers.get(listed.id))?.listedOn).toBe('2026-07-31');
    // The RSS papers themselves keep their announcement day, for a channel's arXiv window.
    expect((await store.papers.get(rss[1]!.id))?.listedOn).toBe('2026-09-24');
  });

  it('merges a listed paper with its arXiv record: the list keeps its upvotes, the paper gains categories', async () => {
    const fromHf = hf.find((p) => p.id === '2607.28618')!;
    await store.papers.upsert([fromHf], seenAt);
    await store.papers.upsert(arxiv, seenAt);
    expect(await store.papers.get(fromHf.id)).toMatchObject({
      upvotes: fromHf.upvotes,
      listedOn: '2026-07-31',
      source: 'hf-api',
      categories: ['cs.CL', 'cs.AI', 'cs.IR', 'cs.LG'],
    });
    // Seen again on the list, which names no categories, it keeps arXiv's.
    await store.papers.upsert([fromHf], seenAt);
    expect((await store.papers.get(fromHf.id))!.categories).toEqual(['cs.CL', 'cs.AI', 'cs.IR', 'cs.LG']);
  });

  it('finds the papers of some categories published or listed in a window', async () => {
    await store.papers.upsert([...arxiv, ...hf], seenAt);
    const cv = await store.papers.inCategories(['cs.CV'], '2026-07-30', '2026-07-31');
    expect(cv.map((p) => p.id).sort()).toEqual(
      arxiv
        .filter((p) => p.categories!.includes('cs.CV'))
        .map((p) => p.id)
        .sort(),
    );
    expect(cv.length).toBeGreaterThan(0);
    const both = await store.papers.inCategories(['cs.CV', 'hep-th'], '2026-07-30', '2026-07-30');
    expect(both.length).toBe(arxiv.filter((p) => p.categories!.some((c) => c === 'cs.CV' || c === 'hep-th')).length);
    expect(await store.papers.inCategories(['cs.CV'], '2026-07-31', '2026-08-01')).toEqual([]);
    expect(await store.papers.inCategories(['math.AG'], '2026-07-30', '2026-07-31')).toEqual([]);
    expect(await store.papers.inCategories([], '2026-07-30', '2026-07-31')).toEqual([]);

    // An RSS item is found by the day it was announced.
    const rss = parseListing(readFixture('arxiv/rss-cs.LG+cs.AI+cs.CL+stat.ML-2026-09-24-trimmed.xml')).papers;
    await store.papers.upsert(rss, seenAt);
    expect((await store.papers.inCategories(['stat.ML'], '2026-09-23', '2026-09-24')).map((p) => p.id).sort()).toEqual(
      rss
        .filter((p) => p.categories!.includes('stat.ML'))
        .map((p) => p.id)
        .sort(),
    );
  });

  it("stores a subscription's arXiv categories, none when not given, and counts a change as a change", async () => {
    expect((await store.subscriptions.upsert(channel)).arxiv).toEqual([]);
    expect((await store.subscriptions.upsert({ ...channel, arxiv: ['cs.LG', 'cs.CL'] })).arxiv).toEqual(['cs.LG', 'cs.CL']);
    expect((await store.subscriptions.get('slack:C1'))!.arxiv).toEqual(['cs.LG', 'cs.CL']);
    expect((await store.subscriptions.list())[0]!.arxiv).toEqual(['cs.LG', 'cs.CL']);

    // A config file changing only the categories re-enables a subscription the scheduler disabled.
    const fromConfig = { ...channel, origin: 'config' as const, arxiv: ['cs.LG'] };
    await store.subscriptions.upsert(fromConfig);
    await store.subscriptions.recordFailure('slack:C1', 'channel_not_found', 1);
    await store.subscriptions.upsert(fromConfig);
    expect((await store.subscriptions.get('slack:C1'))!.enabled).toBe(false);
    await store.subscriptions.upsert({ ...fromConfig, arxiv: ['cs.CL'] });
    expect(await store.subscriptions.get('slack:C1')).toMatchObject({ enabled: true, arxiv: ['cs.CL'] });
  });
});
