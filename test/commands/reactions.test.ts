import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { handleReaction } from '../../commands/kit/reactions';
import { reactionFromEmoji, type ReactionEvent } from '../../src/chat/reaction';
import { testServices, NOW } from './services';
import { textOf } from './reply-text';

let t: Awaited<ReturnType<typeof testServices>>;
const react = (messageId: string, reaction: ReactionEvent['reaction'], added = true) =>
  handleReaction({ platform: 'console', channelId: 'general', messageId, userId: 'ada', reaction, added }, t.svc);
const bookmarked = async () => (await t.svc.store.bookmarks.list('console', 'ada')).map((b) => b.paper.id);

describe('handleReaction', () => {
  beforeEach(async () => {
    t = await testServices();
    const post = { platform: 'console' as const, channelId: 'general', kind: 'answer' as const, deliveryId: null, postedAt: NOW };
    await t.svc.store.posts.record({ ...post, messageId: 'one', paperIds: ['2510.11696'] });
    await t.svc.store.posts.record({ ...post, messageId: 'list', paperIds: ['2510.11690', '2510.10689'] });
    await t.svc.store.posts.record({ ...post, messageId: 'header', paperIds: [] });
  });
  afterEach(async () => t.cleanup());

  it('bookmarks the paper of a single-paper message, once, and removing the reaction removes it', async () => {
    expect(textOf((await react('one', { kind: 'bookmark' }))!)).toBe(
      'Bookmarked "QeRL: Beyond Efficiency -- Quantization-enhanced Reinforcement Learning for LLMs". See /papers bookmarks.',
    );
    expect(textOf((await react('one', { kind: 'bookmark' }))!)).toMatch(/is already in your bookmarks\.$/);
    expect(await bookmarked()).toEqual(['2510.11696']);
    expect(textOf((await react('one', { kind: 'bookmark' }, false))!)).toMatch(/^Removed "QeRL/);
    expect(await bookmarked()).toEqual([]);
  });

  it('bookmarks the k-th paper of a list for keycap k, and says when there is no k-th', async () => {
    expect((await react('list', { kind: 'keycap', n: 2 }))?.visibility).toBe('private');
    expect(await bookmarked()).toEqual(['2510.10689']);
    expect(textOf((await react('list', { kind: 'keycap', n: 3 }))!)).toBe('That message lists 2 papers; there is no number 3.');
    expect(textOf((await react('list', { kind: 'bookmark' }))!)).toBe('That message lists 2 papers; react with its number (1️⃣…) to bookmark one.');
  });

  it('stays quiet on messages that carry no paper of ours', async () => {
    expect(await react('header', { kind: 'bookmark' })).toBeNull();
    expect(await react('someone-else', { kind: 'keycap', n: 1 })).toBeNull();
    expect(await react('one', { kind: 'bookmark' }, false)).toBeNull();
  });
});

describe('reactionFromEmoji', () => {
  it.each([
    ['🔖', { kind: 'bookmark' }],
    [':bookmark:', { kind: 'bookmark' }],
    ['3️⃣', { kind: 'keycap', n: 3 }],
    ['3\u20E3', { kind: 'keycap', n: 3 }],
    ['🔟', { kind: 'keycap', n: 10 }],
    ['seven', { kind: 'keycap', n: 7 }],
    ['keycap_ten', { kind: 'keycap', n: 10 }],
    ['🔥', null],
    ['0️⃣', null],
  ])('%s', (emoji, expected) => {
    expect(reactionFromEmoji(emoji)).toEqual(expected);
  });
});
