import { defineCommand } from '../src/chat/command';
import type { Reply } from '../src/chat/reply';
import { textReply } from '../src/chat/reply';
import { subscriptionFields } from '../src/subscriptions/display';
import { TARGET_CHANNEL_OPTION, subscriptionIdOf, targetChannel } from './kit/channel';

/** The daily post of this channel (or of the one `in` names) as stored, with a note when the scheduler disabled it or hit errors. */
export const settings = defineCommand({
  name: 'settings',
  description: "Show this channel's daily post settings",
  visibility: 'private',
  options: [TARGET_CHANNEL_OPTION],
  async run(inv, svc): Promise<Reply> {
    const own = targetChannel(inv).isOwn;
    const found = await svc.store.subscriptions.get(subscriptionIdOf(inv));
    // Another channel's settings are shown only within the caller's own workspace.
    const sub = found && (own || found.workspaceId === (inv.channel.workspace ?? null)) ? found : null;
    if (!sub) return textReply(`${own ? 'This' : 'That'} channel has no daily post. Set one up with /papers subscribe time 09:00 tz Europe/Berlin top 5.`);
    const lines = [`Daily post for ${own ? 'this' : 'that'} channel${sub.origin === 'config' ? ' (declared in the config file)' : ''}:`];
    const notes: string[] = [];
    if (sub.disabledReason) notes.push(`Paused by the bot: ${sub.disabledReason}. Run /papers subscribe to turn it back on.`);
    if (sub.lastError) notes.push(`Last posting error${sub.failures > 1 ? ` (${sub.failures} in a row)` : ''}: ${sub.lastError}`);
    return {
      blocks: [
        { kind: 'text', text: lines[0]! },
        { kind: 'fields', fields: subscriptionFields(sub) },
        ...notes.map((text) => ({ kind: 'text' as const, text })),
      ],
      visibility: 'private',
      fallback: [lines[0], `${sub.time} ${sub.timezone}, top ${sub.top}`, ...notes].join(' '),
    };
  },
});
