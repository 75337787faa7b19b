import { defineCommand } from '../src/chat/command';
import { textReply, type Reply } from '../src/chat/reply';
import { forYou } from '../src/search/foryou';

const MAX_RESULTS = 5;

/** Today's papers ranked by likeness to the caller's own bookmarks. Private: it is about them. */
export const foryouCommand = defineCommand({
  name: 'foryou',
  description: "Today's papers most like the ones you bookmarked",
  visibility: 'private',
  options: [],
  async run(inv, svc): Promise<Reply> {
    const result = await forYou(svc.store, { platform: inv.platform, userId: inv.user.id }, { now: svc.now(), limit: MAX_RESULTS });
    if (result.bookmarkCount === 0)
      return textReply('You have no bookmarks yet, so there is nothing to go by. React 🔖 to a paper the bot posted, or see /papers bookmarks.');
    if (!result.listDate || result.items.length === 0) return textReply('There is no Daily Papers list in the store yet that you have not bookmarked.');
    const header = `From the ${result.listDate} list, for you (going by your ${result.bookmarkCount} bookmark${result.bookmarkCount === 1 ? '' : 's'}):`;
    const items = result.items.map((item, i) => ({
      rank: i + 1,
      paper: item.paper,
      reason: item.like ? `like: ${item.like.title}` : `${item.paper.upvotes} upvotes (like none of your bookmarks)`,
    }));
    return {
      blocks: [
        { kind: 'text', text: header },
        { kind: 'papers', items, picker: 'save' },
      ],
      visibility: 'private',
      fallback: `${header} ${items.map((i) => `${i.rank}. ${i.paper.title}`).join(' ')}`,
    };
  },
});
