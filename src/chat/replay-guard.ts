import { errorMessage } from '../errors';
import type { Logger } from '../log';
import type { ReplayRepository } from '../store/types';

/**
 * How long a request waits for the store to say whether it was seen. The store answers in a
 * millisecond unless another process holds SQLite's write lock; a platform's deadline (Slack 3 s,
 * Discord 3 s) must not be spent waiting on it.
 */
const STORE_WAIT_MS = 500;

/**
 * The key a signed request is remembered by: its platform, the timestamp it was signed with, and
 * the first 128 bits of its signature (a copy has the same three; another request's signature
 * sharing them is a 2^-128 chance). Starting with the time, each key sorts after nearly all those
 * stored, so the store's unique index grows at its end: signatures alone land on random pages,
 * and a burst of 50 rewrote about as many index pages (SQLite: 30 µs a key, 5 µs in time order).
 */
export function replayKey(platform: string, timestamp: number, signature: string): string {
  // Zero-padded, so keys sort as their times do (seconds since 1970 have 10 digits until 2286).
  return `${platform}:${String(Math.trunc(timestamp)).padStart(12, '0')}:${signature.slice(0, 32).toLowerCase()}`;
}

/** What a signed request is known by: the time it was signed with (seconds) and its signature's hex digits. */
export interface SignedRequest {
  signedAt: number;
  signature: string;
}

/**
 * Says whether a signed request to `platform`'s route is seen for the first time: by this process
 * (kept in memory) and by any replica (kept in the store, store.replays, under replayKey). When the
 * store is slow to answer (locked) or failing, this process's own memory decides, the store's
 * answer is logged when it comes, and replicas may disagree until then; a request is never held
 * past STORE_WAIT_MS for it.
 */
export function createReplayGuard(deps: { platform: string; replays: ReplayRepository; log: Logger; storeWaitMs?: number }) {
  const local = new Map<string, number>();
  let sweptAt = Date.now();
  const waitMs = deps.storeWaitMs ?? STORE_WAIT_MS;

  /** A store that could not answer: the request is accepted (this process's memory still holds it). */
  const storeFailed = (err: unknown) => {
    deps.log.warn({ event: 'replay_check_failed', err: errorMessage(err) }, 'could not check a request against the ones seen; accepted');
    return true;
  };

  function sweep(now: number) {
    if (now - sweptAt < 60_000) return;
    sweptAt = now;
    for (const [key, expires] of local) if (expires <= now) local.delete(key);
  }

  return {
    async firstTime(request: SignedRequest, expiresAt: Date): Promise<boolean> {
      const key = replayKey(deps.platform, request.signedAt, request.signature);
      const now = Date.now();
      sweep(now);
      if ((local.get(key) ?? 0) > now) return false;
      local.set(key, expiresAt.getTime());
      const stored = deps.replays.remember(key, expiresAt);
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), waitMs)));
      const answer = await Promise.race([stored, late]).catch(storeFailed);
      clearTimeout(timer);
      if (answer !== 'late') return answer;
      stored.then((first) => {
        if (!first) deps.log.warn({ event: 'replay_accepted_late' }, 'a replayed request was accepted while the store was locked');
      }, storeFailed);
      return true;
    },
  };
}
