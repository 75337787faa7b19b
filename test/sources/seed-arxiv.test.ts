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

  it('stores the newest papers of the configured arXiv categories', async () => {
    const url = arxivQueryUrl(source.url, ['cs.AI', 'cs.LG', 'cs.CL']);
    expect(url).toBe(`${source.url}/api/query?search_query=cat:cs.AI+OR+cat:cs.LG+OR+cat:cs.CL&sortBy=submittedDate&sortOrder=descending&max_results=50`);
    source.files.set(url.slice(source.url.length), {
      body: readFixture('arxiv/api-query-cat-cs.AI-OR-cs.LG-OR-cs.CL-2026-08-02.xml'),
      contentType: 'application/atom+xml',
    });
    const result = await refreshArxiv(['cs.AI', 'cs.LG', 'cs.CL'], { store, apiUrl: source.url, log, now, fetch });
    expect(result).toMatchObject({ papers: 25, skipped: 0, stored: { inserted: 25 } });
    expect(await store.papers.count()).toBe(25);
  });

  it('turns an arXiv error feed into an error and stores nothing', async () => {
    const url = arxivQueryUrl(source.url, ['cs.AI']);
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
    expect(() => arxivQueryUrl('http://x', ['cs.AI&max_results=9999'])).toThrow(ConfigError);
    expect(() => arxivQueryUrl('http://x', [])).toThrow('arXiv: no categories given');
  });
});
