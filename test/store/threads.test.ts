import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openThreadOnce, THREAD_CLAIM_STALE_MS, type ThreadOpener } from '../../src/chat/threads';
import { UserError } from '../../src/errors';
import { ownerIsGone } from '../../src/schedule/claims';
import type { Paper } from '../../src/model/paper';
import { parseListing } from '../../src/parse/index';
import type { Store } from '../../src/store/types';
import { readFixture } from '../helpers/fixtures';
import { openTestStore, storeKinds } from '../helpers/stores';

const paper = parseListing(readFixture('hf-api/daily_papers-2025-10-14.json')).papers[0]! as Paper;
const t0 = new Date('2025-10-14T09:00:00Z');
const at = { platform: 'discord', channelId: 'c1', messageId: 'm1' };
const site = { ...at, workspaceId: 'g1' };
/** A claimer on another host, alive: only its claim's age frees it. */
const alive = { owner: { host: 'another-host', pid: 1 }, ownerIsGone: () => false };

/** A platform whose threads open after a moment, counting how often it is asked. */
function countingOpener(opts: { fail?: Error; delayMs?: number } = {}): ThreadOpener & { calls: { key: string; maybeOpenedBefore: boolean }[] } {
  const calls: { key: string; maybeOpenedBefore: boolean }[] = [];
  return {
    calls,
    async openThread(where, request) {
      calls.push({ key: request.key, maybeOpenedBefore: request.maybeOpenedBefore });
      await new Promise((resolve) => setTimeout(resolve, opts.delayMs ?? 20));
      if (opts.fail) throw opts.fail;
      return { threadId: `t-${where.messageId}` };
    },
  };
}

describe.each(storeKinds)('discussion threads on %s', (kind) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ store, cleanup } = await openTestStore(kind));
  });
  afterEach(async () => cleanup());

  it('claims a message’s thread insert-or-nothing; the loser sees it pending, then open', async () => {
    const won = await store.threads.claim({ ...at, paperId: paper.id, now: t0, staleAfterMs: 60_000, ...alive });
    expect(won).toEqual({ won: true, takenOver: false, claimedAt: t0 });
    const lost = await store.threads.claim({ ...at, paperId: paper.id, now: t0, staleAfterMs: 60_000, ...alive });
    expect(lost).toMatchObject({ won: false, thread: { threadId: null, paperId: paper.id } });
    await store.threads.opened({ ...at, threadId: 'th1', claimedAt: t0, now: t0 });
    const later = await store.threads.claim({ ...at, paperId: paper.id, now: new Date(t0.getTime() + 3_600_000), staleAfterMs: 60_000, ...alive });
    expect(later).toMatchObject({ won: false, thread: { threadId: 'th1' } });
    expect(await store.threads.find(at.platform, at.channelId, at.messageId)).toMatchObject({ threadId: 'th1', claimedAt: t0 });
  });

  it('takes over a claim abandoned without a thread once it is stale, and only then; the old holder can no longer record', async () => {
    await store.threads.claim({ ...at, paperId: paper.id, now: t0, staleAfterMs: 60_000, ...alive });
    expect(await store.threads.claim({ ...at, paperId: paper.id, now: new Date(t0.getTime() + 59_000), staleAfterMs: 60_000, ...alive })).toMatchObject({
      won: false,
    });
    const later = new Date(t0.getTime() + 61_000);
    expect(await store.threads.claim({ ...at, paperId: paper.id, now: later, staleAfterMs: 60_000, ...alive })).toEqual({
      won: true,
      takenOver: true,
      claimedAt: later,
    });
    await store.threads.opened({ ...at, threadId: 'old', claimedAt: t0, now: later });
    expect((await store.threads.find(at.platform, at.channelId, at.messageId))!.threadId).toBeNull();
    await store.threads.opened({ ...at, threadId: 'new', claimedAt: later, now: later });
    expect((await store.threads.find(at.platform, at.channelId, at.messageId))!.threadId).toBe('new');
  });

  it('opens a thread once for five at once; a failed opening gives the claim back for the next attempt', async () => {
    const failing = countingOpener({ fail: new UserError('needs Create Public Threads') });
    await expect(openThreadOnce(store, failing, site, paper, { now: () => t0 })).rejects.toThrow('needs Create Public Threads');
    expect(await store.threads.find(at.platform, at.channelId, at.messageId)).toBeNull();

    const opener = countingOpener({ delayMs: 50 });
    const outcomes = await Promise.all(Array.from({ length: 5 }, () => openThreadOnce(store, opener, site, paper, { now: () => t0, waitForWinner: true })));
    expect(opener.calls).toEqual([{ key: 'thread:discord:c1:m1', maybeOpenedBefore: false }]);
    expect(outcomes.filter((o) => o.state === 'opened')).toEqual([{ state: 'opened', threadId: 't-m1' }]);
    expect(outcomes.filter((o) => o.state === 'exists')).toHaveLength(4);
  });

  it('takes over at once a claim whose process on this host is gone, telling the platform the thread may exist; a live one’s it leaves', async () => {
    // A daily post killed between claiming a thread and recording it: the restart opens it, not a click a minute later.
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    await store.threads.claim({ ...at, paperId: paper.id, now: t0, staleAfterMs: THREAD_CLAIM_STALE_MS, owner: { host: hostname(), pid: dead }, ownerIsGone });
    const opener = countingOpener();
    expect(await openThreadOnce(store, opener, site, paper, { now: () => new Date(t0.getTime() + 1000) })).toEqual({ state: 'opened', threadId: 't-m1' });
    expect(opener.calls).toEqual([{ key: 'thread:discord:c1:m1', maybeOpenedBefore: true }]);

    const other = { ...at, messageId: 'm2' };
    await store.threads.claim({
      ...other,
      paperId: paper.id,
      now: t0,
      staleAfterMs: THREAD_CLAIM_STALE_MS,
      owner: { host: hostname(), pid: process.ppid },
      ownerIsGone,
    });
    expect(await openThreadOnce(store, opener, { ...site, messageId: 'm2' }, paper, { now: () => new Date(t0.getTime() + 1000) })).toEqual({
      state: 'pending',
    });
    expect(opener.calls).toHaveLength(1);
  });

  it('opens again, telling the platform it may exist, only when a claim was abandoned', async () => {
    await store.threads.claim({ ...at, paperId: paper.id, now: t0, staleAfterMs: THREAD_CLAIM_STALE_MS, ...alive });
    const opener = countingOpener();
    expect(await openThreadOnce(store, opener, site, paper, { now: () => new Date(t0.getTime() + 1000) })).toEqual({ state: 'pending' });
    expect(opener.calls).toEqual([]);
    const outcome = await openThreadOnce(store, opener, site, paper, { now: () => new Date(t0.getTime() + THREAD_CLAIM_STALE_MS + 1) });
    expect(outcome).toEqual({ state: 'opened', threadId: 't-m1' });
    expect(opener.calls).toEqual([{ key: 'thread:discord:c1:m1', maybeOpenedBefore: true }]);
  });
});
