import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createScheduler, type Scheduler } from '../../src/schedule/scheduler';
import type { Store } from '../../src/store/types';
import { openTestStore } from '../helpers/stores';
import { log, RecordingPoster, seed, subscription, testConfig } from './harness';

/**
 * A subscription created or changed while the bot runs posts within a minute of its time, the
 * first post included, with no sweep to find it: node-cron and the scheduler's watch run on a faked clock.
 */
const NO_SWEEP = '0 0 1 1 *';

describe('subscriptions take effect at once', () => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let poster: RecordingPoster;
  let scheduler: Scheduler | null = null;

  beforeEach(async () => {
    ({ store, cleanup } = await openTestStore('sqlite'));
    poster = new RecordingPoster();
    await seed(store, []);
  });
  afterEach(async () => {
    await scheduler?.stop();
    vi.useRealTimers();
    await cleanup();
  });

  async function startAt(iso: string) {
    vi.useFakeTimers({ now: new Date(iso), toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'Date'] });
    scheduler = createScheduler({
      store,
      posters: [poster],
      config: testConfig(),
      log,
      clock: { now: () => new Date() },
      retryDelayMs: 0,
      sweepCron: NO_SWEEP,
    });
    await scheduler.start();
  }
  const until = (iso: string) => vi.advanceTimersByTimeAsync(Date.parse(iso) - Date.now());
  /** When each daily post's header was sent. */
  const headers = (channel: string) =>
    poster
      .inChannel(channel)
      .filter((m) => m.paperIds.length === 0)
      .map((m) => m.at.toISOString());

  it('a channel subscribed at 11:42:30 for 11:43 gets its first post at 11:43, not at the next sweep', async () => {
    await startAt('2026-06-01T11:40:00Z');
    await until('2026-06-01T11:42:30Z');
    await store.subscriptions.upsert(subscription('new', { time: '11:43', timezone: 'UTC' }));
    await until('2026-06-01T11:50:00Z');
    expect(headers('new')).toHaveLength(1);
    const at = Date.parse(headers('new')[0]!);
    expect(at).toBeGreaterThanOrEqual(Date.parse('2026-06-01T11:43:00Z'));
    expect(at).toBeLessThan(Date.parse('2026-06-01T11:44:00Z'));
  });

  it('a time changed to a minute ahead posts then, and not again at the old time', async () => {
    await store.subscriptions.upsert(subscription('moved', { time: '12:00', timezone: 'Europe/Berlin' }));
    await startAt('2026-06-01T09:40:00Z');
    await until('2026-06-01T09:44:30Z');
    await store.subscriptions.upsert(subscription('moved', { time: '11:45', timezone: 'Europe/Berlin' }));
    await until('2026-06-01T10:30:00Z');
    expect(headers('moved')).toHaveLength(1);
    expect(Date.parse(headers('moved')[0]!)).toBeLessThan(Date.parse('2026-06-01T09:46:00Z'));
    expect(Date.parse(headers('moved')[0]!)).toBeGreaterThanOrEqual(Date.parse('2026-06-01T09:45:00Z'));
  });

  it('a subscription made just after its time posts within seconds', async () => {
    await startAt('2026-06-01T11:40:00Z');
    await until('2026-06-01T11:43:20Z');
    await store.subscriptions.upsert(subscription('just-late', { time: '11:43', timezone: 'UTC' }));
    await until('2026-06-01T11:50:00Z');
    expect(headers('just-late')).toHaveLength(1);
    expect(Date.parse(headers('just-late')[0]!)).toBeLessThan(Date.parse('2026-06-01T11:44:00Z'));
  });

  it('a repeated time on a fall-back day posts at its first instant without a sweep, once', async () => {
    await store.subscriptions.upsert(subscription('berlin', { time: '02:31', timezone: 'Europe/Berlin' }));
    await startAt('2026-10-24T20:00:00Z');
    await until('2026-10-25T03:00:00Z');
    expect(headers('berlin')).toHaveLength(1);
    const at = Date.parse(headers('berlin')[0]!);
    // 02:31 CEST is 00:31Z; node-cron may tick at the second 02:31 (01:31Z) only, and the watch must not wait for it.
    expect(at).toBeGreaterThanOrEqual(Date.parse('2026-10-25T00:31:00Z'));
    expect(at).toBeLessThan(Date.parse('2026-10-25T00:32:00Z'));
  });
});
