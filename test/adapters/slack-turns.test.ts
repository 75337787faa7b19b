import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createTurns } from '../../adapters/slack/turns';

describe('answers a few per turn of the event loop', () => {
  it('lets waiters through in order, at most perTurn per turn, until none is left', async () => {
    const turn = createTurns(2);
    const through: number[] = [];
    for (let i = 0; i < 5; i++) void turn().then(() => through.push(i));
    expect(through).toEqual([]);
    await nextTurn();
    expect(through).toEqual([0, 1]);
    await nextTurn();
    expect(through).toEqual([0, 1, 2, 3]);
    await nextTurn();
    expect(through).toEqual([0, 1, 2, 3, 4]);
    // Idle again: a later waiter is let through on the next turn.
    void turn().then(() => through.push(5));
    await nextTurn();
    expect(through).toEqual([0, 1, 2, 3, 4, 5]);
  });
});
