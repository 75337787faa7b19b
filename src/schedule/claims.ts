import os from 'node:os';
import type { Logger } from 'pino';
import type { ClaimOwner, Store } from '../store/types';

/** Who claims deliveries from this process: replicas on other hosts, or restarts, differ. */
export function currentOwner(): ClaimOwner {
  return { host: os.hostname(), pid: process.pid };
}

/**
 * True when a claim's owner is certainly dead: it ran on this host and its pid no longer exists.
 * Owners on other hosts can't be checked; their claims are taken over once their heartbeat is stale.
 */
export function ownerIsGone(owner: ClaimOwner): boolean {
  if (owner.host !== os.hostname() || owner.pid === process.pid) return false;
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (err) {
    // EPERM: the pid exists but belongs to another user, so it is alive.
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

export interface Heartbeat {
  /** False once another owner took the claim over: stop posting. */
  readonly held: boolean;
  stop(): void;
}

/**
 * Keeps a claim fresh while a delivery is posting, so other replicas don't take it over.
 * Beats at a third of the stale limit; a lost claim is noticed at the next beat.
 */
export function startHeartbeat(opts: {
  store: Store;
  deliveryId: string;
  owner: ClaimOwner;
  now: () => Date;
  staleAfterMs: number;
  log: Logger;
}): Heartbeat {
  let held = true;
  const timer = setInterval(() => {
    opts.store.heartbeatDelivery(opts.deliveryId, opts.owner, opts.now()).then(
      (ok) => {
        if (!ok && held) {
          held = false;
          clearInterval(timer);
          opts.log.warn({ deliveryId: opts.deliveryId }, 'delivery claim lost to another owner; stopping');
        }
      },
      (err: unknown) => opts.log.warn({ deliveryId: opts.deliveryId, err }, 'delivery heartbeat failed'),
    );
  }, Math.max(1, Math.floor(opts.staleAfterMs / 3)));
  // A heartbeat never keeps the process alive on its own.
  timer.unref();
  return {
    get held() {
      return held;
    },
    stop: () => clearInterval(timer),
  };
}
