import { describe, expect, it } from 'vitest';
import { createReplayGuard, replayKey } from '../../src/chat/replay-guard';
import { createLogger } from '../../src/log';
import type { ReplayRepository } from '../../src/store/types';

/**
 * The replay guard when the store is slow or failing (the drills in test/drills/replays.test.ts
 * cover it when the store answers): a request is never held past the wait, this process's own
 * memory still refuses its copies, and what the store says later is logged, not lost.
 */

const WAIT_MS = 20;
const expiresAt = () => new Date(Date.now() + 60_000);
/** The next turn of the event loop, where an answer that came late has been handled. */
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
/** A request signed at second `signedAt` with a signature of `hex` repeated. */
const request = (signedAt: number, hex: string) => ({ signedAt, signature: hex.repeat(64 / hex.length) });

/** A store whose answers the test gives (or never gives), and the keys it was asked. */
function controlledStore() {
  const asked: string[] = [];
  const pending: { resolve(first: boolean): void; reject(err: Error): void }[] = [];
  const replays: ReplayRepository = {
    remember(key) {
      asked.push(key);
      return new Promise((resolve, reject) => pending.push({ resolve, reject }));
    },
  };
  return { replays, asked, pending };
}

function recordingLog() {
  const lines: { event?: string }[] = [];
  return {
    log: createLogger({ level: 'warn', destination: { write: (l: string) => void lines.push(JSON.parse(l)) } }),
    events: () => lines.map((l) => l.event),
  };
}

describe('the replay guard', () => {
  it('accepts a request the store is slow to check once the wait is over, and refuses its copy from memory meanwhile', async () => {
    const store = controlledStore();
    const { log, events } = recordingLog();
    const guard = createReplayGuard({ platform: 'discord', replays: store.replays, log, storeWaitMs: WAIT_MS });

    expect(await guard.firstTime(request(1, 'aa'), expiresAt())).toBe(true);
    // The copy is refused at once, without asking the store (which has not answered the first).
    expect(await guard.firstTime(request(1, 'aa'), expiresAt())).toBe(false);
    expect(store.asked).toEqual([replayKey('discord', 1, 'aa'.repeat(32))]);
    // Another request is not held back by it.
    expect(await guard.firstTime(request(1, 'bb'), expiresAt())).toBe(true);
    // The store's late answer agrees (first seen here): nothing to tell.
    store.pending[0]!.resolve(true);
    await nextTurn();
    expect(events()).toEqual([]);
  });

  it('logs a request the store says it had seen, when that answer came after the wait', async () => {
    const store = controlledStore();
    const { log, events } = recordingLog();
    const guard = createReplayGuard({ platform: 'discord', replays: store.replays, log, storeWaitMs: WAIT_MS });

    expect(await guard.firstTime(request(1, 'cc'), expiresAt())).toBe(true);
    expect(events()).toEqual([]);
    // Another replica had recorded it: this one answered a copy while the store was locked.
    store.pending[0]!.resolve(false);
    await nextTurn();
    expect(events()).toEqual(['replay_accepted_late']);
  });

  it('takes the store answer that comes within the wait: a key seen by another replica is refused', async () => {
    const store = controlledStore();
    const { log, events } = recordingLog();
    const guard = createReplayGuard({ platform: 'discord', replays: store.replays, log, storeWaitMs: 1_000 });

    const first = guard.firstTime(request(2, 'dd'), expiresAt());
    store.pending[0]!.resolve(false);
    expect(await first).toBe(false);
    expect(events()).toEqual([]);
  });

  it('accepts a request when the store fails, and logs it; the copy is still refused from memory', async () => {
    const store = controlledStore();
    const { log, events } = recordingLog();
    const guard = createReplayGuard({ platform: 'discord', replays: store.replays, log, storeWaitMs: 1_000 });

    const first = guard.firstTime(request(3, 'ee'), expiresAt());
    store.pending[0]!.reject(new Error('database is locked'));
    expect(await first).toBe(true);
    expect(events()).toEqual(['replay_check_failed']);
    expect(await guard.firstTime(request(3, 'ee'), expiresAt())).toBe(false);
  });

  it('logs a store that fails after the wait', async () => {
    const store = controlledStore();
    const { log, events } = recordingLog();
    const guard = createReplayGuard({ platform: 'discord', replays: store.replays, log, storeWaitMs: WAIT_MS });

    expect(await guard.firstTime(request(4, 'ff'), expiresAt())).toBe(true);
    store.pending[0]!.reject(new Error('connection lost'));
    await nextTurn();
    expect(events()).toEqual(['replay_check_failed']);
  });

  it('forgets a key in memory once it expires: the store decides again', async () => {
    const store = controlledStore();
    const { log } = recordingLog();
    const guard = createReplayGuard({ platform: 'discord', replays: store.replays, log, storeWaitMs: WAIT_MS });

    expect(await guard.firstTime(request(5, 'aa'), new Date(Date.now() + 5))).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 10));
    const again = guard.firstTime(request(5, 'aa'), expiresAt());
    store.pending[1]!.resolve(true);
    expect(await again).toBe(true);
    expect(store.asked).toEqual([replayKey('discord', 5, 'aa'.repeat(32)), replayKey('discord', 5, 'aa'.repeat(32))]);
  });
});
