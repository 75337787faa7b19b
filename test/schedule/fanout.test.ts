import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeReport } from '../../cli/post-daily';
import { postDaily, type PostDailyOptions } from '../../src/schedule/fanout';
import { currentOwner } from '../../src/schedule/claims';
import type { DigestPoster } from '../../src/chat/poster';
import type { Store } from '../../src/store/types';
import { openTestStore, storeKinds } from '../helpers/stores';
import { LIST_DATE, log, RecordingPoster, seed, subscription, testConfig } from './harness';

const now = () => new Date('2025-10-14T09:00:00Z');

/** A pid that certainly belonged to a process on this host and is gone now. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid!;
}

describe.each(storeKinds)('postDaily on %s', (kind) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let poster: RecordingPoster;
  beforeEach(async () => {
    ({ store, cleanup } = await openTestStore(kind));
    poster = new RecordingPoster();
  });
  afterEach(() => cleanup());

  const run = (over: Partial<PostDailyOptions> = {}) =>
    postDaily({ store, posters: [poster], config: testConfig(), log, now, owner: currentOwner(), retryDelayMs: 0, ...over });

  it('posts a header and the top papers to each channel, records every message, and a second run posts nothing', async () => {
    await seed(store, [subscription('a'), subscription('b', { top: 5 })]);
    const first = await run();
    expect(first.channels.map((c) => [c.subscriptionId, c.outcome, c.messages]).sort()).toEqual([
      ['console:a', 'posted', 4],
      ['console:b', 'posted', 6],
    ]);
    const a = poster.inChannel('a');
    expect(a[0]!.text).toBe(`Top 3 papers from Hugging Face Daily Papers, ${LIST_DATE}`);
    expect(a.slice(1).every((m) => m.paperIds.length === 1)).toBe(true);
    // A reaction on a paper message resolves to its paper.
    const rec = await store.posts.find('console', 'a', a[1]!.messageId);
    expect(rec).toMatchObject({ kind: 'digest', deliveryId: `console:a@${LIST_DATE}`, paperIds: a[1]!.paperIds });
    expect((await store.deliveries.get(`console:a@${LIST_DATE}`))!.state).toBe('posted');

    const again = await run();
    expect(again.channels.map((c) => c.outcome)).toEqual(['already-posted', 'already-posted']);
    expect(poster.shown).toHaveLength(10);
    // Fresh deliveries: every send was the first of its key, so the poster need not look for an earlier one.
    expect(poster.sentAsNew).toHaveLength(10);
  });

  it('ranks once for channels with the same settings in a run, yet leaves out what one of them already posted', async () => {
    await seed(store, [subscription('a'), subscription('b'), subscription('c')]);
    await run({ subscriptionIds: ['console:a'] });
    const [top, ...rest] = poster
      .inChannel('a')
      .slice(1)
      .map((m) => m.paperIds[0]!);
    // b showed the list's top paper yesterday; c never showed anything.
    await store.posts.record({
      platform: 'console',
      channelId: 'b',
      messageId: 'old',
      paperIds: [top!],
      kind: 'digest',
      deliveryId: 'console:b@earlier',
      postedAt: new Date(now().getTime() - 86_400_000),
    });
    await run({ subscriptionIds: ['console:b', 'console:c'] });
    const papersOf = (channel: string) =>
      poster
        .inChannel(channel)
        .slice(1)
        .map((m) => m.paperIds[0]);
    expect(papersOf('c')).toEqual([top, ...rest]);
    expect(papersOf('b')).not.toContain(top);
    expect(papersOf('b').slice(0, 2)).toEqual(rest);
  });

  it('never posts a paper twice in a channel within SKIP_POSTED_DAYS', async () => {
    await seed(store, [subscription('a')]);
    const days = ['2025-10-14', '2025-10-15', '2025-10-16'];
    for (const date of days) await run({ date });
    const papers = poster.inChannel('a').flatMap((m) => m.paperIds);
    expect(papers).toHaveLength(9);
    expect(new Set(papers).size).toBe(9);
  });

  it('a day with nothing new posts nothing, or a one-line note', async () => {
    await seed(store, [subscription('a', { minUpvotes: 1_000_000 })]);
    const quiet = await run();
    expect(quiet.channels[0]).toMatchObject({ outcome: 'empty', messages: 0 });
    expect(poster.shown).toHaveLength(0);

    const noted = await run({ date: '2025-10-15', config: testConfig({ emptyDigest: 'note' }) });
    expect(noted.channels[0]).toMatchObject({ outcome: 'empty', messages: 1 });
    expect(poster.shown.map((m) => m.text)).toEqual([expect.stringMatching(/^No new papers today/)]);
  });

  it('marks the header when the source is down, and can skip instead', async () => {
    await seed(store, [subscription('a')]);
    const sourceStatus = () => ({ lastSuccessAt: new Date('2025-10-14T07:49:00Z'), lastError: 'HTTP 503', note: null });
    await run({ sourceStatus });
    expect(poster.shown[0]!.text).toContain('(from data last refreshed at 2025-10-14 07:49 UTC)');

    const skipped = await run({ date: '2025-10-15', sourceStatus, config: testConfig({ staleDigest: 'skip' }) });
    expect(skipped.channels[0]).toMatchObject({ outcome: 'skipped' });
  });

  it('after a crash between two paper messages, a restart posts what is missing and nothing twice', async () => {
    await seed(store, [subscription('a', { top: 4 })]);
    // The crashed process: header and first paper sent, then it dies during the second paper.
    poster.crashBeforeSend = 3;
    const crashed = { host: os.hostname(), pid: deadPid() };
    void run({ owner: crashed });
    await expect.poll(() => poster.calls.size).toBe(3);
    expect(poster.shown).toHaveLength(2);

    // The restart takes the dead owner's claim over at once (its heartbeat is still fresh).
    const restarted = await run();
    expect(restarted.channels[0]).toMatchObject({ outcome: 'posted', messages: 3 });
    const shown = poster.inChannel('a');
    expect(shown).toHaveLength(5);
    expect(new Set(shown.map((m) => m.key)).size).toBe(5);
    const planned = (await store.deliveries.get(`console:a@${LIST_DATE}`))!.plan!;
    expect(shown.slice(1).map((m) => m.paperIds[0])).toEqual(planned);
    expect(await store.posts.forDelivery(`console:a@${LIST_DATE}`)).toHaveLength(5);
    // The resumed run looks for the one message in flight at the crash (recorded as about to be
    // sent); the papers after it were never sent, so they go out as new, without a history read.
    const inFlight = shown[2]!.key;
    expect(poster.calls.get(inFlight)).toBe(2);
    expect(poster.sentAsNew.filter((k) => k === inFlight)).toHaveLength(1);
    expect(poster.sentAsNew).toEqual(shown.map((m) => m.key));
  });

  it('after a crash right after a send landed, the restart finds that message and reports it as found, not posted', async () => {
    await seed(store, [subscription('a', { top: 3 })]);
    // Header and first paper recorded; the second paper reached the channel, then the process died.
    poster.crashAfterSend = 3;
    void run({ owner: { host: os.hostname(), pid: deadPid() } });
    await expect.poll(() => poster.shown.length).toBe(3);

    const restarted = await run();
    expect(restarted.channels[0]).toMatchObject({ outcome: 'posted', messages: 1, found: 1 });
    expect(describeReport(restarted.channels[0]!)).toBe(`console:a ${LIST_DATE}: posted 1 message(s); found 1 already posted by an earlier run`);
    expect(poster.inChannel('a')).toHaveLength(4);
    expect(await store.posts.forDelivery(`console:a@${LIST_DATE}`)).toHaveLength(4);
  });

  it('stops at once when another process takes the claim over mid-post; that one posts the rest', async () => {
    await seed(store, [subscription('a', { top: 3 })]);
    // This run's owner looks dead, so while it sends its first paper a restarted process takes over.
    let takeover: Awaited<ReturnType<typeof run>> | undefined;
    poster.afterSend = { n: 2, run: async () => void (takeover = await run()) };
    const first = await run({ owner: { host: os.hostname(), pid: deadPid() } });

    expect(first.channels[0]).toMatchObject({ outcome: 'claimed-elsewhere', messages: 2 });
    expect(takeover!.channels[0]).toMatchObject({ outcome: 'posted' });
    expect((await store.deliveries.get(`console:a@${LIST_DATE}`))!.state).toBe('posted');
    // The paper in flight during the takeover was re-sent with its key, so it shows once.
    const shown = poster.inChannel('a');
    expect(shown).toHaveLength(4);
    expect(new Set(shown.map((m) => m.key)).size).toBe(4);
  });

  it('leaves a delivery held by a live owner alone', async () => {
    await seed(store, [subscription('a')]);
    const other = { host: 'replica-b', pid: 1 };
    await store.deliveries.claim({
      subscriptionId: 'console:a',
      date: LIST_DATE,
      owner: other,
      now: now(),
      staleAfterMs: 60_000,
      ownerIsGone: () => false,
      maxAttempts: 3,
    });
    const report = await run();
    expect(report.channels[0]).toMatchObject({ outcome: 'claimed-elsewhere', messages: 0 });
    expect(poster.shown).toHaveLength(0);
  });

  it('in a forum, records each paper post in its own thread too, and records nothing for the header the forum does not take', async () => {
    await seed(store, [subscription('forum', { top: 2 })]);
    // A forum takes no header (null) and puts each paper in a thread of its own, as Discord's poster does.
    const forum: DigestPoster = {
      platform: 'console',
      openDirect: (user) => poster.openDirect(user),
      async post(target, message, key, opts) {
        if (key.endsWith(':header')) return null;
        const posted = await poster.post(target, message, key, opts);
        return { ...posted, channelId: `thread-${posted.messageId}` };
      },
    };
    const report = await run({ posters: [forum] });
    expect(report.channels[0]).toMatchObject({ outcome: 'posted', messages: 2 });
    const papers = poster.inChannel('forum');
    expect(papers.map((m) => m.key)).toEqual(papers.map((m) => `console:forum@${LIST_DATE}:${m.paperIds[0]}`));
    for (const m of papers) {
      expect(await store.posts.find('console', 'forum', m.messageId)).toMatchObject({ paperIds: m.paperIds, deliveryId: `console:forum@${LIST_DATE}` });
      expect(await store.posts.find('console', `thread-${m.messageId}`, m.messageId)).toMatchObject({ paperIds: m.paperIds, deliveryId: null });
    }
    expect(await store.posts.forDelivery(`console:forum@${LIST_DATE}`)).toHaveLength(2);
    expect((await store.deliveries.get(`console:forum@${LIST_DATE}`))!.state).toBe('posted');
  });

  it('retries transient errors; disables a channel after repeated permanent errors while the others post', async () => {
    await seed(store, [subscription('ok'), subscription('flaky'), subscription('deleted')]);
    poster.flaky.set('flaky', 2);
    poster.gone.add('deleted');
    const days = ['2025-10-14', '2025-10-15', '2025-10-16', '2025-10-17'];
    const reports = [];
    for (const date of days) reports.push(await run({ date }));

    for (const r of reports) {
      expect(r.channels.find((c) => c.subscriptionId === 'console:ok')!.outcome).toBe('posted');
      expect(r.channels.find((c) => c.subscriptionId === 'console:flaky')!.outcome).toBe('posted');
    }
    expect(reports.slice(0, 3).map((r) => r.channels.find((c) => c.subscriptionId === 'console:deleted')!.outcome)).toEqual(['failed', 'failed', 'failed']);
    // Disabled after the third (disableAfter) failure: the fourth day no longer tries it.
    expect(reports[3]!.channels.map((c) => c.subscriptionId).sort()).toEqual(['console:flaky', 'console:ok']);
    const deleted = (await store.subscriptions.get('console:deleted'))!;
    expect(deleted).toMatchObject({ enabled: false, failures: 3, lastError: 'channel deleted not found' });
    expect(deleted.disabledReason).toContain('channel deleted not found');
    expect(poster.inChannel('deleted')).toHaveLength(0);
    // A re-send after a transient failure is not promised new: the failed send may have landed.
    const flakyHeader = `console:flaky@${days[0]}:header`;
    expect(poster.calls.get(flakyHeader)).toBe(3);
    expect(poster.sentAsNew.filter((key) => key === flakyHeader)).toHaveLength(1);
  });

  it("forgets a channel's earlier permanent failures once it posts again, so only failures in a row disable it", async () => {
    await seed(store, [subscription('back')]);
    poster.gone.add('back');
    await run({ date: '2025-10-14' });
    await run({ date: '2025-10-15' });
    expect(await store.subscriptions.get('console:back')).toMatchObject({ enabled: true, failures: 2 });
    poster.gone.delete('back');
    expect((await run({ date: '2025-10-16' })).channels[0]).toMatchObject({ outcome: 'posted' });
    expect(await store.subscriptions.get('console:back')).toMatchObject({ enabled: true, failures: 0, lastError: null });
  });

  it('a dry run says what each channel would get and why each paper was left out, and posts nothing', async () => {
    await seed(store, [subscription('a', { topics: ['-video'], minUpvotes: 5 })]);
    await run();
    const posted = new Set(poster.shown.flatMap((m) => m.paperIds));
    const shownBefore = poster.shown.length;

    const report = await run({ dryRun: true, date: '2025-10-15' });
    expect(poster.shown).toHaveLength(shownBefore);
    const c = report.channels[0]!;
    expect(c.outcome).toBe('dry-run');
    expect(c.plan!.listDate).toBe(LIST_DATE);
    expect(c.plan!.papers).toHaveLength(3);
    const whys = new Set(c.plan!.excluded.map((e) => e.reason.replace(/:.*/, '')));
    expect(whys).toEqual(new Set(['already posted', 'below 5 upvotes', 'excluded topic']));
    expect(
      c
        .plan!.excluded.filter((e) => e.reason === 'already posted')
        .map((e) => e.id)
        .sort(),
    ).toEqual([...posted].sort());
    expect(await store.deliveries.get('console:a@2025-10-15')).toBeNull();
  });
});
