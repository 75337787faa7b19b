import { describe, expect, it } from 'vitest';
import { createWorkspaceGate } from '../../adapters/slack/workspace-gate';

/**
 * The Slack workspace gate on a clock of its own: which 429s show the workspace's limit, the pause
 * they start, and the pace learned from it, which the windows after the first meet without a 429.
 */

function clocked() {
  let now = 0;
  const clock = {
    now: () => now,
    // One message at a time in these tests: a wait is the clock moving on.
    sleep: async (ms: number) => {
      now += ms;
    },
  };
  return { clock, at: (t: number) => void (now = t), now: () => now };
}

const TOKEN = 'xoxb-1';

/** n messages, each opened and taken, a millisecond apart; the times they went. */
async function send(gate: ReturnType<typeof createWorkspaceGate>, time: ReturnType<typeof clocked>, n: number): Promise<number[]> {
  const went: number[] = [];
  for (let i = 0; i < n; i++) {
    await gate.open(TOKEN);
    went.push(time.now());
    gate.took(TOKEN);
    time.at(time.now() + 1);
  }
  return went;
}

/** A gate that took n messages from t=0, then met the workspace's limit (429s in two channels) at `at`. */
async function limitedAfter(n: number, at: number, retryAfterSec: number) {
  const time = clocked();
  const gate = createWorkspaceGate(time.clock);
  await send(gate, time, n);
  time.at(at);
  gate.limited(TOKEN, 'D1', retryAfterSec);
  gate.limited(TOKEN, 'D2', retryAfterSec);
  return { time, gate };
}

describe('the Slack workspace gate', () => {
  it("takes a 429 in one channel for the channel's, and holds nothing back", async () => {
    const time = clocked();
    const gate = createWorkspaceGate(time.clock);
    await send(gate, time, 5);
    expect(gate.limited(TOKEN, 'D1', 1)).toBe(false);
    expect(await send(gate, time, 3)).toEqual([5, 6, 7]);
  });

  it('after a second channel meets it, pauses the workspace, then lets the learned allowance go in each window', async () => {
    const time = clocked();
    const gate = createWorkspaceGate(time.clock);
    // A fan-out from idle: 300 taken from t=0, then two channels meet the limit at t=400.
    await send(gate, time, 300);
    time.at(400);
    expect(gate.limited(TOKEN, 'D1', 60)).toBe(false);
    expect(gate.limited(TOKEN, 'D2', 60)).toBe(true);
    // Everything waits for the pause (60 s from the 429): the window was 60.4 s from the first message.
    const next = await send(gate, time, 301);
    expect(next[0]).toBe(60_400);
    expect(next[299]).toBe(60_400 + 299);
    expect(next[300]).toBe(60_400 + 60_400);
  });

  it('learns again, lower, when the workspace is met in spite of the pace (another process posts there too)', async () => {
    const { time, gate } = await limitedAfter(300, 400, 60);
    await send(gate, time, 120); // from 60,400: taken, then the limit again
    gate.limited(TOKEN, 'D3', 30);
    gate.limited(TOKEN, 'D4', 30);
    const paused = time.now() + 30_000;
    const next = await send(gate, time, 121);
    expect(next[0]).toBe(paused);
    expect(next[119]).toBe(paused + 119);
    expect(next[120]).toBe(paused + 60_400);
  });

  it('forgets the pace after a whole window with no message: the next burst learns its own', async () => {
    const { time, gate } = await limitedAfter(100, 200, 10);
    // Paced at 100 per 10.2 s while the burst lasts...
    const paced = await send(gate, time, 101);
    expect(paced[100]! - paced[0]!).toBe(10_200);
    // ...and after more than a window of quiet, 300 go at once.
    time.at(time.now() + 10_201);
    const start = time.now();
    expect((await send(gate, time, 300)).at(-1)).toBe(start + 299);
  });

  it('a process that posted steadily for an hour looks back two minutes, not to its first message', async () => {
    const time = clocked();
    const gate = createWorkspaceGate(time.clock);
    for (let s = 0; s < 3_600; s++) {
      time.at(s * 1000);
      await send(gate, time, 1);
    }
    time.at(3_600_000);
    gate.limited(TOKEN, 'D1', 10);
    gate.limited(TOKEN, 'D2', 10);
    // 119 taken in the two minutes before the limit: 119 per two minutes from the pause's end.
    const next = await send(gate, time, 120);
    expect(next[118]).toBe(3_610_000 + 118);
    expect(next[119]).toBe(3_610_000 + 120_000);
  });
});
