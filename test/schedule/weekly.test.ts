import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { postDaily } from '../../src/schedule/fanout';
import { createScheduler, type Scheduler } from '../../src/schedule/scheduler';
import { localDateTime } from '../../src/schedule/time';
import { addDays } from '../../src/model/dates';
import type { Paper } from '../../src/model/paper';
import type { Store } from '../../src/store/types';
import { openTestStore } from '../helpers/stores';
import { log, msAfter, RecordingPoster, realPapers, subscription, testConfig } from './harness';

/**
 * Weekly and weekday channel posts on a faked clock: node-cron and the scheduler's watch run for
 * real over weeks that include Europe/Berlin's DST changes, against a SQLite store.
 */
const NO_SWEEP = '0 0 1 1 *';

/** Five papers listed on each day from `from` to `to`, ids `<date>#<n>`, upvotes rising through the days. */
function listsBetween(from: string, to: string): Paper[] {
  const papers: Paper[] = [];
  let day = 0;
  for (let date = from; date <= to; date = addDays(date, 1), day++) {
    for (let n = 0; n < 5; n++) {
      const base = realPapers[(day * 5 + n) % realPapers.length]!;
      papers.push({ ...base, id: `${date}#${n}`, arxivId: null, listedOn: date, upvotes: day * 10 + n });
    }
  }
  return papers;
}

