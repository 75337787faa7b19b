import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/types';
import { HF_PAGE_SIZE } from '../../src/sources/hf';
import { createRefresher, listDatesToRefresh, type Refresher } from '../../src/sources/refresher';
import { loadSourceStatus } from '../../src/sources/status';
import { startFakeSource, type FakeSource } from '../fakes/hf-server';
import { openTestStore, storeKinds } from '../helpers/stores';
import { readFixture } from '../helpers/fixtures';
import { captureLog } from './capture-log';

const listing = readFixture('hf-api/daily_papers-2025-10-14.json');
const items = JSON.parse(listing) as { paper: { id: string; upvotes: number } }[];
// 20:00 UTC is 16:00 in New York: the refresher asks for the 14th and the 13th (an empty day here).
const now = () => new Date('2025-10-14T20:00:00Z');

it('asks for the US Eastern today and yesterday', () => {
  expect(listDatesToRefresh(now())).toEqual(['2025-10-14', '2025-10-13']);
  // 02:00 UTC on the 15th is still the evening of the 14th in New York.
  expect(listDatesToRefresh(new Date('2025-10-15T02:00:00Z'))).toEqual(['2025-10-14', '2025-10-13']);
});

describe.each(storeKinds)('refresher on %s', (kind) => {
  let source: FakeSource;
  let store: Store;
  let cleanup: () => Promise<void>;
  let slept: number[];
  let logged: ReturnType<typeof captureLog>;

  beforeEach(async () => {
    source = await startFakeSource();
    source.days.set('2025-10-14', listing);
    ({ store, cleanup } = await openTestStore(kind));
    slept = [];
    logged = captureLog();
  });
  afterEach(async () => {
    await source.close();
    await cleanup();
  });

  const refresher = (retries = 1): Refresher =>
    createRefresher({
      store,
      config: { hfBaseUrl: source.url, arxivApiUrl: source.url, arxivCategories: [], refreshMinutes: 15 },
      log: logged.log,
      now,
      fetch: { connectTimeoutMs: 300, timeoutMs: 2_000, retries, sleep: async (ms) => void slept.push(ms), random: () => 0 },
    });
  const stored = async () => (await store.papers.listedBetween('2025-10-14', '2025-10-14')).sort((a, b) => a.id.localeCompare(b.id));
  const events = (msg: string) => logged.events().filter((e) => e.msg === msg);

  /** A first good refresh, so each fault below can be checked against data that must survive it. */
  async function goodRefresh(r: Refresher) {
    const report = await r.refreshOnce();
    expect(report.failures).toEqual([]);
    return stored();
  }

  it('stores the day list once, with its list date, and records success', async () => {
    const r = refresher();
    const report = await r.refreshOnce();
    expect(report.failures).toEqual([]);
    expect(report.days.map((d) => [d.date, d.papers, d.stored.inserted])).toEqual([
      ['2025-10-14', 39, 39],
      ['2025-10-13', 0, 0],
    ]);
    const papers = await stored();
    expect(papers).toHaveLength(39);
    expect(papers.find((p) => p.id === '2510.11696')?.upvotes).toBe(items.find((i) => i.paper.id === '2510.11696')!.paper.upvotes);
    expect(r.status()).toEqual({ lastSuccessAt: now(), lastError: null, note: null });
    expect(await loadSourceStatus(store.meta)).toEqual(r.status());
    expect(events('refresh done')).toHaveLength(1);
    expect(source.requests.map((q) => q.url)).toEqual(['/api/daily_papers?date=2025-10-14', '/api/daily_papers?date=2025-10-13']);
  });

  it('updates upvotes in place and picks up late arrivals without duplicates', async () => {
    const early = items.slice(0, 30).map((i) => ({ ...i, paper: { ...i.paper, upvotes: 1 } }));
    source.days.set('2025-10-14', JSON.stringify(early));
    const r = refresher();
    await r.refreshOnce();
    expect(await stored()).toHaveLength(30);

    source.days.set('2025-10-14', listing);
    const report = await r.refreshOnce();
    expect(report.days[0]!.stored).toMatchObject({ inserted: 9 });
    expect(report.days[0]!.stored.updated).toBeGreaterThan(0);
    const papers = await stored();
    expect(papers).toHaveLength(39);
    expect(await store.papers.count()).toBe(39);
    expect(papers.find((p) => p.id === items[0]!.paper.id)?.upvotes).toBe(items[0]!.paper.upvotes);
  });

  it('asks conditionally next time and treats 304 as nothing new', async () => {
    const r = refresher();
    const before = await goodRefresh(r);
    const report = await r.refreshOnce();
    expect(report.days[0]).toMatchObject({ notModified: true, papers: 0 });
    expect(source.requests[2]!.url).toBe(source.requests[0]!.url);
    expect(source.requests[0]!.etag).toMatch(/^W\/"[0-9a-f]{40}"$/);
    expect(source.requests[2]!.headers['if-none-match']).toBe(source.requests[0]!.etag);
    expect(await stored()).toEqual(before);
  });

  it('pages when a page comes back full', async () => {
    // 39 + 23 real entries: more than one page of the API's default 50.
    const more = JSON.parse(readFixture('hf-api/daily_papers-2026-08-17.json')) as unknown[];
    source.days.set('2025-10-14', JSON.stringify([...items, ...more]));
    source.defaultLimit = HF_PAGE_SIZE;
    const report = await createRefresher({
      store,
      config: { hfBaseUrl: source.url, arxivApiUrl: source.url, arxivCategories: [], refreshMinutes: 15 },
      log: logged.log,
      now,
    }).refreshOnce();
    expect(report.days[0]!.papers).toBe(62);
    expect(source.requests.map((q) => q.url)).toEqual([
      '/api/daily_papers?date=2025-10-14',
      '/api/daily_papers?date=2025-10-14&p=1&limit=50',
      '/api/daily_papers?date=2025-10-13',
    ]);
    expect(await stored()).toHaveLength(62);
  });

  it('retries a 500 and then stores the list', async () => {
    source.script({ kind: 'status', status: 500 });
    const report = await refresher().refreshOnce();
    expect(report.failures).toEqual([]);
    expect(await stored()).toHaveLength(39);
    expect(events('fetch failed, retrying')[0]).toMatchObject({
      error: 'HTTP 500 Internal Server Error',
      url: `${source.url}/api/daily_papers?date=2025-10-14`,
    });
  });

  it('waits as long as a 429 asks, then stores the list', async () => {
    source.script({ kind: 'status', status: 429, headers: { 'retry-after': '30' } });
    await refresher().refreshOnce();
    expect(slept).toEqual([30_000]);
    expect(await stored()).toHaveLength(39);
  });

  describe('a failing source keeps the last good data and says what failed', () => {
    async function failAfterGood(steps: Parameters<FakeSource['script']>, expectedError: RegExp) {
      const r = refresher(0);
      const good = await goodRefresh(r);
      const goodAt = r.status().lastSuccessAt;
      source.days.set('2025-10-14', listing.replace(/"upvotes": \d+/g, '"upvotes": 0'));
      source.script(...steps);

      const report = await r.refreshOnce();
      expect(report.failures).toHaveLength(1);
      expect(report.failures[0]!.what).toBe('2025-10-14');
      expect(report.failures[0]!.error).toMatch(expectedError);
      expect(await stored()).toEqual(good);
      expect(r.status().lastSuccessAt).toEqual(goodAt);
      expect(r.status().lastError).toMatch(expectedError);
      // People see the reason, not our URLs.
      expect(r.status().lastError).toMatch(/^Hugging Face: /);
      expect(r.status().lastError).not.toContain(source.url);
      expect((await loadSourceStatus(store.meta)).lastError).toBe(r.status().lastError);
      const warn = events('refresh failed; answers use the last good data');
      expect(warn).toHaveLength(1);
      expect((warn[0]!.failures as { error: string }[])[0]!.error).toMatch(expectedError);
      return r;
    }

    it('a hung connection times out', async () => {
      await failAfterGood([{ kind: 'hang' }], /no response within 300 ms/);
    });

    it('truncated JSON is refused, and the next refresh fetches in full again', async () => {
      const r = await failAfterGood([{ kind: 'truncate', bytes: 5_000 }], /invalid JSON \(truncated\?\)/);
      const report = await r.refreshOnce();
      expect(report.days[0]!.notModified).toBe(false);
      expect((await stored()).every((p) => p.upvotes === 0)).toBe(true);
      expect(r.status().lastError).toBeNull();
    });

    it('an HTML error page is refused', async () => {
      await failAfterGood([{ kind: 'html' }], /expected JSON but got an HTML page titled "502 Bad Gateway"/);
    });

    it('an oversize body is cut off', async () => {
      await failAfterGood([{ kind: 'oversize', bytes: 40 * 1024 * 1024 }], /response larger than 20971520 bytes/);
    });

    it('a 500 that persists', async () => {
      await failAfterGood([{ kind: 'status', status: 500 }], /HTTP 500/);
    });
  });

  it('start loads the persisted status and refreshes at once', async () => {
    await refresher().refreshOnce();
    const r = refresher();
    expect(r.status().lastSuccessAt).toBeNull();
    await r.start();
    expect(r.status().lastSuccessAt).toEqual(now());
    // Joins the refresh start began rather than asking again.
    await r.refreshOnce();
    await r.stop();
    expect(source.requests).toHaveLength(4);
  });

  it('stop cancels a refresh in flight without recording the source as failing', async () => {
    source.script({ kind: 'hang' });
    const r = createRefresher({
      store,
      config: { hfBaseUrl: source.url, arxivApiUrl: source.url, arxivCategories: [], refreshMinutes: 15 },
      log: logged.log,
      now,
      fetch: { connectTimeoutMs: 60_000 },
    });
    await r.start();
    await r.stop();
    expect(r.status().lastError).toBeNull();
    expect(await store.papers.count()).toBe(0);
  });

  it('an arXiv failure is reported without losing the Daily Papers refresh', async () => {
    const r = createRefresher({
      store,
      config: { hfBaseUrl: source.url, arxivApiUrl: source.url, arxivCategories: ['cs.AI', 'cs.LG'], refreshMinutes: 15 },
      log: logged.log,
      now,
      fetch: { retries: 0 },
    });
    const report = await r.refreshOnce();
    expect(report.failures).toEqual([{ what: 'arxiv', error: expect.stringMatching(/HTTP 404/), reason: 'arXiv: HTTP 404 Not Found' }]);
    expect(r.status().lastError).toBe('arXiv: HTTP 404 Not Found');
    expect(await stored()).toHaveLength(39);
  });
});
