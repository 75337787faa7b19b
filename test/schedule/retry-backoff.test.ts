import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PostError, type DigestPoster, type PostTarget } from '../../src/chat/poster';
import { textReply } from '../../src/chat/reply';
import { postWithRetry } from '../../src/schedule/delivery';
import { postDaily } from '../../src/schedule/fanout';
import { currentOwner } from '../../src/schedule/claims';
import type { Store } from '../../src/store/types';
import { openTestStore } from '../helpers/stores';
import { log, RecordingPoster, seed, subscription, testConfig } from './harness';

/**
 * The waits between re-sends, as asked of `node:timers/promises` (which vitest's fake timers do not
 * reach through an ES import): each wait resolves at once and is recorded, so no test waits, and no
 * test reads a clock.
 */
const waits = vi.hoisted(() => [] as number[]);
vi.mock('node:timers/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:timers/promises')>();
  return {
    ...real,
    setTimeout: async (ms: number) => {
      waits.push(ms);
    },
  };
});

const target: PostTarget = { platform: 'console', workspaceId: null, channelId: 'c1' };

/** A poster whose first `failures` sends fail transiently. */
function flakyPoster(failures: number) {
  let sends = 0;
  const poster: DigestPoster = {
    platform: 'console',
    async post() {
      sends++;
      if (sends <= failures) throw new PostError('503 service unavailable', false);
      return { messageId: `m${sends}` };
    },
    openDirect: async () => target,
  };
  return { poster, sends: () => sends };
}

beforeEach(() => {
  waits.length = 0;
});

describe('the back-off between re-sends of a message', () => {
  it('waits the first delay after the first transient failure, and twice as long after the second', async () => {
    const { poster, sends } = flakyPoster(2);
    const ctx = { log, retryDelayMs: 700, now: () => new Date('2025-10-14T09:00:00Z') };
    expect(await postWithRetry(ctx, poster, target, textReply('hello'), 'd:header', null)).toEqual({ messageId: 'm3' });
    expect(sends()).toBe(3);
    expect(waits).toEqual([700, 1400]);
  });

  it('does not wait after the last attempt, nor after a permanent failure', async () => {
    const ctx = { log, retryDelayMs: 700, now: () => new Date('2025-10-14T09:00:00Z') };
    await expect(postWithRetry(ctx, flakyPoster(3).poster, target, textReply('hello'), 'd:1', null)).rejects.toThrow('503');
    expect(waits).toEqual([700, 1400]);
    waits.length = 0;
    const gone: DigestPoster = {
      ...flakyPoster(0).poster,
      post: async () => {
        throw new PostError('channel c1 not found', true);
      },
    };
    await expect(postWithRetry(ctx, gone, target, textReply('hello'), 'd:1', null)).rejects.toThrow('not found');
    expect(waits).toEqual([]);
  });
});

describe('postDaily without a retry delay', () => {
  let store: Store;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ store, cleanup } = await openTestStore('sqlite'));
  });
  afterEach(() => cleanup());

  it('waits 1 s, then 2 s, before re-sending a message after transient failures', async () => {
    await seed(store, [subscription('flaky', { top: 1 })]);
    const poster = new RecordingPoster();
    poster.flaky.set('flaky', 2);
    const report = await postDaily({ store, posters: [poster], config: testConfig(), log, now: () => new Date('2025-10-14T09:00:00Z'), owner: currentOwner() });
    expect(report.channels[0]).toMatchObject({ outcome: 'posted', messages: 2 });
    expect(waits).toEqual([1000, 2000]);
  });
});