describe('weekly and weekday posts', () => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let poster: RecordingPoster;
  let scheduler: Scheduler | null = null;

  beforeEach(async () => {
    ({ store, cleanup } = await openTestStore('sqlite'));
    poster = new RecordingPoster();
  });
  afterEach(async () => {
    await scheduler?.stop();
    vi.useRealTimers();
    await cleanup();
  });

  async function runBetween(from: string, to: string) {
    vi.useFakeTimers({ now: new Date(from), toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'Date'] });
    scheduler = createScheduler({
      store,
      posters: [poster],
      config: testConfig(),
      log,
      clock: { now: () => new Date() },
      retryDelayMs: 0,
      sweepCron: NO_SWEEP,
      // Weeks of fake time: a watch a minute instead of every 10 s keeps the run short.
      watchMs: 60_000,
    });
    await scheduler.start();
    await vi.advanceTimersByTimeAsync(Date.parse(to) - Date.parse(from));
  }

  /** The local date and time of each post (its header), and the papers each carried. */
  function posts(channel: string, zone: string): { at: string; papers: string[] }[] {
    const out: { at: string; papers: string[] }[] = [];
    for (const m of poster.inChannel(channel)) {
      if (m.paperIds.length === 0) {
        const l = localDateTime(m.at, zone);
        out.push({ at: `${l.date} ${l.time}`, papers: [] });
      } else out.at(-1)!.papers.push(...m.paperIds);
    }
    return out;
  }

  it('posts once a week on its day, the top of the seven list days before, on the right local day across both DST changes', async () => {
    await store.papers.upsert([...listsBetween('2026-03-14', '2026-04-04'), ...listsBetween('2026-10-17', '2026-10-31')], new Date('2026-03-14T08:00:00Z'));
    // Sunday 02:30 in Berlin: on 29 March that time does not exist (03:00), on 25 October it happens twice.
    await store.subscriptions.upsert(subscription('weekly', { every: 'week', weekDay: 'sun', time: '02:30', timezone: 'Europe/Berlin', rank: 'popular' }));
    await runBetween('2026-03-20T12:00:00Z', '2026-04-06T12:00:00Z');
    expect(posts('weekly', 'Europe/Berlin')).toEqual([
      { at: '2026-03-22 02:30', papers: ['2026-03-21#4', '2026-03-21#3', '2026-03-21#2'] },
      { at: '2026-03-29 03:00', papers: ['2026-03-28#4', '2026-03-28#3', '2026-03-28#2'] },
      { at: '2026-04-05 02:30', papers: ['2026-04-04#4', '2026-04-04#3', '2026-04-04#2'] },
    ]);
    expect(poster.inChannel('weekly')[0]!.text).toContain('2026-03-15 to 2026-03-21');
    await scheduler!.stop();
    vi.useRealTimers();

    await runBetween('2026-10-23T12:00:00Z', '2026-11-02T12:00:00Z');
    const autumn = posts('weekly', 'Europe/Berlin').slice(3);
    expect(autumn.map((p) => p.at)).toEqual(['2026-10-25 02:30', '2026-11-01 02:30']);
    // The first of the two 02:30s (CEST).
    const header = poster.inChannel('weekly').filter((m) => m.paperIds.length === 0)[3]!;
    expect(msAfter(header.at, '2026-10-25T00:30:00Z')).toBeGreaterThanOrEqual(0);
    expect(msAfter(header.at, '2026-10-25T00:30:00Z')).toBeLessThan(1000);
    // Four weeks of the scheduler's timers, run one by one: seconds on a quiet machine, more on a busy one.
  }, 120_000);

  it('the seven days are ranked together: a strong paper from early in the week beats the later ones', async () => {
    const papers = listsBetween('2026-06-01', '2026-06-07');
    papers[0] = { ...papers[0]!, upvotes: 500 };
    await store.papers.upsert(papers, new Date('2026-06-01T08:00:00Z'));
    await store.subscriptions.upsert(subscription('weekly', { every: 'week', weekDay: 'mon', time: '09:00', timezone: 'UTC', rank: 'popular' }));
    await runBetween('2026-06-08T08:00:00Z', '2026-06-08T10:00:00Z');
    expect(posts('weekly', 'UTC')).toEqual([{ at: '2026-06-08 09:00', papers: ['2026-06-01#0', '2026-06-07#4', '2026-06-07#3'] }]);
  });

  it('every weekday skips Saturday and Sunday', async () => {
    await store.papers.upsert(listsBetween('2026-06-01', '2026-06-09'), new Date('2026-06-01T08:00:00Z'));
    await store.subscriptions.upsert(subscription('weekdays', { every: 'weekday', time: '09:00', timezone: 'America/New_York' }));
    // Friday 5 June to Tuesday 9 June.
    await runBetween('2026-06-05T12:00:00Z', '2026-06-09T23:00:00Z');
    expect(posts('weekdays', 'America/New_York').map((p) => p.at)).toEqual(['2026-06-05 09:00', '2026-06-08 09:00', '2026-06-09 09:00']);
  });

  it('a weekly post whose day changes within the week does not post twice that week', async () => {
    await store.papers.upsert(listsBetween('2026-06-01', '2026-06-20'), new Date('2026-06-01T08:00:00Z'));
    await store.subscriptions.upsert(subscription('moved', { every: 'week', weekDay: 'mon', time: '09:00', timezone: 'UTC' }));
    await runBetween('2026-06-08T08:00:00Z', '2026-06-08T10:00:00Z');
    await store.subscriptions.upsert(subscription('moved', { every: 'week', weekDay: 'wed', time: '09:00', timezone: 'UTC' }));
    await vi.advanceTimersByTimeAsync(Date.parse('2026-06-17T10:00:00Z') - Date.now());
    expect(posts('moved', 'UTC').map((p) => p.at)).toEqual(['2026-06-08 09:00', '2026-06-17 09:00']);
  });

  it('papers post-daily for a day the channel does not post on skips it and says why', async () => {
    await store.papers.upsert(listsBetween('2026-06-01', '2026-06-07'), new Date('2026-06-01T08:00:00Z'));
    await store.subscriptions.upsert(subscription('weekly', { every: 'week', weekDay: 'fri' }));
    const report = await postDaily({
      store,
      posters: [poster],
      config: testConfig(),
      log,
      now: () => new Date('2026-06-08T10:00:00Z'),
      owner: { host: 'h', pid: 1 },
      date: '2026-06-08',
    });
    expect(report.channels).toEqual([expect.objectContaining({ outcome: 'skipped', detail: 'not a posting day: it posts every Friday' })]);
    expect(poster.shown).toEqual([]);
  });
});
