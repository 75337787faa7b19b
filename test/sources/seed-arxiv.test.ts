import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/types';
import { ConfigError } from '../../src/errors';
import { ensurePapers } from '../../src/sources/seed';
import { arxivQueryUrl, refreshArxiv } from '../../src/sources/arxiv';
import { createRefresher } from '../../src/sources/refresher';
import { loadSourceStatus } from '../../src/sources/status';
import { startFakeSource, type FakeSource } from '../fakes/hf-server';
import { openTestStore, storeKinds } from '../helpers/stores';
import { readFixture } from '../helpers/fixtures';
import { captureLog } from './capture-log';

// Monday 2025-10-20, 15:00 in New York.
const now = () => new Date('2025-10-20T19:00:00Z');
const fetch = { connectTimeoutMs: 300, retries: 0 };

describe.each(storeKinds)('first fill and arXiv on %s', (kind) => {
  let source: FakeSource;
  let store: Store;
  let cleanup: () => Promise<void>;
  const { log } = captureLog();

  beforeEach(async () => {
    source = await startFakeSource();
    ({ store, cleanup } = await openTestStore(kind));
  });
  afterEach(async () => {
    await source.close();
    await cleanup();
  });

  const seed = () => ensurePapers({ store, config: { hfBaseUrl: source.url }, log, now, fetch });

  it('fills an empty store from the newest list Hugging Face has, looking back over a weekend', async () => {
    source.days.set('2025-10-17', readFixture('hf-api/daily_papers-2025-10-14.json'));
    const result = await seed();
    expect(result).toEqual({ source: 'live', notice: 'filled the empty store with 39 papers from the 2025-10-17 Daily Papers list' });
    expect(await store.papers.latestListDate()).toBe('2025-10-17');
    expect((await loadSourceStatus(store.meta)).note).toBeNull();
  });

  it('falls back to the bundled list when Hugging Face is unreachable, and says so in the status', async () => {
    await source.close();
    const result = await seed();
    expect(result.source).toBe('bundled');
    expect(result.notice).toBe('Hugging Face could not be reached: showing the bundled 2025-10-14 list until a live one arrives');
    expect(await store.papers.count()).toBe(39);
    expect(await store.papers.latestListDate()).toBe('2025-10-14');
    expect((await loadSourceStatus(store.meta)).note).toBe(result.notice);
  });

  it('uses the bundled list when the recent lists are all empty, until a live list replaces the note', async () => {
    const result = await seed();
    expect(result.notice).toBe('Hugging Face had no list in the last 4 days: showing the bundled 2025-10-14 list until a live one arrives');

    source.days.set('2025-10-20', readFixture('hf-api/daily_papers-2024-10-14.json'));
    const r = createRefresher({
      store,
      config: { hfBaseUrl: source.url, arxivApiUrl: source.url, arxivCategories: [], refreshMinutes: 15 },
      log,
      now,
      fetch,
    });
    await r.refreshOnce();
    expect(r.status()).toEqual({ lastSuccessAt: now(), lastError: null, note: null });
  });

  it('leaves a store that has papers alone', async () => {
    await seed();
    const requests = source.requests.length;
    expect(await seed()).toEqual({ source: 'store', notice: null });
    expect(source.requests).toHaveLength(requests);
  });

  /** The fixture feed cut to entries [from, to), as a page of a category's newest submissions. */
  const BUSY_FEED = readFixture('arxiv/api-query-cat-cs.AI-OR-cs.LG-OR-cs.CL-2026-08-02.xml');
  const atomPage = (from: number, to: number) => {
    const [head, ...entries] = BUSY_FEED.replace('</feed>', '').split('<entry>');
    return `${head}${entries
      .slice(from, to)
      .map((e) => `<entry>${e}`)
      .join('')}</feed>`;
  };
  const serve = (category: string, start: number, body: string) =>
    source.files.set(arxivQueryUrl(source.url, category, start, 10).slice(source.url.length), { body, contentType: 'application/atom+xml' });
  const requested = () => source.requests.map((r) => new URL(r.url, source.url).searchParams).map((q) => `${q.get('search_query')} ${q.get('start')}`);

  it('fetches each category with paged requests of its own, 3 s apart, so a busy one never crowds out a quiet one', async () => {
    // cs.AI and cs.LG are busy (25 new papers, the same ones: cross-listed), math.CO quiet (one).
    for (const busy of ['cs.AI', 'cs.LG']) for (const start of [0, 10, 20]) serve(busy, start, atomPage(start, start + 10));
    serve('math.CO', 0, readFixture('arxiv/api-id_list-1605.08386.xml'));
    const waits: { ms: number; afterRequests: number }[] = [];
    const paced = { ...fetch, sleep: async (ms: number) => void waits.push({ ms, afterRequests: source.requests.length }) };
    const refresh = () => refreshArxiv(['cs.AI', 'cs.LG', 'math.CO'], { store, apiUrl: source.url, log, now, fetch: paced, pageSize: 10 });

    const first = await refresh();
    // cs.LG's papers came in with cs.AI in this same refresh: it still pages to its end.
    expect(requested()).toEqual(['cat:cs.AI 0', 'cat:cs.AI 10', 'cat:cs.AI 20', 'cat:cs.LG 0', 'cat:cs.LG 10', 'cat:cs.LG 20', 'cat:math.CO 0']);
    expect(waits).toEqual([1, 2, 3, 4, 5, 6].map((n) => ({ ms: 3_000, afterRequests: n })));
    expect(first).toMatchObject({ papers: 51, skipped: 0, stored: { inserted: 26 }, pages: { 'cs.AI': 3, 'cs.LG': 3, 'math.CO': 1 } });
    expect(await store.papers.count()).toBe(26);
    expect((await store.papers.get('1605.08386'))?.categories).toContain('math.CO');

    // Unchanged first pages (304) and a first page reaching stored papers end each category at once.
    serve('cs.LG', 0, atomPage(5, 15));
    source.requests.length = 0;
    const second = await refresh();
    expect(requested()).toEqual(['cat:cs.AI 0', 'cat:cs.LG 0', 'cat:math.CO 0']);
    expect(second).toMatchObject({ papers: 10, stored: { inserted: 0 }, pages: { 'cs.AI': 1, 'cs.LG': 1, 'math.CO': 1 } });
  });

  it('turns an arXiv error feed into an error and stores nothing', async () => {
    const url = arxivQueryUrl(source.url, 'cs.AI');
    source.files.set(url.slice(source.url.length), {
      body: readFixture('arxiv/api-id_list-abc-http400-error.xml'),
      contentType: 'application/atom+xml',
    });
    await expect(refreshArxiv(['cs.AI'], { store, apiUrl: source.url, log, now, fetch })).rejects.toThrow(/arXiv API answered with an error/);
    expect(await store.papers.count()).toBe(0);
  });
});

describe('arxivQueryUrl', () => {
  it('refuses what is not a category name', () => {
    expect(() => arxivQueryUrl('http://x', 'cs.AI&max_results=9999')).toThrow(ConfigError);
    expect(arxivQueryUrl('http://x', 'cs.LG', 200)).toBe(
      'http://x/api/query?search_query=cat:cs.LG&sortBy=submittedDate&sortOrder=descending&start=200&max_results=100',
    );
  });
});
