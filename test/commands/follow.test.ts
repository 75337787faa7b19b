import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_FOLLOWS } from '../../src/follows/follow';
import { testServices, typedBy } from './services';
import { textOf } from './reply-text';

let t: Awaited<ReturnType<typeof testServices>>;
beforeEach(async () => void (t = await testServices()));
afterEach(async () => t.cleanup());

/** Runs a command typed as text (Slack, console), as `user`. */
async function typed(text: string, user = 'ada') {
  const reply = await typedBy(t.svc, text, user);
  return { reply, text: textOf(reply) };
}

describe('follow, following, unfollow', () => {
  it('follows words, an author, an organization and a category, lists them numbered and privately, and unfollows by number or all', async () => {
    expect((await typed('follow diffusion models')).text).toBe('Now following diffusion models. Only you can see what you follow: /papers following.');
    expect((await typed('follow author Saining Xie')).text).toBe('Now following author Saining Xie. Only you can see what you follow: /papers following.');
    await typed('follow org NVIDIA');
    await typed('follow arxiv cs.cl');
    expect((await typed('follow Diffusion Model')).text).toBe('You already follow Diffusion Model. See /papers following.');
    const list = await typed('following');
    expect(list.reply.visibility).toBe('private');
    expect(list.text).toBe(
      'You follow (4):\n1. diffusion models\n2. author Saining Xie\n3. org NVIDIA\n4. arXiv cs.CL\nStop with /papers unfollow <number>, or /papers unfollow all.',
    );
    expect((await typed('unfollow 2')).text).toBe('Stopped following author Saining Xie.');
    expect((await typed('following')).text).toContain('1. diffusion models\n2. org NVIDIA\n3. arXiv cs.CL\n');
    expect((await typed('unfollow 9')).text).toBe('Say which to stop following: a number from 1 to 3 (see /papers following), or all.');
    expect((await typed('unfollow all')).text).toBe('You follow nothing now (3 removed).');
    expect((await typed('following')).text).toMatch(/^You follow nothing yet\. Try \/papers follow diffusion models/);
  });

  it('refuses what cannot be followed, saying what can', async () => {
    expect((await typed('follow arxiv nonsense!')).text).toMatch(/"nonsense!" is not an arXiv category/);
    expect((await typed('follow author ???')).text).toBe('"???" has no letters or digits to match, e.g. /papers follow author Saining Xie.');
    expect((await typed('follow')).reply.visibility).toBe('private');
    expect(await t.svc.store.follows.list('console', 'ada')).toEqual([]);
  });

  it(`stops at ${MAX_FOLLOWS} follows`, async () => {
    for (let i = 0; i < MAX_FOLLOWS; i++) await typed(`follow topic${i}`);
    expect((await typed('follow one more')).text).toBe(
      `You follow ${MAX_FOLLOWS} things already, the most there can be. See /papers following, and /papers unfollow one first.`,
    );
  });

  it('are private: another person neither sees nor changes them', async () => {
    await typed('follow world models');
    expect((await typed('following', 'bob')).text).toMatch(/^You follow nothing yet/);
    expect((await typed('unfollow 1', 'bob')).text).toMatch(/^You follow nothing yet/);
    expect((await typed('unfollow all', 'bob')).text).toMatch(/^You follow nothing yet/);
    expect((await typed('following')).text).toContain('1. world models');
  });
});
