import { defineCommand } from '../src/chat/command';
import { textReply, type Reply } from '../src/chat/reply';
import { alertKey } from '../src/personal/alerts';
import { personalKey } from '../src/personal/deliver';

/**
 * Deletes everything stored about the caller on this platform: bookmarks, follows, their digest
 * and alerts settings, the record of papers sent to them, and the delivery records and message
 * records of their digests and alerts. Asks first: `/papers forget-me confirm` does it.
 */
export const forgetMe = defineCommand({
  name: 'forget-me',
  description: 'Delete everything stored about you (bookmarks, follows, your digest); asks first',
  visibility: 'private',
  changes: 'caller',
  options: [{ name: 'answer', description: 'confirm: delete it now', type: 'string', choices: ['confirm'], positional: true }],
  async run(inv, svc): Promise<Reply> {
    const { store } = svc;
    const who = [inv.platform, inv.user.id] as const;
    if (inv.args.answer === undefined) {
      const [bookmarks, follows, feed] = await Promise.all([store.bookmarks.list(...who), store.follows.list(...who), store.personal.get(...who)]);
      return textReply(
        `This deletes what papers-bot stores about you here: ${bookmarks.length} bookmark(s), ${follows.length} follow(s), ` +
          `${feed ? 'your digest and alerts settings, the record of papers sent to you and of those messages' : 'no digest settings'}. ` +
          'It cannot be undone. To delete it: /papers forget-me confirm',
      );
    }
    const bookmarks = await store.bookmarks.removeAll(...who);
    const follows = await store.follows.removeAll(...who);
    await store.deliveries.forget([personalKey(...who), alertKey(...who)]);
    await store.personal.forget(...who);
    return textReply(
      `Deleted: ${bookmarks} bookmark(s), ${follows} follow(s), your digest and alerts settings and their records. papers-bot stores nothing more about you.`,
    );
  },
});
