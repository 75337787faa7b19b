import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseListing } from '../../src/parse/index';
import { openStore } from '../../src/store/open';
import type { Store } from '../../src/store/types';
import { readFixture, repoRoot } from '../helpers/fixtures';
import { storeKinds, testDatabase } from '../helpers/stores';

/** Starts a TypeScript script under test/store as its own Node process; resolves lines of its stdout. */
function child(script: string, args: string[]): { proc: ChildProcess; nextLine: () => Promise<string> } {
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'test/store', script), ...args], {
    cwd: repoRoot,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: proc.stdout! })[Symbol.asyncIterator]();
  return {
    proc,
    nextLine: async () => {
      const next = await lines.next();
      if (next.done) throw new Error(`${script} exited (code ${proc.exitCode}) before printing a line`);
      return next.value;
    },
  };
}

/**
 * A test that drives child processes. Under `npm run mutate` those run the original code, not the
 * mutant, so they prove nothing there and are skipped (vitest.mutate.config.ts).
 */
const withChildren = it.skipIf(process.env.PAPERS_MUTATE === '1');
/** Thread claims made by a live process on another host: only their age frees them. */
const elsewhere = { owner: { host: 'another-host', pid: 1 }, ownerIsGone: () => false };
/** A fan-out's claim of channel c1's digest of `date`, by `owner` at `now`. */
const claimRequest = (owner: { host: string; pid: number }, date: string, now: Date) => ({
  subscriptionId: 'discord:c1',
  date,
  owner,
  now,
  staleAfterMs: 60_000,
  ownerIsGone: () => false,
  maxAttempts: 3,
});

