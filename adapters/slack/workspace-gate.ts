import { setTimeout as sleep } from 'node:timers/promises';

export interface GateClock {
  now(): number;
  sleep(ms: number): Promise<unknown>;
}

const realClock: GateClock = { now: Date.now, sleep };

/**
 * How far back the first pause looks for the window it closed. A fan-out from idle starts that
 * window itself; a process that has posted steadily for hours has no such start, and Slack's limit
 * is per minute.
 */
const LEARN_SPAN_MS = 2 * 60_000;

/** What the gate knows of one workspace (one token). */
interface Workspace {
  lastLimited?: { channel: string; until: number };
  pausedUntil: number;
  /** When the current pause's first 429 came; the pace is learned when the pause ends. */
  limitedAt?: number;
  /** When the first message since the last pause went: the window Slack counts them in opened then. */
  since?: number;
  /** When Slack took each message since `since` (pruned to the pace's window once there is one). */
  taken: number[];
  /**
   * The limit as learned: at most `allowance` messages sent in any `windowMs`; `sent` their times,
   * `lastAt` the last one's (or when it was learned).
   */
  pace?: { allowance: number; windowMs: number; sent: number[]; lastAt: number };
}

/**
 * Above each channel's one message a second, Slack limits an app's messages to a workspace ("several
 * hundred messages per minute", no number published), and its 429 does not say which limit it is.
 * The posters keep each channel to its pace, so a 429 in a second channel while the first one's
 * Retry-After runs is the workspace's: from then every message to that workspace (one token) waits
 * until the later Retry-After ends, instead of each channel sending into the limit again.
 *
 * That pause also shows the limit: the messages Slack took since the first of them went, in the time
 * from then to the pause's end. From then on at most that many go in any such span, so the windows
 * after the first meet no 429 (only messages already in flight when the first window filled do). A
 * 429 in spite of it (a lower limit, another process posting there) is learned again the same way:
 * the allowance becomes what Slack took in the window before it. The pace lasts while messages keep
 * coming: after a whole window with none, the workspace is unknown again.
 */
export function createWorkspaceGate(clock: GateClock = realClock) {
  const workspaces = new Map<string, Workspace>();
  const of = (token: string): Workspace => {
    let ws = workspaces.get(token);
    if (!ws) workspaces.set(token, (ws = { pausedUntil: 0, taken: [] }));
    return ws;
  };

  /** Counting starts over (no window open, nothing taken in it) under this pace, or none. */
  function startOver(ws: Workspace, pace: Workspace['pace']): void {
    Object.assign(ws, { pace, taken: [], since: undefined, limitedAt: undefined });
  }

  /** The pause that began at `limitedAt` has ended: what Slack took in the window it closed is the allowance from now on. */
  function learn(ws: Workspace, limitedAt: number, now: number): void {
    const windowMs = ws.pace?.windowMs ?? Math.min(ws.pausedUntil - (ws.since ?? limitedAt), LEARN_SPAN_MS);
    const allowance = Math.max(1, ws.taken.filter((t) => t > limitedAt - windowMs).length);
    startOver(ws, { allowance, windowMs, sent: [], lastAt: now });
  }

  return {
    /** Resolves once a message to the token's workspace may go, and counts it as gone. */
    async open(token: string): Promise<void> {
      const ws = of(token);
      for (;;) {
        const now = clock.now();
        if (ws.pausedUntil > now) {
          await clock.sleep(ws.pausedUntil - now);
          continue;
        }
        if (ws.limitedAt !== undefined) learn(ws, ws.limitedAt, now);
        // A workspace quiet for a whole window starts afresh: the pace was what this burst met (another
        // process posting there then, say), and the next burst learns its own from its first window.
        if (ws.pace && now - ws.pace.lastAt > ws.pace.windowMs) startOver(ws, undefined);
        const pace = ws.pace;
        if (pace) {
          while (pace.sent.length > 0 && pace.sent[0]! <= now - pace.windowMs) pace.sent.shift();
          if (pace.sent.length >= pace.allowance) {
            await clock.sleep(pace.sent[0]! + pace.windowMs - now);
            continue;
          }
          pace.sent.push(now);
          pace.lastAt = now;
        }
        ws.since ??= now;
        return;
      }
    },
    /** Slack took a message to the token's workspace. */
    took(token: string): void {
      const ws = of(token);
      const now = clock.now();
      ws.taken.push(now);
      const span = ws.pace?.windowMs ?? LEARN_SPAN_MS;
      while (ws.taken[0]! <= now - span) ws.taken.shift();
    },
    /** Takes note of a 429; true when it shows the workspace's limit. */
    limited(token: string, channel: string, retryAfterSec: number): boolean {
      const ws = of(token);
      const now = clock.now();
      const until = now + retryAfterSec * 1000;
      const last = ws.lastLimited;
      ws.lastLimited = { channel, until: Math.max(until, last?.until ?? 0) };
      const workspace = ws.pausedUntil > now || (last !== undefined && last.until > now && last.channel !== channel);
      if (workspace) {
        ws.limitedAt ??= now;
        ws.pausedUntil = Math.max(until, last?.until ?? 0, ws.pausedUntil);
      }
      return workspace;
    },
  };
}
