import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createScheduler, type Scheduler } from '../../src/schedule/scheduler';
import { localDateTime } from '../../src/schedule/time';
import type { Store } from '../../src/store/types';
import { openTestStore } from '../helpers/stores';
import { log, msAfter, RecordingPoster, seed, subscription, testConfig } from './harness';

/**
 * node-cron itself drives these: the system clock is faked and advanced through the DST days, so
 * the real cron tasks fire. Only timers (setImmediate too) and Date are faked; the SQLite store runs for real.
 */
/** No sweep during these runs (once a year): the cron tasks alone must post on time. */
const NO_SWEEP = '0 0 1 1 *';

describe('scheduler across DST changes and zones (node-cron on a faked clock)', () => {
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

  async function runBetween(from: string, to: string, sweepCron = NO_SWEEP) {
    vi.useFakeTimers({ now: new Date(from), toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'Date'] });
    scheduler = createScheduler({ store, posters: [poster], config: testConfig(), log, clock: { now: () => new Date() }, retryDelayMs: 0, sweepCron });
    await scheduler.start();
    await vi.advanceTimersByTimeAsync(Date.parse(to) - Date.parse(from));
  }

  /** Local date and time of each header sent to the channel, i.e. one entry per daily post. */
  function posts(channel: string, zone: string): string[] {
    return poster
      .inChannel(channel)
      .filter((m) => m.paperIds.length === 0)
      .map((m) => {
        const l = localDateTime(m.at, zone);
        return `${l.date} ${l.time}`;
      });
  }

  it('Europe/Berlin spring forward: 02:30 does not exist, so it posts at 03:00 that day', async () => {
    await seed(store, [subscription('berlin', { time: '02:30', timezone: 'Europe/Berlin' })]);
    await runBetween('2026-03-27T12:00:00Z', '2026-03-30T12:00:00Z');
    expect(posts('berlin', 'Europe/Berlin')).toEqual(['2026-03-28 02:30', '2026-03-29 03:00', '2026-03-30 02:30']);
    // Each post carries its header and papers, none repeated.
    const papers = poster.inChannel('berlin').flatMap((m) => m.paperIds);
    expect(papers).toHaveLength(9);
    expect(new Set(papers).size).toBe(9);
  });

  it('Europe/Berlin fall back: 02:30 happens twice but posts once', async () => {
    await seed(store, [subscription('berlin', { time: '02:30', timezone: 'Europe/Berlin' })]);
    await runBetween('2026-10-24T12:00:00Z', '2026-10-26T12:00:00Z');
    expect(posts('berlin', 'Europe/Berlin')).toEqual(['2026-10-25 02:30', '2026-10-26 02:30']);
    // node-cron fires at one of the two 02:30s (CEST 00:30Z or CET 01:30Z); the claim allows one
    // post, which leaves within the minute.
    const first = poster.inChannel('berlin')[0]!.at.getTime();
    const after = ['2026-10-25T00:30:00Z', '2026-10-25T01:30:00Z'].map((t) => first - Date.parse(t));
    expect(after.some((ms) => ms >= 0 && ms < 60_000)).toBe(true);
  });

  it('the sweep posts a repeated time at its first instant when the tick comes later', async () => {
    await seed(store, [subscription('berlin', { time: '02:30', timezone: 'Europe/Berlin' })]);
    await runBetween('2026-10-24T20:00:00Z', '2026-10-25T02:00:00Z', '*/5 * * * *');
    const sent = poster.inChannel('berlin');
    const headers = sent.filter((m) => m.paperIds.length === 0);
    expect(headers).toHaveLength(1);
    expect(msAfter(headers[0]!.at, '2026-10-25T00:30:00Z')).toBeGreaterThanOrEqual(0);
    expect(msAfter(headers[0]!.at, '2026-10-25T00:30:00Z')).toBeLessThan(1000);
    // Its papers follow at once.
    expect(sent).toHaveLength(4);
    expect(sent.every((m) => m.at < new Date('2026-10-25T01:30:00Z'))).toBe(true);
  });

  it('America/New_York: 02:30 moves to 03:00 in March; 01:30 posts once in November', async () => {
    await seed(store, [subscription('ny-spring', { time: '02:30', timezone: 'America/New_York' })]);
    await runBetween('2026-03-07T20:00:00Z', '2026-03-09T12:00:00Z');
    expect(posts('ny-spring', 'America/New_York')).toEqual(['2026-03-08 03:00', '2026-03-09 02:30']);
    await scheduler!.stop();
    vi.useRealTimers();

    await store.subscriptions.upsert(subscription('ny-fall', { time: '01:30', timezone: 'America/New_York' }));
    await store.subscriptions.delete('console:ny-spring');
    await runBetween('2026-10-31T12:00:00Z', '2026-11-02T12:00:00Z');
    expect(posts('ny-fall', 'America/New_York')).toEqual(['2026-11-01 01:30', '2026-11-02 01:30']);
    expect(msAfter(poster.inChannel('ny-fall')[0]!.at, '2026-11-01T05:30:00.000Z')).toBeGreaterThanOrEqual(0);
    expect(msAfter(poster.inChannel('ny-fall')[0]!.at, '2026-11-01T05:30:00.000Z')).toBeLessThan(1000);
  });

  it('Pacific/Auckland 23:30 posts on its own local date, ahead of UTC', async () => {
    await seed(store, [subscription('akl', { time: '23:30', timezone: 'Pacific/Auckland' })]);
    await runBetween('2026-01-14T00:00:00Z', '2026-01-16T00:00:00Z');
    expect(posts('akl', 'Pacific/Auckland')).toEqual(['2026-01-14 23:30', '2026-01-15 23:30']);
    expect(msAfter(poster.inChannel('akl')[0]!.at, '2026-01-14T10:30:00.000Z')).toBeGreaterThanOrEqual(0);
    expect(msAfter(poster.inChannel('akl')[0]!.at, '2026-01-14T10:30:00.000Z')).toBeLessThan(1000);
    expect(await store.deliveries.get('console:akl@2026-01-14')).toMatchObject({ state: 'posted' });
  });

  it('picks up a subscription made while running, at its next time', async () => {
    await seed(store, []);
    await runBetween('2026-06-01T08:00:00Z', '2026-06-01T08:01:00Z', '*/5 * * * *');
    await store.subscriptions.upsert(subscription('late', { time: '08:30', timezone: 'UTC' }));
    await vi.advanceTimersByTimeAsync(40 * 60_000);
    expect(posts('late', 'UTC')).toEqual(['2026-06-01 08:30']);
  });
});
