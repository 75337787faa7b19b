import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArgValue, Invocation } from '../../src/chat/command';
import type { Block, Reply } from '../../src/chat/reply';
import { digestHeader, digestPaperMessage, emptyDigestNote } from '../../src/digest/messages';
import { commands } from '../../commands/index';
import { dispatch } from '../../commands/kit/dispatch';
import { handleReaction } from '../../commands/kit/reactions';
import { renderMessages, renderOneMessage } from '../../adapters/console/render';
import { renderReply as renderDiscord, toMessageOptions, toRestBody } from '../../adapters/discord/render';
import { renderReply as renderSlack } from '../../adapters/slack/render';
import { bundledPapers, invocation, testServices, NOW } from '../commands/services';

/**
 * Replies are values shared between requests (`/papers today` hands one Reply to every caller) and
 * cached by identity in the renderers, so nothing may change one once made. Every kind of reply
 * the commands produce is deep-frozen and rendered by all three renderers, twice (the second time
 * from their caches): a write anywhere into a Reply throws in strict mode and fails here.
 */

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

function renderEverywhere(reply: Reply): void {
  renderMessages(reply);
  renderOneMessage(reply);
  const discord = renderDiscord(reply);
  toRestBody(discord);
  toMessageOptions(discord);
  renderSlack(reply);
}

const ALL_KINDS: Block['kind'][] = ['text', 'papers', 'paper', 'fields', 'file'];

describe('frozen replies', () => {
  let t: Awaited<ReturnType<typeof testServices>>;
  beforeAll(async () => {
    t = await testServices();
    for (const [i, paperId] of ['2510.11696', '2510.11690', '2510.10689'].entries())
      await t.svc.store.bookmarks.add({ platform: 'console', userId: 'ada', paperId, messageId: null, at: new Date(NOW.getTime() + i * 1000) });
    await t.svc.store.posts.record({
      platform: 'console',
      channelId: 'general',
      messageId: 'list',
      paperIds: ['2510.11690', '2510.10689'],
      kind: 'answer',
      deliveryId: null,
      postedAt: NOW,
    });
  });
  afterAll(() => t.cleanup());

  it('every command, reaction and digest reply renders on every platform without being changed', async () => {
    const runs: [string, Record<string, ArgValue>, Partial<Invocation>?][] = [
      ['today', {}],
      ['top', {}],
      ['top', { period: 'month', limit: 3 }],
      ['top', { date: '2020-01-01' }],
      ['search', { query: 'video diffusion' }],
      ['search', { query: 'zzzqqq' }],
      ['paper', { id: '2510.11696' }],
      ['paper', { id: 'nonsense' }],
      ['similar', { id: '2510.11696' }],
      ['foryou', {}],
      ['bookmarks', {}],
      ['bookmarks', { action: 'export', format: 'bibtex' }],
      ['bookmarks', { action: 'export', format: 'markdown' }],
      ['bookmarks', {}, { user: { id: 'nobody', name: 'Nobody' } }],
      ['settings', {}],
      ['subscribe', {}, { canManageChannel: false }],
      ['subscribe', { topics: 'llm', arxiv: 'cs.LG', 'min-upvotes': 2 }],
      ['today', {}],
      ['settings', {}],
      ['unsubscribe', {}],
      ['follow', { what: 'diffusion models' }],
      ['follow', { kind: 'author', what: 'Saining Xie' }],
      ['following', {}],
      ['unfollow', { item: 'all' }],
      ['me', { digest: 'weekly', day: 'fri', time: '08:00', tz: 'Europe/Berlin' }],
      ['me', {}],
      ['me', { alerts: 'on' }],
      ['me', { digest: 'off' }],
      ['forget-me', {}],
      ['forget-me', { answer: 'confirm' }],
      ['help', {}],
      ['frobnicate', {}],
      ['bookmarks', { action: 'remove', item: '1' }],
    ];
    const replies: Reply[] = [];
    for (const [command, args, over] of runs) replies.push(await dispatch(invocation(command, args, over), t.svc));
    const reacted = await handleReaction(
      { platform: 'console', channelId: 'general', messageId: 'list', userId: 'ada', reaction: { kind: 'keycap', n: 1 }, added: true },
      t.svc,
    );
    const papers = bundledPapers();
    replies.push(
      reacted!,
      digestHeader({ listDate: '2025-10-14', count: 2, stale: { lastRefreshedAt: null } }),
      emptyDigestNote(null),
      digestPaperMessage({ rank: 1, score: 1, paper: papers[0]!, reason: 'why' }),
    );

    expect(new Set(replies.flatMap((r) => r.blocks.map((b) => b.kind)))).toEqual(new Set(ALL_KINDS));
    expect(new Set(runs.map(([command]) => command))).toEqual(new Set([...commands.map((c) => c.name), 'frobnicate']));
    for (const reply of replies) {
      const before = JSON.stringify(reply);
      deepFreeze(reply);
      renderEverywhere(reply);
      renderEverywhere(reply);
      expect(JSON.stringify(reply)).toBe(before);
    }
    // A shared reply, asked for again, is the frozen one, and renders again.
    const again = await dispatch(invocation('today'), t.svc);
    expect(Object.isFrozen(again)).toBe(true);
    renderEverywhere(again);
  });
});
