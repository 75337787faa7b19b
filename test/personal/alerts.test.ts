import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Services } from '../../src/chat/command';
import type { Paper } from '../../src/model/paper';
import { inQuietHours, sendAlerts } from '../../src/personal/alerts';
import { currentOwner } from '../../src/schedule/claims';
import { createScheduler, type Scheduler } from '../../src/schedule/scheduler';
import type { Store } from '../../src/store/types';
import { createLogger } from '../../src/log';
import { openTestStore } from '../helpers/stores';
import { typedBy } from '../commands/services';
import { textOf } from '../commands/reply-text';
import { LIST_DATE, log, RecordingPoster, realPapers, testConfig } from '../schedule/harness';

/** Alerts through the scheduler on a faked clock: new lists arrive by store writes, as a refresh by any replica makes them. */
describe('alerts', () => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let poster: RecordingPoster;
  let scheduler: Scheduler | null = null;
  let svc: Services;

  beforeEach(async () => {
    ({ store, cleanup } = await openTestStore('sqlite'));
    await store.papers.upsert(realPapers, new Date(`${LIST_DATE}T08:00:00Z`));
    poster = new RecordingPoster();
    svc = { store, config: testConfig(), log, now: () => new Date(), sourceStatus: () => ({ lastSuccessAt: null, lastError: null, note: null }) };
  });
  afterEach(async () => {
    await scheduler?.stop();
    vi.useRealTimers();
    await cleanup();
  });

  const typed = async (text: string, user = 'ada') => textOf(await typedBy(svc, text, user));
  const until = (iso: string) => vi.advanceTimersByTimeAsync(Date.parse(iso) - Date.now());
  /** A paper of the bundled list, listed again under a new id on `date`. */
  const listed = (id: string, like: string, date: string): Paper => ({ ...realPapers.find((p) => p.id === like)!, id, arxivId: null, listedOn: date });
  const alertsTo = (user: string) => poster.inChannel(`dm:${user}`).map((m) => m.paperIds);

  it('one batched message per new list, at most one an hour, none in quiet hours: those wait for the morning', async () => {
    vi.useFakeTimers({ now: new Date('2025-10-15T09:00:00Z'), toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'Date'] });
    await typed('follow NVFP4 quantization');
    await typed('follow diffusion transformer');
    expect(await typed('me alerts on')).toContain('Alerts: on: one direct message when new papers match what you follow');
    await typed('follow NVFP4 quantization', 'bob');
    scheduler = createScheduler({ store, posters: [poster], config: testConfig(), log, clock: { now: () => new Date() }, retryDelayMs: 0 });
    await scheduler.start();
    // The list that was there before alerts were on is not news.
    await until('2025-10-15T09:20:00Z');
    expect(alertsTo('ada')).toEqual([]);

    // A new list: two matching papers and one not; one message with both, within seconds.
    await until('2025-10-15T09:30:00Z');
    await store.papers.upsert(
      [listed('n1', '2510.11696', '2025-10-15'), listed('n2', '2510.11690', '2025-10-15'), listed('n3', '2510.10689', '2025-10-15')],
      new Date(),
    );
    await until('2025-10-15T09:30:15Z');
    expect(alertsTo('ada')).toEqual([['n1', 'n2']]);
    // bob has no alerts on.
    expect(alertsTo('bob')).toEqual([]);

    // 20 minutes later: held for the hour, sent by the first sweep after it.
    await until('2025-10-15T09:50:00Z');
    await store.papers.upsert([listed('n4', '2510.08744', '2025-10-15')], new Date());
    await until('2025-10-15T10:29:00Z');
    expect(alertsTo('ada')).toHaveLength(1);
    await until('2025-10-15T10:36:00Z');
    expect(alertsTo('ada')).toEqual([['n1', 'n2'], ['n4']]);
    expect(poster.inChannel('dm:ada')[1]!.at.toISOString() >= '2025-10-15T10:30:00.000Z').toBe(true);

    // At 23:00 UTC: quiet until 08:00.
    await until('2025-10-15T23:00:00Z');
    await store.papers.upsert([listed('n5', '2510.11696', '2025-10-15')], new Date());
    await until('2025-10-16T07:59:00Z');
    expect(alertsTo('ada')).toHaveLength(2);
    await until('2025-10-16T08:06:00Z');
    expect(alertsTo('ada')).toEqual([['n1', 'n2'], ['n4'], ['n5']]);
    // Nothing is ever sent twice.
    await until('2025-10-16T12:00:00Z');
    expect(alertsTo('ada')).toHaveLength(3);
  });

  it.each([
    ['', false],
    [', also when the list since matches nothing they follow', true],
  ])('an alert cut short in the last minute of an hour, its papers fixed and marked sent, is finished in the next hour%s', async (_, unrelatedList) => {
    await typed('follow NVFP4 quantization');
    await typed('follow diffusion transformer');
    await typed('me alerts on');
    const day = new Date().toISOString().slice(0, 10);
    await store.papers.upsert([listed('n1', '2510.11696', day), listed('n2', '2510.11690', day)], new Date());
    const at = (iso: string) => () => new Date(iso);
    // The first run dies while sending (its pid gone), after the plan was fixed.
    const dead = { host: hostname(), pid: spawnSync(process.execPath, ['-e', '']).pid };
    const dying = new RecordingPoster();
    dying.crashBeforeSend = 1;
    void sendAlerts({ store, posters: [dying], config: testConfig(), log, now: at(`${day}T09:59:50Z`), owner: dead, retryDelayMs: 0 });
    await vi.waitFor(async () => expect((await store.deliveries.get(`alert:console:ada@${day}T09`))?.plan).toEqual(['n1', 'n2']));
    if (unrelatedList) {
      const unrelated = realPapers.find((p) => !/nvfp4|quantization|diffusion|transformer/i.test(JSON.stringify(p)))!;
      const nextDay = new Date(Date.parse(day) + 86_400_000).toISOString().slice(0, 10);
      await store.papers.upsert([listed('u1', unrelated.id, nextDay)], new Date());
    }

    const { users } = await sendAlerts({
      store,
      posters: [poster],
      config: testConfig(),
      log,
      now: at(`${day}T10:00:30Z`),
      owner: currentOwner(),
      retryDelayMs: 0,
    });
    expect(users).toMatchObject([{ userId: 'ada', outcome: 'sent', papers: 2 }]);
    expect(alertsTo('ada')).toEqual([['n1', 'n2']]);
    expect((await store.deliveries.get(`alert:console:ada@${day}T09`))?.state).toBe('posted');
    // And once only.
    await sendAlerts({ store, posters: [poster], config: testConfig(), log, now: at(`${day}T10:05:00Z`), owner: currentOwner(), retryDelayMs: 0 });
    expect(alertsTo('ada')).toHaveLength(1);
  });

  /** An alert run at `iso`, as the scheduler makes one after a refresh (one process). */
  const alertsAt = (iso: string, logger = log) =>
    sendAlerts({ store, posters: [poster], config: testConfig(), log: logger, now: () => new Date(iso), owner: currentOwner(), retryDelayMs: 0 });

  it('an alert to a person who cannot be messaged pauses them with one log line; later lists try nothing', async () => {
    const lines: string[] = [];
    const recording = createLogger({ level: 'warn', destination: { write: (l: string) => void lines.push(l) } });
    await typed('follow NVFP4 quantization');
    await typed('me alerts on');
    const day = new Date().toISOString().slice(0, 10);
    await store.papers.upsert([listed('n1', '2510.11696', day)], new Date());
    poster.closedDms.add('ada');
    const { users } = await alertsAt(`${day}T12:00:00Z`, recording);
    expect(users).toEqual([{ platform: 'console', userId: 'ada', outcome: 'paused', papers: 0, detail: 'DMs closed' }]);
    expect(await store.personal.get('console', 'ada')).toMatchObject({ pausedReason: 'DMs closed' });
    expect(lines.filter((l) => l.includes('personal delivery paused'))).toHaveLength(1);
    expect((await store.deliveries.get(`alert:console:ada@${day}T12`))?.state).toBe('failed');

    // A paused person is left out of later runs: nothing tried, nothing logged.
    const tries = poster.calls.size;
    await store.papers.upsert([listed('n2', '2510.11690', day)], new Date());
    expect((await alertsAt(`${day}T14:00:00Z`, recording)).users).toEqual([]);
    expect(poster.calls.size).toBe(tries);
    expect(lines.filter((l) => l.includes('personal delivery paused'))).toHaveLength(1);
  });

  it('an alert that keeps failing for a passing reason is reported failed, and sent whole by the next run of the hour', async () => {
    await typed('follow NVFP4 quantization');
    await typed('follow diffusion transformer');
    await typed('me alerts on');
    const day = new Date().toISOString().slice(0, 10);
    await store.papers.upsert([listed('n1', '2510.11696', day), listed('n2', '2510.11690', day)], new Date());
    poster.flaky.set('dm:ada', 10);
    const first = await alertsAt(`${day}T12:00:00Z`);
    expect(first.users).toMatchObject([{ userId: 'ada', outcome: 'failed', papers: 0, detail: '503 service unavailable' }]);
    expect(alertsTo('ada')).toEqual([]);
    // Not paused: a passing failure says nothing about their DMs.
    expect(await store.personal.get('console', 'ada')).toMatchObject({ pausedReason: null });

    poster.flaky.delete('dm:ada');
    const second = await alertsAt(`${day}T12:10:00Z`);
    expect(second.users).toMatchObject([{ userId: 'ada', outcome: 'sent', papers: 2 }]);
    expect(alertsTo('ada')).toEqual([['n1', 'n2']]);
    expect(await alertsAt(`${day}T12:20:00Z`)).toMatchObject({ users: [{ outcome: 'nothing-new' }] });
    expect(alertsTo('ada')).toHaveLength(1);
  });

  it('quiet hours are 22:00 to 08:00 on the person’s own clock', () => {
    expect(inQuietHours(new Date('2026-06-01T20:30:00Z'), 'Europe/Berlin')).toBe(true); // 22:30
    expect(inQuietHours(new Date('2026-06-01T05:59:00Z'), 'Europe/Berlin')).toBe(true); // 07:59
    expect(inQuietHours(new Date('2026-06-01T06:00:00Z'), 'Europe/Berlin')).toBe(false); // 08:00
    expect(inQuietHours(new Date('2026-06-01T19:59:00Z'), 'Europe/Berlin')).toBe(false); // 21:59
  });
});
