import { describe, expect, it } from 'vitest';
import { PostError, type DigestPoster, type PostTarget } from '../../src/chat/poster';
import { textReply } from '../../src/chat/reply';
import { postWithRetry } from '../../src/schedule/delivery';
import { log } from './harness';

const target: PostTarget = { platform: 'console', workspaceId: null, channelId: 'c1' };
const reply = textReply('hello');
const firstAt = new Date('2025-10-14T09:00:00Z');
const ctx = { log, retryDelayMs: 0, now: () => firstAt };

/** A poster that fails the first `failures` sends with `error`, and records the options of every send. */
function poster(failures = 0, error: () => Error = () => new PostError('503 service unavailable', false)) {
  const sends: { key: string; opts: unknown }[] = [];
  const p: DigestPoster = {
    platform: 'console',
    async post(_target, _message, key, opts) {
      sends.push({ key, opts });
      if (sends.length <= failures) throw error();
      return { messageId: `m${sends.length}` };
    },
    openDirect: async () => target,
  };
  return { p, sends };
}

describe('postWithRetry', () => {
  it('promises a send nobody recorded before as new, and says nothing of since', async () => {
    const { p, sends } = poster();
    expect(await postWithRetry(ctx, p, target, reply, 'd:header', null)).toEqual({ messageId: 'm1' });
    expect(sends).toEqual([{ key: 'd:header', opts: { maybeSentBefore: false } }]);
  });

  it('after a failed send, re-sends the same key as maybe sent, looking back to the first attempt', async () => {
    const { p, sends } = poster(2);
    expect(await postWithRetry(ctx, p, target, reply, 'd:header', null)).toEqual({ messageId: 'm3' });
    expect(sends.map((s) => s.opts)).toEqual([
      { maybeSentBefore: false },
      { maybeSentBefore: true, since: firstAt },
      { maybeSentBefore: true, since: firstAt },
    ]);
    expect(new Set(sends.map((s) => s.key))).toEqual(new Set(['d:header']));
  });

  it('looks back to when an earlier run recorded the send, or without a limit when it recorded nothing', async () => {
    const recordedAt = new Date('2025-10-14T08:00:00Z');
    const earlier = poster();
    await postWithRetry(ctx, earlier.p, target, reply, 'd:1', recordedAt);
    expect(earlier.sends.map((s) => s.opts)).toEqual([{ maybeSentBefore: true, since: recordedAt }]);
    const unknown = poster();
    await postWithRetry(ctx, unknown.p, target, reply, 'd:1', 'unknown');
    expect(unknown.sends.map((s) => s.opts)).toEqual([{ maybeSentBefore: true }]);
  });

  it('gives up after three transient failures, and at once on a permanent one', async () => {
    const flaky = poster(3);
    await expect(postWithRetry(ctx, flaky.p, target, reply, 'd:1', null)).rejects.toThrow('503 service unavailable');
    expect(flaky.sends).toHaveLength(3);
    const gone = poster(1, () => new PostError('channel c1 not found', true));
    await expect(postWithRetry(ctx, gone.p, target, reply, 'd:1', null)).rejects.toThrow('channel c1 not found');
    expect(gone.sends).toHaveLength(1);
    // An error that is not a PostError (a network reset) is taken as transient.
    const reset = poster(1, () => new Error('ECONNRESET'));
    expect(await postWithRetry(ctx, reset.p, target, reply, 'd:1', null)).toEqual({ messageId: 'm2' });
  });
});
