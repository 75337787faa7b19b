import { defineCommand } from '../src/chat/command';
import type { Reply } from '../src/chat/reply';
import { UserError } from '../src/errors';
import { textReply } from '../src/chat/reply';
import { subscriptionIdOf } from './kit/channel';

/** Stops this channel's daily post. */
export const unsubscribe = defineCommand({
  name: 'unsubscribe',
  description: "Stop this channel's daily post",
  requires: { permission: 'manage-channel', refusal: 'Only people who may manage this channel can stop its daily post.' },
  changes: 'channel',
  options: [],
  async run(inv, svc): Promise<Reply> {
    const id = subscriptionIdOf(inv);
    const sub = await svc.store.subscriptions.get(id);
    if (!sub) return textReply('This channel has no daily post.');
    // A subscription declared in the config file would come back at the next start; say where to remove it.
    if (sub.origin === 'config') throw new UserError("This channel's daily post is declared in the bot's config file; the operator has to remove it there.");
    await svc.store.subscriptions.delete(id);
    return textReply('This channel will no longer get the daily post.', 'public');
  },
});
