import { defineCommand } from '../src/chat/command';
import { textReply, type Reply } from '../src/chat/reply';
import { UserError } from '../src/errors';
import { describeFollow, FOLLOW_KINDS, MAX_FOLLOWS, parseFollow } from '../src/follows/follow';
import type { StoredFollow } from '../src/store/types';

/**
 * Follows: what a person's own feed picks papers by. Private to the caller: every answer is
 * private, and every store call is keyed by the caller's own id, so nobody can see or change
 * another person's follows.
 */

const NOTHING =
  'You follow nothing yet. Try /papers follow diffusion models, /papers follow author Saining Xie, /papers follow org NVIDIA or /papers follow arxiv cs.CL.';

export const follow = defineCommand({
  name: 'follow',
  description: 'Follow words, an author, an organization or an arXiv category (private to you)',
  visibility: 'private',
  changes: 'caller',
  options: [
    { name: 'what', description: 'the words, name or category to follow, e.g. diffusion models', type: 'string', required: true, rest: true },
    {
      name: 'kind',
      description: 'what the words are: topic (default; in title, abstract or keywords), author, org or arxiv',
      type: 'string',
      choices: FOLLOW_KINDS,
      positional: true,
    },
  ],
  async run(inv, svc): Promise<Reply> {
    const wanted = parseFollow(inv.args.kind ?? 'topic', inv.args.what);
    const added = await svc.store.follows.add({ platform: inv.platform, userId: inv.user.id, follow: wanted, at: svc.now(), max: MAX_FOLLOWS });
    if (added === 'full')
      throw new UserError(`You follow ${MAX_FOLLOWS} things already, the most there can be. See /papers following, and /papers unfollow one first.`);
    if (added === 'exists') return textReply(`You already follow ${describeFollow(wanted)}. See /papers following.`);
    return textReply(`Now following ${describeFollow(wanted)}. Only you can see what you follow: /papers following.`);
  },
});

function numbered(list: StoredFollow[]): string {
  return list.map((f, i) => `${i + 1}. ${describeFollow(f)}`).join('\n');
}

export const following = defineCommand({
  name: 'following',
  description: 'What you follow, numbered (private to you)',
  visibility: 'private',
  options: [],
  async run(inv, svc): Promise<Reply> {
    const list = await svc.store.follows.list(inv.platform, inv.user.id);
    if (list.length === 0) return textReply(NOTHING);
    return textReply(`You follow (${list.length}):\n${numbered(list)}\nStop with /papers unfollow <number>, or /papers unfollow all.`);
  },
});

export const unfollow = defineCommand({
  name: 'unfollow',
  description: 'Stop following one thing (its number in /papers following) or all',
  visibility: 'private',
  changes: 'caller',
  options: [{ name: 'item', description: 'the number in /papers following, or all', type: 'string', required: true, positional: true }],
  async run(inv, svc): Promise<Reply> {
    const item = inv.args.item.trim().toLowerCase();
    if (item === 'all') {
      const removed = await svc.store.follows.removeAll(inv.platform, inv.user.id);
      return textReply(removed === 0 ? NOTHING : `You follow nothing now (${removed} removed).`);
    }
    const list = await svc.store.follows.list(inv.platform, inv.user.id);
    if (list.length === 0) return textReply(NOTHING);
    const n = /^\d+$/.test(item) ? Number(item) : Number.NaN;
    const picked = list[n - 1];
    if (!picked) throw new UserError(`Say which to stop following: a number from 1 to ${list.length} (see /papers following), or all.`);
    await svc.store.follows.remove(inv.platform, inv.user.id, picked);
    return textReply(`Stopped following ${describeFollow(picked)}.`);
  },
});
