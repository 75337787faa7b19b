import { defineCommand } from '../src/chat/command';
import type { Reply } from '../src/chat/reply';
import { UserError } from '../src/errors';
import { textReply } from '../src/chat/reply';
import { TARGET_CHANNEL_OPTION, subscriptionIdOf, targetChannel } from './kit/channel';

/** Stops the daily post of this channel, or of the channel `in` names. */
export const unsubscribe = defineCommand({
  name: 'unsubscribe',
  description: "Stop this channel's daily post",
  requires: { permission: 'manage-channel', refusal: 'Only people who may manage this channel can stop its daily post.' },
  changes: 'channel',
  options: [TARGET_CHANNEL_OPTION],
  async run(inv, svc): Promise<Reply> {
    const which = targetChannel(inv).isOwn ? 'This' : 'That';
    const id = subscriptionIdOf(inv);
    const sub = await svc.store.subscriptions.get(id);
    if (!sub) return textReply(`${which} channel has no daily post.`);
    // A subscription declared in the config file would come back at the next start; say where to remove it.
    if (sub.origin === 'config')
      throw new UserError(`${which} channel's daily post is declared in the bot's config file; the operator has to remove it there.`);
    await svc.store.subscriptions.delete(id);
    return textReply(`${which} channel will no longer get the daily post.`, 'public');
  },
});