describe.each(storeKinds)('store on %s across processes', (kind) => {
  let url: string;
  let cleanup: () => Promise<void>;
  let store: Store;
  const children: ChildProcess[] = [];

  beforeEach(async () => {
    ({ url, cleanup } = testDatabase(kind));
    store = await openStore(url);
  });
  afterEach(async () => {
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await store.close();
    await cleanup();
  });

  withChildren('gives each delivery to exactly one of two processes claiming at the same moment', async () => {
    const t0 = new Date('2025-10-14T07:00:00Z');
    const dates = Array.from({ length: 40 }, (_, i) => `2025-${String(1 + Math.floor(i / 28)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`);
    // Half are fresh (the insert races), half hold a claim gone stale 10 minutes ago (the takeover races).
    const stale = dates.slice(20);
    for (const date of stale)
      await store.deliveries.claim({
        subscriptionId: 'discord:c1',
        date,
        owner: { host: 'crashed', pid: 1 },
        now: t0,
        staleAfterMs: 60_000,
        ownerIsGone: () => false,
        maxAttempts: 3,
      });
    const now = new Date(t0.getTime() + 10 * 60_000).toISOString();

    const a = child('claim-child.ts', [url, 'A', now, ...dates]);
    const b = child('claim-child.ts', [url, 'B', now, ...dates]);
    children.push(a.proc, b.proc);
    expect([await a.nextLine(), await b.nextLine()]).toEqual(['ready', 'ready']);
    a.proc.stdin!.write('go\n');
    b.proc.stdin!.write('go\n');
    const wonByA = JSON.parse(await a.nextLine()) as string[];
    const wonByB = JSON.parse(await b.nextLine()) as string[];

    expect([...wonByA, ...wonByB].sort()).toEqual(dates.map((d) => `discord:c1@${d}`).sort());
    expect(wonByA.filter((id) => wonByB.includes(id))).toEqual([]);
    for (const id of wonByA) expect((await store.deliveries.get(id))?.owner?.host).toBe('A');
    for (const id of wonByB) expect((await store.deliveries.get(id))?.owner?.host).toBe('B');
    for (const date of stale) expect((await store.deliveries.get(`discord:c1@${date}`))?.attempts).toBe(2);
  });

  withChildren('gives each message’s discussion thread to exactly one of two processes claiming at the same moment', async () => {
    const t0 = new Date('2025-10-14T07:00:00Z');
    const messages = Array.from({ length: 40 }, (_, i) => `m${i}`);
    // Half are fresh (the insert races), half hold a claim abandoned 10 minutes ago (the takeover races).
    for (const messageId of messages.slice(20))
      await store.threads.claim({ platform: 'discord', channelId: 'c1', messageId, paperId: 'p1', now: t0, staleAfterMs: 60_000, ...elsewhere });
    const now = new Date(t0.getTime() + 10 * 60_000).toISOString();

    const a = child('thread-claim-child.ts', [url, now, ...messages]);
    const b = child('thread-claim-child.ts', [url, now, ...messages]);
    children.push(a.proc, b.proc);
    expect([await a.nextLine(), await b.nextLine()]).toEqual(['ready', 'ready']);
    a.proc.stdin!.write('go\n');
    b.proc.stdin!.write('go\n');
    const wonByA = JSON.parse(await a.nextLine()) as string[];
    const wonByB = JSON.parse(await b.nextLine()) as string[];
    expect([...wonByA, ...wonByB].sort()).toEqual([...messages].sort());
    expect(wonByA.filter((id) => wonByB.includes(id))).toEqual([]);
  });

  it('gives each stale delivery to exactly one of two connections whose claims interleave at every query', async () => {
    // Two connections in one process, their claims started together: each claim's read of the
    // stale row and its takeover write are separate queries, so the other connection's read lands
    // between them. Only the compare-and-set keeps the second takeover from winning too.
    const t0 = new Date('2025-10-14T07:00:00Z');
    const dates = Array.from({ length: 20 }, (_, i) => `2025-02-${String(1 + i).padStart(2, '0')}`);
    for (const date of dates) await store.deliveries.claim(claimRequest({ host: 'crashed', pid: 1 }, date, t0));
    const other = await openStore(url, { migrate: false });
    try {
      const later = new Date(t0.getTime() + 10 * 60_000);
      const [byA, byB] = await Promise.all([
        Promise.all(dates.map((d) => store.deliveries.claim(claimRequest({ host: 'A', pid: 1 }, d, later)))),
        Promise.all(dates.map((d) => other.deliveries.claim(claimRequest({ host: 'B', pid: 2 }, d, later)))),
      ]);
      const winners = dates.map((_, i) => [byA[i]!.won, byB[i]!.won].filter(Boolean).length);
      expect(winners).toEqual(dates.map(() => 1));
      // Taken over, not created: no claimer, winner or loser, is told nothing can have been sent.
      expect([...byA, ...byB].filter((r) => r.fresh)).toEqual([]);
      for (const [i, date] of dates.entries()) {
        const row = await store.deliveries.get(`discord:c1@${date}`);
        expect(row).toMatchObject({ attempts: 2, owner: { host: byA[i]!.won ? 'A' : 'B' } });
      }
    } finally {
      await other.close();
    }
  });

  it('claims deliveries two connections ask for in opposite orders without a deadlock', async () => {
    // Two posting processes shuffle their channels, so one's batch of claims (one transaction)
    // meets the other's in the opposite order: PostgreSQL would find them waiting on each other's
    // rows (fresh inserts and takeovers alike) and abort one batch, failing every claim in it.
    const t0 = new Date('2025-10-14T07:00:00Z');
    const dates = Array.from({ length: 300 }, (_, i) => new Date(Date.UTC(2024, 0, 1 + i)).toISOString().slice(0, 10));
    const stale = dates.filter((_, i) => i % 3 === 0);
    await Promise.all(stale.map((date) => store.deliveries.claim(claimRequest({ host: 'crashed', pid: 1 }, date, t0))));
    const other = await openStore(url, { migrate: false });
    try {
      const later = new Date(t0.getTime() + 10 * 60_000);
      const [byA, byB] = await Promise.all([
        Promise.all(dates.map((d) => store.deliveries.claim(claimRequest({ host: 'A', pid: 1 }, d, later)))),
        Promise.all([...dates].reverse().map((d) => other.deliveries.claim(claimRequest({ host: 'B', pid: 2 }, d, later)))),
      ]);
      byB.reverse();
      expect(dates.filter((_, i) => Number(byA[i]!.won) + Number(byB[i]!.won) !== 1)).toEqual([]);
    } finally {
      await other.close();
    }
  });

  it('gives each abandoned discussion thread to exactly one of two connections whose claims interleave at every query', async () => {
    const t0 = new Date('2025-10-14T07:00:00Z');
    const messages = Array.from({ length: 20 }, (_, i) => `m${i}`);
    const request = (messageId: string, now: Date) => ({
      platform: 'discord' as const,
      channelId: 'c1',
      messageId,
      paperId: 'p1',
      now,
      staleAfterMs: 60_000,
      ...elsewhere,
    });
    for (const m of messages) await store.threads.claim(request(m, t0));
    const other = await openStore(url, { migrate: false });
    try {
      const later = new Date(t0.getTime() + 10 * 60_000);
      const [byA, byB] = await Promise.all([
        Promise.all(messages.map((m) => store.threads.claim(request(m, later)))),
        Promise.all(messages.map((m) => other.threads.claim(request(m, later)))),
      ]);
      expect(messages.map((_, i) => [byA[i]!.won, byB[i]!.won].filter(Boolean).length)).toEqual(messages.map(() => 1));
    } finally {
      await other.close();
    }
  });

  withChildren('keeps a bookmark written just before the process is killed with SIGKILL', async () => {
    const paper = parseListing(readFixture('hf-api/daily_papers-2025-10-14.json')).papers[0]!;
    await store.papers.upsert([paper], new Date('2025-10-14T08:00:00Z'));
    const c = child('bookmark-child.ts', [url, paper.id]);
    children.push(c.proc);
    expect(await c.nextLine()).toBe('saved');
    const exited = new Promise((resolve) => c.proc.once('exit', (_code, signal) => resolve(signal)));
    c.proc.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    await store.close();
    store = await openStore(url);
    expect((await store.bookmarks.list('slack', 'u1')).map((b) => b.paper.id)).toEqual([paper.id]);
  });
});
