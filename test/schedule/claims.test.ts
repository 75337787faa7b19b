import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { currentOwner, ownerIsGone, startHeartbeat } from '../../src/schedule/claims';
import { createLogger } from '../../src/log';
import { openTestStore } from '../helpers/stores';

describe('claim owners', () => {
  it('is this host and pid', () => {
    expect(currentOwner()).toEqual({ host: os.hostname(), pid: process.pid });
  });

  it('knows an owner is gone only when it ran on this host and its pid has exited', () => {
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    expect(ownerIsGone({ host: os.hostname(), pid: dead })).toBe(true);
    expect(ownerIsGone(currentOwner())).toBe(false);
    // pid 1 always exists (and may belong to another user: EPERM still means alive).
    expect(ownerIsGone({ host: os.hostname(), pid: 1 })).toBe(false);
    // Another host's pids mean nothing here; its claims expire by heartbeat instead.
    expect(ownerIsGone({ host: `${os.hostname()}-other`, pid: dead })).toBe(false);
  });

  it("takes a pid on this host that answers EPERM (another user's process) as alive, and only ESRCH as gone", () => {
    // Root may signal every process, so the EPERM a normal user gets for another user's pid is made here.
    const answer = (code: string) =>
      vi.spyOn(process, 'kill').mockImplementation(() => {
        throw Object.assign(new Error(`kill ${code}`), { code });
      });
    try {
      const kill = answer('EPERM');
      expect(ownerIsGone({ host: os.hostname(), pid: 424_242 })).toBe(false);
      expect(kill).toHaveBeenCalledWith(424_242, 0);
      answer('ESRCH');
      expect(ownerIsGone({ host: os.hostname(), pid: 424_242 })).toBe(true);
    } finally {
      vi.restoreAllMocks();
    }
  });
});

describe('delivery heartbeat', () => {
  const owner = { host: 'replica-a', pid: 100 };
  const t0 = new Date('2025-10-14T07:00:00Z');
  const STALE_MS = 60_000;

  it('writes a heartbeat every third of the stale limit (a third exactly included), checks ownership in between, and stays lost after a takeover', async () => {
    const { store, cleanup } = await openTestStore('sqlite');
    try {
      let clock = t0.getTime();
      const now = () => new Date(clock);
      const claim = (who: typeof owner, ownerIsGone = () => false) =>
        store.deliveries.claim({
          subscriptionId: 'discord:c1',
          date: '2025-10-14',
          owner: who,
          now: now(),
          staleAfterMs: STALE_MS,
          ownerIsGone,
          maxAttempts: 3,
        });
      await claim(owner);
      const heartbeat = startHeartbeat({
        store,
        deliveryId: 'discord:c1@2025-10-14',
        owner,
        now,
        staleAfterMs: STALE_MS,
        log: createLogger({ level: 'silent' }),
      });
      try {
        const heartbeatAt = async () => (await store.deliveries.get('discord:c1@2025-10-14'))!.heartbeatAt!.toISOString();
        clock += 5_000;
        expect(await heartbeat.beat()).toBe(true);
        expect(await heartbeatAt()).toBe(t0.toISOString());
        clock += STALE_MS / 3;
        expect(await heartbeat.beat()).toBe(true);
        expect(await heartbeatAt()).toBe(now().toISOString());
        // Exactly a third of the stale limit after the last write is already time for the next.
        clock += STALE_MS / 3;
        expect(await heartbeat.beat()).toBe(true);
        expect(await heartbeatAt()).toBe(now().toISOString());
        // A check soon after that write only reads: the third is counted from the last write, not the claim.
        const lastWrite = now().toISOString();
        clock += 1_000;
        expect(await heartbeat.beat()).toBe(true);
        expect(await heartbeatAt()).toBe(lastWrite);
        // Another replica takes the claim over (it saw this owner as gone); the next check, a read, says so.
        clock += 1_000;
        expect((await claim({ host: 'replica-b', pid: 200 }, () => true)).won).toBe(true);
        expect(await heartbeat.beat()).toBe(false);
        expect(heartbeat.held).toBe(false);
        // Once lost, it stays lost: no later check says the claim is ours.
        expect(await heartbeat.beat()).toBe(false);
        expect(await heartbeat.beat('discord:c1@2025-10-14:header')).toBe(false);
      } finally {
        heartbeat.stop();
      }
    } finally {
      await cleanup();
    }
  });

  afterEach(() => vi.useRealTimers());

  it('keeps the claim fresh on its own timer while a send waits, with no beat() called', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const { store, cleanup } = await openTestStore('sqlite');
    let clock = t0.getTime();
    const now = () => new Date(clock);
    const id = 'discord:c1@2025-10-14';
    await store.deliveries.claim({
      subscriptionId: 'discord:c1',
      date: '2025-10-14',
      owner,
      now: now(),
      staleAfterMs: STALE_MS,
      ownerIsGone: () => false,
      maxAttempts: 3,
    });
    const heartbeat = startHeartbeat({ store, deliveryId: id, owner, now, staleAfterMs: STALE_MS, log: createLogger({ level: 'silent' }) });
    const heartbeatAt = async () => (await store.deliveries.get(id))!.heartbeatAt!.getTime();
    /** Lets the timer's write (a few awaited queries) finish. */
    const settle = async () => {
      for (let i = 0; i < 50; i++) await new Promise((resolve) => setImmediate(resolve));
    };
    try {
      clock += STALE_MS / 3;
      vi.advanceTimersByTime(STALE_MS / 3 - 1);
      await settle();
      expect(await heartbeatAt()).toBe(t0.getTime());
      vi.advanceTimersByTime(1);
      await settle();
      expect(await heartbeatAt()).toBe(clock);
      clock += STALE_MS / 3;
      vi.advanceTimersByTime(STALE_MS / 3);
      await settle();
      expect(await heartbeatAt()).toBe(clock);
      // Stopped, it writes no more.
      heartbeat.stop();
      const last = clock;
      clock += STALE_MS;
      vi.advanceTimersByTime(STALE_MS);
      await settle();
      expect(await heartbeatAt()).toBe(last);
    } finally {
      heartbeat.stop();
      await cleanup();
    }
  });
});
