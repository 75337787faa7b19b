import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { currentOwner, ownerIsGone } from '../../src/schedule/claims';

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
});
