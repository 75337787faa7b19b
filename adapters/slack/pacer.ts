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

export function createChannelPacer(intervalMs: number): ChannelPacer {
  const lanes = new Map<string, Lane>();
  return {
    run<T>(channel: string, send: () => Promise<T>): Promise<T> {
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
      lane.tail = result.then(
        () => release(channel, lane),
        () => release(channel, lane),
      );
      return result;
    },
  };

  /** Forgets an idle channel once its interval has passed, so the map holds only recent channels. */
  function release(channel: string, lane: Lane): void {
    if (--lane.queued > 0) return;
    setTimeout(() => {
      if (lane.queued === 0 && lanes.get(channel) === lane) lanes.delete(channel);
    }, intervalMs).unref();
  }
}
