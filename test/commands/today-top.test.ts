import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dispatch } from '../../commands/kit/dispatch';
import { bundledPapers, invocation, testServices, NOW } from './services';
import { paperIdsOf, textOf } from './reply-text';
import { messageControls, papersOf } from '../../src/chat/reply';

let t: Awaited<ReturnType<typeof testServices>>;
beforeEach(async () => void (t = await testServices()));
afterEach(async () => t.cleanup());

describe('today', () => {
  it('shows the top 5 of the latest non-empty list, each paper its own block, and names the day', async () => {
    const reply = await dispatch(invocation('today'), t.svc);
    expect(reply.visibility).toBe('public');
    expect(reply.blocks.filter((b) => b.kind === 'paper')).toHaveLength(5);
    expect(new Set(paperIdsOf(reply)).size).toBe(5);
    expect(paperIdsOf(reply)[0]).toBe('2510.11696');
    const text = textOf(reply);
    expect(text).toContain('Tue, Oct 14, 2025');
    expect(text).toContain('the latest list');
    expect(text).toContain('top 5 of 39');
  });

  it("uses this channel's subscription settings, the same selection as the daily post", async () => {
    await dispatch(invocation('subscribe', { top: 3, 'min-upvotes': 20 }), t.svc);
    const reply = await dispatch(invocation('today'), t.svc);
    expect(paperIdsOf(reply)).toHaveLength(3);
    for (const block of reply.blocks) if (block.kind === 'paper') expect(block.paper.upvotes).toBeGreaterThanOrEqual(20);
    expect(textOf(reply)).toContain("by this channel's settings");
  });

  it('says so when no paper passes the settings', async () => {
    await dispatch(invocation('subscribe', { 'min-upvotes': 1000 }), t.svc);
    const reply = await dispatch(invocation('today'), t.svc);
    expect(paperIdsOf(reply)).toEqual([]);
    expect(textOf(reply)).toMatch(/None of its 39 papers pass this channel's settings \(minimum upvotes 1000/);
  });

  it('says the store is empty instead of showing nothing', async () => {
    const empty = await testServices({ papers: [] });
    try {
      const reply = await dispatch(invocation('today'), empty.svc);
      expect(textOf(reply)).toContain('No Daily Papers list in the store yet');
    } finally {
      await empty.cleanup();
    }
  });

  it('says where the data came from when it is the bundled listing', async () => {
    t.setStatus({ lastSuccessAt: null, lastError: null, note: 'Hugging Face could not be reached: showing the bundled 2025-10-14 list' });
    expect(textOf(await dispatch(invocation('today'), t.svc))).toContain('showing the bundled 2025-10-14 list');
  });

  it('says how old the data is when the source has been failing', async () => {
    t.setStatus({ lastSuccessAt: new Date(NOW.getTime() - 3 * 3600_000), lastError: 'HTTP 503 from huggingface.co', note: null });
    const text = textOf(await dispatch(invocation('today'), t.svc));
    expect(text).toContain('HTTP 503 from huggingface.co');
    expect(text).toContain('last refreshed 3 hours ago');
  });

  it('calls the list today when it is from today', async () => {
    const reply = await dispatch(invocation('today'), { ...t.svc, now: () => new Date('2025-10-14T18:00:00Z') });
    expect(textOf(reply)).toContain('Tue, Oct 14, 2025 (today)');
  });
});

describe('top', () => {
  it('ranks the week ending at the latest list as one list', async () => {
    const reply = await dispatch(invocation('top'), t.svc);
    const list = reply.blocks.find((b) => b.kind === 'papers');
    expect(list?.kind === 'papers' && list.items.map((i) => i.rank)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(textOf(reply)).toContain('Top 10 of the week (Wed, Oct 8, 2025 to Tue, Oct 14, 2025)');
  });

  it('ranks by upvotes within the period, never decaying them: 283 upvotes three weeks ago beat 52 today', async () => {
    const [a, b] = bundledPapers();
    const old = {
      ...a!,
      id: '2509.99001',
      arxivId: '2509.99001',
      title: 'An older, much upvoted paper',
      upvotes: 283,
      listedOn: '2025-09-22',
      publishedAt: '2025-09-19',
    };
    const fresh = {
      ...b!,
      id: '2510.99002',
      arxivId: '2510.99002',
      title: 'A fresh paper with fewer upvotes',
      upvotes: 52,
      listedOn: '2025-10-14',
      publishedAt: '2025-10-13',
    };
    const tie = {
      ...b!,
      id: '2509.99003',
      arxivId: '2509.99003',
      title: 'As many upvotes as the fresh one, listed earlier',
      upvotes: 52,
      listedOn: '2025-09-30',
      publishedAt: '2025-09-29',
    };
    const t2 = await testServices({ papers: [...bundledPapers().filter((p) => p.upvotes < 52), old, fresh, tie] });
    try {
      const ids = paperIdsOf(await dispatch(invocation('top', { period: 'month' }), t2.svc));
      expect(ids.slice(0, 3)).toEqual([old.id, fresh.id, tie.id]);
      // The week leaves the older ones out rather than ranking them lower.
      expect(paperIdsOf(await dispatch(invocation('top', { period: 'week' }), t2.svc))[0]).toBe(fresh.id);
    } finally {
      await t2.cleanup();
    }
  });

  it('takes a period, a limit and an end date', async () => {
    expect(paperIdsOf(await dispatch(invocation('top', { period: 'day', limit: '3' }), t.svc))).toHaveLength(3);
    expect(textOf(await dispatch(invocation('top', { period: 'month', date: '2025-01-31' }), t.svc))).toBe(
      'No Daily Papers list on or before 2025-01-31 in the store.',
    );
  });

  it('says the store is empty, notes stale data under the header, and gives a text fallback naming each paper', async () => {
    const empty = await testServices({ papers: [] });
    try {
      expect(textOf(await dispatch(invocation('top'), empty.svc))).toBe('No Daily Papers list in the store yet.');
    } finally {
      await empty.cleanup();
    }
    t.setStatus({ lastSuccessAt: new Date(NOW.getTime() - 3 * 3600_000), lastError: 'HTTP 503 from huggingface.co', note: null });
    const reply = await dispatch(invocation('top', { period: 'day', limit: '2' }), t.svc);
    const [header, freshness] = (reply.blocks[0]!.kind === 'text' ? reply.blocks[0]!.text : '').split('\n');
    expect(header).toBe('Top 2 of the day (Tue, Oct 14, 2025).');
    expect(freshness).toContain('HTTP 503 from huggingface.co');
    const titles = reply.blocks[1]!.kind === 'papers' ? reply.blocks[1]!.items.map((i) => i.paper.title) : [];
    expect(reply.fallback).toBe(`Top 2 of the day (Tue, Oct 14, 2025). 1. ${titles[0]} 2. ${titles[1]}`);
  });

  it('reads every list day of the period and none before it: day, week and month', async () => {
    // The bundled papers spread over list days from Sep 14 to Oct 14: the week starts on Oct 8, the month on Sep 15.
    const days = ['2025-10-14', '2025-10-13', '2025-10-08', '2025-10-07', '2025-09-15', '2025-09-14'];
    const papers = bundledPapers()
      .slice(0, 12)
      .map((p, i) => ({ ...p, listedOn: days[i % days.length]! }));
    const spread = await testServices({ papers });
    try {
      const listed = async (period: string) => {
        const reply = await dispatch(invocation('top', { period }), spread.svc);
        return paperIdsOf(reply)
          .map((id) => papers.find((p) => p.id === id)!.listedOn)
          .sort();
      };
      expect(await listed('day')).toEqual(['2025-10-14', '2025-10-14']);
      expect(await listed('week')).toEqual(['2025-10-08', '2025-10-08', '2025-10-13', '2025-10-13', '2025-10-14', '2025-10-14']);
      expect(await listed('month')).toEqual([
        '2025-09-15',
        '2025-09-15',
        '2025-10-07',
        '2025-10-07',
        '2025-10-08',
        '2025-10-08',
        '2025-10-13',
        '2025-10-13',
        '2025-10-14',
        '2025-10-14',
      ]);
      expect(textOf(await dispatch(invocation('top', { period: 'month' }), spread.svc))).toContain(
        'Top 10 of the month (Mon, Sep 15, 2025 to Tue, Oct 14, 2025)',
      );
    } finally {
      await spread.cleanup();
    }
  });

  it.each([
    [{ period: 'year' }, 'period must be one of day, week, month (got "year")'],
    [{ limit: 11 }, 'limit must be a whole number from 1 to 10 (got "11")'],
    [{ limit: 'five' }, 'limit must be a whole number from 1 to 10 (got "five")'],
    [{ date: '14.10.2025' }, 'expected a date as YYYY-MM-DD'],
    [{ date: '2025-13-45' }, 'date must be a real day as YYYY-MM-DD, e.g. 2025-10-14'],
  ])('refuses %o with a message saying what is accepted', async (args, message) => {
    const reply = await dispatch(invocation('top', args), t.svc);
    expect(reply.visibility).toBe('private');
    expect(textOf(reply)).toBe(message);
  });
});

describe('top: how the answer is posted', () => {
  it('answers in public, its list offering one Save picker over the papers in rank order', async () => {
    const reply = await dispatch(invocation('top', { period: 'day', limit: '3' }), t.svc);
    expect(reply.visibility).toBe('public');
    expect(messageControls(reply.blocks)).toEqual({ kind: 'picker', papers: papersOf(reply) });
    expect(papersOf(reply)).toHaveLength(3);
  });

  it('answers in public too when no list is stored, so the channel sees why nothing came', async () => {
    const empty = await testServices({ papers: [] });
    try {
      const reply = await dispatch(invocation('top', { date: '2025-10-14' }), empty.svc);
      expect(reply).toEqual({
        blocks: [{ kind: 'text', text: 'No Daily Papers list on or before 2025-10-14 in the store.' }],
        visibility: 'public',
        fallback: 'No Daily Papers list on or before 2025-10-14 in the store.',
      });
    } finally {
      await empty.cleanup();
    }
  });

  it('puts the header alone above the list when the data is fresh, with no empty line for a note', async () => {
    const reply = await dispatch(invocation('top', { period: 'day', limit: '2' }), t.svc);
    expect(reply.blocks[0]).toEqual({ kind: 'text', text: 'Top 2 of the day (Tue, Oct 14, 2025).' });
  });
});
