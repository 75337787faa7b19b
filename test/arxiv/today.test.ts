import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Services } from '../../src/chat/command';
import type { Paper } from '../../src/model/paper';
import type { Store } from '../../src/store/types';
import { dispatch } from '../../commands/kit/dispatch';
import { loadBotConfig } from '../../adapters/index';
import { createLogger } from '../../src/log';
import { selectDigest } from '../../src/digest/select';
import { arxivQueryUrl } from '../../src/sources/arxiv';
import { createRefresher } from '../../src/sources/refresher';
import { startFakeSource, type FakeSource } from '../fakes/hf-server';
import { openTestStore, storeKinds } from '../helpers/stores';
import { readFixture, repoRoot } from '../helpers/fixtures';
import { invocation } from '../commands/services';
import { captureLog } from '../sources/capture-log';

// Saturday 2026-08-01, 06:00 in New York: the refresher asks for the 1st (empty) and the 31st.
const NOW = new Date('2026-08-01T10:00:00Z');
const ARXIV_FEED = readFixture('arxiv/api-query-cat-cs.AI-OR-cs.LG-OR-cs.CL-2026-08-02.xml');
type Item = { paper: { id: string; upvotes: number } };
const hfItems = JSON.parse(readFixture('hf-api/daily_papers-2026-07-31.json')) as Item[];
/** 2607.28618 (AskChem) is on the list and, as cs.CL with cs.AI, in the arXiv feed. */
const BOTH = '2607.28618';
/** A quiet day: the list's least upvoted papers, plus one that arXiv also lists. */
const quietDay = hfItems.filter((i) => i.paper.upvotes <= 2 || i.paper.id === BOTH);

describe.each(storeKinds)('arXiv per channel on %s', (kind) => {
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

  const refresher = (arxivCategories: string[]) =>
    createRefresher({
      store,
      config: { hfBaseUrl: source.url, arxivApiUrl: source.url, arxivCategories, refreshMinutes: 15 },
      log,
      now: () => NOW,
      // arXiv's 3 s between requests (test/sources/seed-arxiv.test.ts checks them) taken as read.
      fetch: { connectTimeoutMs: 300, retries: 0, sleep: async () => {} },
    });
  const arxivRequests = () => source.requests.filter((r) => r.url.startsWith('/api/query'));
  const services: () => Services = () => ({
    store,
    config: loadBotConfig({}, repoRoot),
    log: createLogger({ level: 'silent' }),
    now: () => NOW,
    sourceStatus: () => ({ lastSuccessAt: NOW, lastError: null, note: null }),
  });
  const subscribe = (channel: string, args: Record<string, string | number>) =>
    dispatch(invocation('subscribe', args, { channel: { id: channel, isDirect: false } }), services());
  const todayIn = async (channel: string): Promise<{ paper: Paper; reason: string }[]> => {
    const reply = await dispatch(invocation('today', {}, { channel: { id: channel, isDirect: false } }), services());
    return reply.blocks.flatMap((b) => (b.kind === 'paper' ? [{ paper: b.paper, reason: b.reason ?? '' }] : []));
  };

  it('fetches the configured categories and every enabled channel’s, each with its own request', async () => {
    await refresher([]).refreshOnce();
    expect(arxivRequests()).toEqual([]);

    await subscribe('ml', { arxiv: 'cs.LG,cs.AI' });
    await subscribe('nlp', { arxiv: 'cs.CL,hep-th' });
    await subscribe('stats', { arxiv: 'stat.ML' });
    await store.subscriptions.recordFailure('console:stats', 'channel gone', 1);
    const paths = ['cs.AI', 'cs.CL', 'cs.LG', 'hep-th'].map((c) => arxivQueryUrl(source.url, c).slice(source.url.length));
    for (const path of paths) source.files.set(path, { body: ARXIV_FEED, contentType: 'application/atom+xml' });

    const report = await refresher(['cs.CL']).refreshOnce();
    expect(arxivRequests().map((r) => r.url)).toEqual(paths);
    expect(report.failures).toEqual([]);
    expect(report.arxiv).toMatchObject({ papers: 100, stored: { inserted: 25 } });
  });

  it('shows a cs.AI channel arXiv papers next to the day’s list in today, and a channel without arXiv only the list', async () => {
    source.days.set('2026-07-31', JSON.stringify(quietDay));
    await subscribe('ai', { arxiv: 'cs.AI', top: 10 });
    await subscribe('plain', { top: 10 });
    source.files.set(arxivQueryUrl(source.url, 'cs.AI').slice(source.url.length), { body: ARXIV_FEED, contentType: 'application/atom+xml' });
    expect((await refresher([]).refreshOnce()).failures).toEqual([]);

    const plain = await todayIn('plain');
    expect(plain.map((r) => r.paper.id).sort()).toEqual(quietDay.map((i) => i.paper.id).sort());
    expect(plain.every((r) => !r.reason.startsWith('arXiv'))).toBe(true);

    const ai = await todayIn('ai');
    expect(ai).toHaveLength(10);
    const fromArxiv = ai.filter((r) => r.paper.source === 'arxiv');
    expect(fromArxiv.length).toBeGreaterThan(0);
    expect(ai.length - fromArxiv.length).toBeGreaterThan(0);
    for (const r of fromArxiv) {
      expect(r.paper.categories).toContain('cs.AI');
      expect(r.reason).toMatch(/^arXiv cs\.AI · 0 upvotes · /);
    }
    // On the list and in arXiv: one paper, with the list's upvotes and no arXiv label.
    const both = ai.filter((r) => r.paper.id === BOTH);
    expect(both).toHaveLength(1);
    expect(both[0]!.paper.upvotes).toBe(hfItems.find((i) => i.paper.id === BOTH)!.paper.upvotes);
    expect(both[0]!.reason).not.toMatch(/^arXiv/);

    // The daily post selects the same way (the scheduler passes the stored subscription).
    const sub = (await store.subscriptions.get('console:ai'))!;
    const daily = await selectDigest(store, sub, { now: NOW, onOrBefore: '2026-08-01' });
    expect(daily.ranked.map((r) => [r.paper.id, r.reason])).toEqual(ai.map((r) => [r.paper.id, r.reason]));
  });
});
