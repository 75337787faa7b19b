import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Runs sends one at a time per channel, each starting at least intervalMs after the previous send
 * to that channel got its answer. Counting from the answer (not the start) keeps the gap even when
 * a request reaches Slack late. Channels never wait on each other.
 */
export interface ChannelPacer {
  run<T>(channel: string, send: () => Promise<T>): Promise<T>;
}

interface Lane {
  /** Settles when the last queued send of the channel is done. */
  tail: Promise<void>;
  /** The earliest time the channel's next send may start. */
  nextAt: number;
  queued: number;
}

/** Runs between two sweeps of idle lanes. */
const SWEEP_EVERY = 1000;

export function createChannelPacer(intervalMs: number): ChannelPacer {
  const lanes = new Map<string, Lane>();
  let runs = 0;

  /**
   * Forgets channels idle past their next slot, so the map holds only recent channels. Only then:
   * a lane forgotten while its slot is still ahead would let the channel's next send go at once
   * (a per-release timer did that when it fired just after a later send).
   */
  function sweep(now: number): void {
    for (const [channel, lane] of lanes) if (lane.queued === 0 && lane.nextAt <= now) lanes.delete(channel);
  }

  return {
    run<T>(channel: string, send: () => Promise<T>): Promise<T> {
      if (++runs % SWEEP_EVERY === 0) sweep(Date.now());
      const lane = lanes.get(channel) ?? { tail: Promise.resolve(), nextAt: 0, queued: 0 };
      lanes.set(channel, lane);
      lane.queued++;
      const result = lane.tail.then(async () => {
        // Timers count from the event loop's cached time, so on a busy loop one can fire a little
        // early by the wall clock; Slack counts by the wall clock.
        for (let wait = lane.nextAt - Date.now(); wait > 0; wait = lane.nextAt - Date.now()) await sleep(wait);
        try {
          return await send();
        } finally {
          lane.nextAt = Date.now() + intervalMs;
        }
      });
      const done = () => void lane.queued--;
      lane.tail = result.then(done, done);
      return result;
    },
  };
}
