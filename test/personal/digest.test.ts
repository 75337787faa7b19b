import type { Paper } from '../../src/model/paper';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Services } from '../../src/chat/command';
import { createLogger } from '../../src/log';
import { postPersonalDigests } from '../../src/personal/deliver';
import { createScheduler, type Scheduler } from '../../src/schedule/scheduler';
import type { Store } from '../../src/store/types';
import { openTestStore } from '../helpers/stores';
import { typedBy } from '../commands/services';
import { textOf } from '../commands/reply-text';
import { LIST_DATE, log, RecordingPoster, realPapers, testConfig } from '../schedule/harness';

/**
 * Personal digests end to end below the platforms: commands set follows and the digest, the
 * scheduler (node-cron and its watch on a faked clock) sends them by direct message to a
 * RecordingPoster. The adapters' part is in the contract suite.
 */
const NO_SWEEP = '0 0 1 1 *';

describe('personal digests', () => {
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
  async function startAt(iso: string, logger = log) {
    vi.useFakeTimers({ now: new Date(iso), toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    scheduler = createScheduler({
      store,
      posters: [poster],
      config: testConfig(),
      log: logger,
      clock: { now: () => new Date() },
      retryDelayMs: 0,
      sweepCron: NO_SWEEP,
    });
    await scheduler.start();
  }
  const until = (iso: string) => vi.advanceTimersByTimeAsync(Date.parse(iso) - Date.now());
  const dms = (user: string) => poster.inChannel(`dm:${user}`);
  /** The day's personal digests, as `papers post-daily --users` runs them (one process). */
  const digestsOn = (date: string, over: Partial<Parameters<typeof postPersonalDigests>[0]> = {}) =>
    postPersonalDigests({ store, posters: [poster], config: testConfig(), log, now: () => new Date(), owner: { host: 'h', pid: 1 }, date, ...over });

  it('a digest set for a minute ahead arrives then, with exactly the matching papers and why; nothing more that day', async () => {
    await startAt('2025-10-15T07:58:30Z');
    await typed('follow reinforcement learning');
    await typed('follow author Chenyan Xiong');
    expect(await typed('me daily time 08:00 tz UTC top 10')).toMatch(/^Your personal digest: every day at 08:00 UTC, up to 10 papers/);
    await until('2025-10-15T09:00:00Z');
    const sent = dms('ada');
    expect(sent[0]!.text).toMatch(/^Your papers of 2025-10-14: \d+ papers matching what you follow$/);
    expect(sent[0]!.at.toISOString() < '2025-10-15T08:01:00.000Z').toBe(true);
    const rl = (p: Paper) => /reinforcement learning/i.test([p.title, p.summary, ...p.keywords].join(' '));
    const xiong = (p: Paper) => p.authors.includes('Chenyan Xiong');
    const expected = realPapers.filter((p) => rl(p) || xiong(p)).map((p) => p.id);
    const got = sent.flatMap((m) => m.paperIds);
    // Every paper sent matches, and as many as the top allows were sent.
    expect(expected.length).toBeGreaterThan(3);
    for (const id of got) expect(expected).toContain(id);
    expect(got.length).toBe(Math.min(10, expected.length));
    expect(new Set(got).size).toBe(got.length);
    // Each paper says which of their follows it matches.
    for (const m of sent.slice(1)) {
      const paper = realPapers.find((p) => p.id === m.paperIds[0])!;
      const why = [...(rl(paper) ? ['reinforcement learning'] : []), ...(xiong(paper) ? ['author Chenyan Xiong'] : [])];
      expect(m.reasons).toEqual([`follows: ${why.join('; ')}`]);
    }
    expect(sent.some((m) => m.reasons[0]?.includes('author Chenyan Xiong'))).toBe(true);
    // Each message is recorded in the conversation, so Save on it resolves to its paper.
    const first = sent.find((m) => m.paperIds.length === 1)!;
    expect((await store.posts.find('console', 'dm:ada', first.messageId))?.paperIds).toEqual(first.paperIds);
    // A second run of the day sends nothing.
    const again = await scheduler!.catchUp();
    expect(again.users.map((u) => u.outcome)).toEqual([]);
    const second = await digestsOn('2025-10-15');
    expect(second.users.map((u) => u.outcome)).toEqual(['already-posted']);
    expect(dms('ada')).toHaveLength(sent.length);
  });

  it('a run with many people due sends the first DMs before it has claimed everyone, and sends everyone theirs', async () => {
    const people = Array.from({ length: 300 }, (_, i) => `p${i}`);
    for (const user of people) {
      await store.follows.add({ platform: 'console', userId: user, follow: { kind: 'topic', value: 'quantization' }, at: new Date(), max: 25 });
      const settings = { digest: 'daily' as const, weekDay: 'mon' as const, time: '08:00', timezone: 'UTC', top: 3, alerts: false };
      await store.personal.set({ platform: 'console', userId: user, workspaceId: null, settings, now: new Date() });
    }
    let openedAtFirstSend = -1;
    poster.afterSend = { n: 1, run: async () => void (openedAtFirstSend = poster.opened.length) };
    const run = await postPersonalDigests({
      store,
      posters: [poster],
      config: testConfig({ concurrency: 8 }),
      log,
      now: () => new Date('2025-10-15T08:00:30Z'),
      owner: { host: 'h', pid: 1 },
      date: '2025-10-15',
    });
    expect(run.users.filter((u) => u.outcome === 'posted')).toHaveLength(people.length);
    // A person's next step goes before later people's first: the platform gets work from the start.
    expect(openedAtFirstSend).toBeGreaterThan(0);
    expect(openedAtFirstSend).toBeLessThan(people.length / 10);
  });

  it('keeps the DM conversation once opened: a new process sends there without opening it again', async () => {
    await typed('follow quantization');
    await typed('me daily time 08:00 tz UTC');
    await digestsOn('2025-10-15', { now: () => new Date('2025-10-15T08:00:30Z') });
    expect(poster.opened).toEqual(['ada']);
    expect(await store.personal.get('console', 'ada')).toMatchObject({ dmChannelId: 'dm:ada' });
    expect(await typed('me')).toContain('Our direct-message conversation: dm:ada');

    // The next day's list, and a process of its own (a restart, another replica).
    const like = realPapers.find((p) => p.id === '2510.11696')!;
    await store.papers.upsert([{ ...like, id: 'next1', arxivId: null, listedOn: '2025-10-15' }], new Date('2025-10-15T09:00:00Z'));
    const restarted = new RecordingPoster();
    const { users } = await digestsOn('2025-10-16', { posters: [restarted], now: () => new Date('2025-10-16T08:00:30Z') });
    expect(users).toMatchObject([{ userId: 'ada', outcome: 'posted' }]);
    expect(restarted.opened).toEqual([]);
    expect(restarted.inChannel('dm:ada').flatMap((m) => m.paperIds)).toEqual(['next1']);
  });

  it('sends, when asked for those due by a time (post-daily --users), only people whose time has passed in their zone', async () => {
    for (const [user, when] of [
      ['ada', 'time 08:00 tz UTC'],
      ['bob', 'time 09:00 tz UTC'],
      ['cy', 'time 10:00 tz Europe/Berlin'],
    ]) {
      await typed('follow quantization', user);
      await typed(`me daily ${when}`, user);
    }
    const at = new Date('2025-10-15T08:30:00Z');
    const { users } = await digestsOn('2025-10-15', { dueBy: at, now: () => at });
    // 08:30 UTC is 10:30 in Berlin: ada's and cy's times have passed, bob's has not.
    expect(users.map((u) => [u.userId, u.outcome])).toEqual([
      ['ada', 'posted'],
      ['cy', 'posted'],
    ]);
  });

  it('sends each paper once ever, sends nothing when nothing matches, and skips people without a digest', async () => {
    await typed('follow quantization');
    await typed('me daily time 08:00');
    await typed('follow quantum chromodynamics', 'bob');
    await typed('me daily time 08:00', 'bob');
    await typed('follow quantization', 'cy');
    const run = (date: string) => digestsOn(date, { now: () => new Date(`${date}T08:00:30Z`) });
    const first = await run('2025-10-15');
    expect(first.users.map((u) => [u.userId, u.outcome])).toEqual([
      ['ada', 'posted'],
      ['bob', 'empty'],
    ]);
    expect(dms('ada').flatMap((m) => m.paperIds)).toContain('2510.11696');
    expect(dms('bob')).toEqual([]);
    // The next day the same list is still the latest: everything on it was sent already.
    const next = await run('2025-10-16');
    expect(next.users.map((u) => [u.userId, u.outcome])).toEqual([
      ['ada', 'empty'],
      ['bob', 'empty'],
    ]);
    const dry = await digestsOn('2025-10-17', { dryRun: true });
    const adas = dry.users.find((u) => u.userId === 'ada')!;
    expect(adas.plan!.papers).toEqual([]);
    expect(adas.plan!.excluded.find((e) => e.id === '2510.11696')?.reason).toBe('sent to you before');
    expect(adas.plan!.excluded.find((e) => e.id === '2510.11690')?.reason).toBe('matches none of your follows');
  });

  it('a person who cannot be messaged is paused with one log line, never retried, and told the next time they use the bot', async () => {
    const lines: string[] = [];
    const recording = createLogger({ level: 'warn', destination: { write: (l: string) => void lines.push(l) } });
    await typed('follow reinforcement learning');
    await typed('me daily time 08:00 tz UTC');
    poster.closedDms.add('ada');
    await startAt('2025-10-15T07:59:00Z', recording);
    await until('2025-10-15T10:00:00Z');
    expect(dms('ada')).toEqual([]);
    expect(await store.personal.get('console', 'ada')).toMatchObject({ pausedReason: 'DMs closed' });
    const pauses = lines.filter((l) => l.includes('personal delivery paused'));
    expect(pauses).toHaveLength(1);
    expect(pauses[0]).toContain('"userId":"ada"');
    // No retries: two hours of watches and the next day's time send nothing more.
    const tries = poster.calls.size;
    await until('2025-10-16T09:00:00Z');
    expect(poster.calls.size).toBe(tries);
    // Told once, privately, with the next private answer.
    expect(await typed('following')).toMatch(/paused: I could not send you a direct message \(DMs closed\)/);
    expect(await typed('following')).not.toMatch(/paused/);
    // Setting the digest again starts it again.
    poster.closedDms.delete('ada');
    await typed('me daily time 08:00 tz UTC');
    expect(await store.personal.get('console', 'ada')).toMatchObject({ pausedReason: null });
  });
  it('reports a digest the platform refuses for good as a permanent failure, which the scheduler then stops retrying', async () => {
    await typed('follow quantization');
    await typed('me daily time 08:00 tz UTC');
    poster.gone.add('dm:ada');
    const { users } = await digestsOn('2025-10-15', { now: () => new Date('2025-10-15T08:00:30Z') });
    expect(users).toMatchObject([{ userId: 'ada', outcome: 'failed', permanent: true }]);
  });
});
