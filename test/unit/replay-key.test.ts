import { describe, expect, it } from 'vitest';
import { replayKey } from '../../src/chat/replay-guard';

const signature = 'A1b2'.repeat(32);

describe('replay keys', () => {
  it('are the same for a copy of a request, whatever the case of its hex digits', () => {
    expect(replayKey('discord', 1_765_000_000, signature)).toBe(replayKey('discord', 1_765_000_000, signature.toLowerCase()));
  });

  it('differ by platform, by time and by signature', () => {
    const key = replayKey('discord', 1_765_000_000, signature);
    expect(replayKey('slack', 1_765_000_000, signature)).not.toBe(key);
    expect(replayKey('discord', 1_765_000_001, signature)).not.toBe(key);
    expect(replayKey('discord', 1_765_000_000, `f${signature.slice(1)}`)).not.toBe(key);
  });

  it('sort as their times do, across a change in the number of digits, so the store appends them', () => {
    const times = [999_999_999, 1_000_000_000, 1_765_000_000, 1_765_000_001.9, 1_765_000_002];
    const keys = times.map((t, i) => replayKey('slack', t, `${9 - i}`.repeat(64)));
    expect([...keys].sort()).toEqual(keys);
  });

  it('keep 128 bits of the signature, not the whole', () => {
    expect(replayKey('discord', 1_765_000_000, signature)).toBe(`discord:001765000000:${'a1b2'.repeat(8)}`);
  });
});
