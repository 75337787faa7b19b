import type { Services } from '../../src/chat/command';
import type { ReactionEvent } from '../../src/chat/reaction';
import type { Reply } from '../../src/chat/reply';
import type { PostRecord } from '../../src/store/types';
import { textReply } from '../../src/chat/reply';

/**
 * A bookmark reaction on one of our messages: 🔖 on a single-paper message, or keycap k on a list
 * (k-th paper). Resolves the message through the posts table, or through `findPost` where the
 * platform knows more (Discord finds an answer through its interaction). Returns a short private
 * confirmation, or null when the message carries no paper of ours (so adapters stay quiet).
 */
export async function handleReaction(
  ev: ReactionEvent,
  svc: Services,
  findPost: (ev: ReactionEvent) => Promise<PostRecord | null> = (e) => svc.store.posts.find(e.platform, e.channelId, e.messageId),
): Promise<Reply | null> {
  const post = await findPost(ev);
  if (!post || post.paperIds.length === 0) return null;

  let paperId: string;
  if (ev.reaction.kind === 'keycap') {
    const picked = post.paperIds[ev.reaction.n - 1];
    if (!picked)
      return ev.added
        ? textReply(`That message lists ${post.paperIds.length} paper${post.paperIds.length === 1 ? '' : 's'}; there is no number ${ev.reaction.n}.`)
        : null;
    paperId = picked;
  } else {
    if (post.paperIds.length > 1)
      return ev.added ? textReply(`That message lists ${post.paperIds.length} papers; react with its number (1️⃣…) to bookmark one.`) : null;
    paperId = post.paperIds[0]!;
  }

  const paper = await svc.store.papers.get(paperId);
  const title = paper ? `"${paper.title}"` : `paper ${paperId}`;
  if (ev.added) {
    const added = await svc.store.bookmarks.add({ platform: ev.platform, userId: ev.userId, paperId, messageId: ev.messageId, at: svc.now() });
    return textReply(added ? `Bookmarked ${title}. See /papers bookmarks.` : `${title} is already in your bookmarks.`);
  }
  const removed = await svc.store.bookmarks.remove(ev.platform, ev.userId, paperId);
  return removed ? textReply(`Removed ${title} from your bookmarks.`) : null;
}
