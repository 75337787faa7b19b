import os from 'node:os';
import type { Logger } from 'pino';
import type { ClaimOwner, ClaimRequest, Store } from '../store/types';
import { errorMessage } from '../errors';

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

/**
 * Claims one delivery (a channel's post, a person's digest or alert) for `date`, with the
 * deployment's stale limit and attempts: every kind of delivery is claimed the same way.
 */
export function claimDelivery(
  deps: { store: Store; owner: ClaimOwner; config: { schedule: { claimStaleMs: number; maxAttempts: number } } },
  subscriptionId: string,
  date: string,
  at: Date,
  plan?: ClaimRequest['plan'],
) {
  const { claimStaleMs, maxAttempts } = deps.config.schedule;
  return deps.store.deliveries.claim({ subscriptionId, date, owner: deps.owner, now: at, staleAfterMs: claimStaleMs, ownerIsGone, maxAttempts, plan });
}

export interface Heartbeat {
  /** False once another owner took the claim over: stop posting. */
  readonly held: boolean;
  /**
   * Confirms the claim is still held before a send; false when it was lost. With `sending` (the key
   * of the message about to go out) it is written with the heartbeat, so a resume knows it.
   */
  beat(sending?: string): Promise<boolean>;
  stop(): void;
}

/**
 * Keeps a claim fresh while a delivery is posting, so other replicas don't take it over: a check
 * before each message, and a timer (a third of the stale limit) for sends that wait long on a
 * platform's rate limit. The check writes a new heartbeat only when the last is a third of the
 * stale limit old; otherwise it reads whether the claim is still ours, which is cheaper than a write
 * transaction, and a fan-out makes one per message.
 */
export function startHeartbeat(opts: { store: Store; deliveryId: string; owner: ClaimOwner; now: () => Date; staleAfterMs: number; log: Logger }): Heartbeat {
  let held = true;
  /** The claim was written (with its heartbeat) just before this starts. */
  let lastWrite = opts.now().getTime();
  const writeEveryMs = Math.max(1, Math.floor(opts.staleAfterMs / 3));

  async function extend(sending?: string): Promise<boolean> {
    const at = opts.now();
    const ours = await opts.store.deliveries.heartbeat(opts.deliveryId, opts.owner, at, sending);
    if (ours) lastWrite = at.getTime();
    return ours;
  }

  /** Records what a write or read said; false (and stops the timer) once the claim is lost. */
  function keep(ours: boolean): boolean {
    if (!ours && held) {
      held = false;
      clearInterval(timer);
      opts.log.warn({ deliveryId: opts.deliveryId }, 'delivery claim lost to another owner; stopping');
    }
    return held;
  }

  async function beat(sending?: string): Promise<boolean> {
    if (!held) return false;
    const write = sending !== undefined || opts.now().getTime() - lastWrite >= writeEveryMs;
    return keep(write ? await extend(sending) : await opts.store.deliveries.holds(opts.deliveryId, opts.owner));
  }

  const timer = setInterval(() => {
    if (!held) return;
    extend().then(keep, (err: unknown) => opts.log.warn({ deliveryId: opts.deliveryId, err: errorMessage(err) }, 'delivery heartbeat failed'));
  }, writeEveryMs);
  // A heartbeat never keeps the process alive on its own.
  timer.unref();
  return {
    get held() {
      return held;
    },
    beat,
    stop: () => clearInterval(timer),
  };
}
