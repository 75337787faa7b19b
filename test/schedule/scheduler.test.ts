import os from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { createScheduler } from '../../src/schedule/scheduler';
import { openStore } from '../../src/store/open';
import type { Store } from '../../src/store/types';
import { openTestStore, storeKinds } from '../helpers/stores';
import { log, RecordingPoster, seed, subscription, testConfig } from './harness';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function freshStore(kind: 'sqlite' | 'postgres') {
  const t = await openTestStore(kind);
  cleanups.push(t.cleanup);
  return t;
}

function scheduler(store: Store, poster: RecordingPoster, now: string, owner?: { host: string; pid: number }) {
  const config = testConfig({ concurrency: 16 });
  return createScheduler({ store, posters: [poster], config, log, clock: { now: () => new Date(now) }, owner, retryDelayMs: 0 });
}

describe('catch-up after downtime', () => {
  it('posts what was missed while the window is open, and nothing once it has passed', async () => {
    const { store } = await freshStore('sqlite');
    await seed(store, [
      subscription('morning', { time: '09:00', timezone: 'Europe/Berlin' }),
      subscription('evening', { time: '20:00', timezone: 'Europe/Berlin' }),
    ]);
    const poster = new RecordingPoster();
    // 14:59 in Berlin: 09:00 passed 5 h 59 min ago; 20:00 is still ahead.
    const report = await scheduler(store, poster, '2026-06-01T12:59:00Z').catchUp();
    expect(report.channels.map((c) => [c.subscriptionId, c.date, c.outcome])).toEqual([['console:morning', '2026-06-01', 'posted']]);

    // Down from before 20:00 until 02:01 the next morning: 6 h 01 min late, so no catch-up.
    const late = await scheduler(store, poster, '2026-06-02T00:01:00Z').catchUp();
    expect(late.channels).toEqual([]);
    expect(poster.inChannel('evening')).toHaveLength(0);
    // One minute earlier it would still have posted.
    const justInTime = await scheduler(store, poster, '2026-06-01T23:59:00Z').catchUp();
    expect(justInTime.channels.map((c) => [c.subscriptionId, c.outcome])).toEqual([['console:evening', 'posted']]);
  });

  it('catches up across midnight on the subscription’s own local date', async () => {
    const { store } = await freshStore('sqlite');
    await seed(store, [subscription('akl', { time: '23:30', timezone: 'Pacific/Auckland' })]);
    const poster = new RecordingPoster();
    // 01:00 on 16 January in Auckland (NZDT): the 23:30 post of the 15th is 1.5 h late.
    const report = await scheduler(store, poster, '2026-01-15T12:00:00Z').catchUp();
    expect(report.channels.map((c) => [c.date, c.outcome])).toEqual([['2026-01-15', 'posted']]);
    // Another restart finds it done.
    const again = await scheduler(store, poster, '2026-01-15T12:05:00Z').catchUp();
    expect(again.channels.map((c) => c.outcome)).toEqual(['already-posted']);
    expect(poster.inChannel('akl')).toHaveLength(4);
  });

  it('syncs subscriptions declared in the config file at start', async () => {
    const { store } = await freshStore('sqlite');
    await seed(store, []);
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const dir = mkdtempSync(`${os.tmpdir()}/papers-subs-`);
    const file = `${dir}/subscriptions.yaml`;
    writeFileSync(file, 'subscriptions:\n  - platform: console\n    channel: cfg\n    time: "09:00"\n    tz: UTC\n    top: 2\n');
    const poster = new RecordingPoster();
    const s = createScheduler({
      store,
      posters: [poster],
      config: { ...testConfig(), subscriptionsFile: file },
      log,
      clock: { now: () => new Date('2026-06-01T09:30:00Z') },
      retryDelayMs: 0,
      sweepCron: '0 0 1 1 *',
    });
    await s.start();
    await s.stop();
    expect(await store.subscriptions.get('console:cfg')).toMatchObject({ origin: 'config', top: 2 });
    expect(poster.inChannel('cfg')).toHaveLength(3);
  });
});

describe.skipIf(!storeKinds.includes('postgres'))('replicas on one Postgres', () => {
  it('two schedulers posting to 200 channels: each channel gets its post exactly once', async () => {
    const { store: a, url } = await freshStore('postgres');
    const b = await openStore(url);
    cleanups.push(() => b.close());
    const channels = Array.from({ length: 200 }, (_, i) => `c${i}`);
    await seed(
      a,
      channels.map((c) => subscription(c, { top: 1 })),
    );

    const poster = new RecordingPoster();
    const now = '2026-06-01T09:00:30Z';
    const [ra, rb] = await Promise.all([
      scheduler(a, poster, now, { host: 'replica-a', pid: 100 }).catchUp(),
      scheduler(b, poster, now, { host: 'replica-b', pid: 200 }).catchUp(),
    ]);
    const posted = [...ra.channels, ...rb.channels].filter((c) => c.outcome === 'posted');
    expect(posted).toHaveLength(200);
    // Both replicas did part of the work.
    expect(ra.channels.some((c) => c.outcome === 'posted') && rb.channels.some((c) => c.outcome === 'posted')).toBe(true);
    // Every message was sent once, not merely deduplicated by the platform.
    expect([...poster.calls.values()].every((n) => n === 1)).toBe(true);
    for (const c of channels) expect(poster.inChannel(c)).toHaveLength(2);
    expect(await a.posts.forDelivery('console:c199@2026-06-01')).toHaveLength(2);
  });
});

describe('deliveries it reports (GET /metrics)', () => {
  it('counts a delivery due until it settles, and late once it has waited over 10 minutes', async () => {
    const { store } = await freshStore('sqlite');
    await seed(store, [subscription('flaky', { time: '09:00', timezone: 'UTC' }), subscription('gone', { time: '09:00', timezone: 'UTC' })]);
    const poster = new RecordingPoster();
    poster.flaky.set('flaky', 100);
    poster.gone.add('gone');
    let now = '2026-06-01T09:05:00Z';
    const s = createScheduler({ store, posters: [poster], config: testConfig(), log, clock: { now: () => new Date(now) }, retryDelayMs: 0 });
    expect(s.deliveries()).toEqual({ due: 0, inFlight: 0, late: 0 });
    await s.catchUp();
    // The gone channel failed for good: settled. The flaky one is still to be posted.
    expect(s.deliveries()).toEqual({ due: 1, inFlight: 0, late: 0 });
    now = '2026-06-01T09:11:00Z';
    await s.catchUp();
    expect(s.deliveries()).toEqual({ due: 1, inFlight: 0, late: 1 });
    poster.flaky.set('flaky', 0);
    await s.catchUp();
    expect(poster.inChannel('flaky').length).toBeGreaterThan(0);
    expect(s.deliveries()).toEqual({ due: 0, inFlight: 0, late: 0 });
  });
});
