import { defineCommand } from '../src/chat/command';
import type { Reply } from '../src/chat/reply';
import { subscriptionFields } from '../src/subscriptions/display';
import { DEFAULT_SETTINGS, SETTING_OPTIONS, withSettings } from '../src/subscriptions/settings';
import { subscriptionIdOf } from './kit/channel';

/** Creates or changes this channel's daily post. Options not given keep their current value. */
export const subscribe = defineCommand({
  name: 'subscribe',
  description: "Set up or change this channel's daily post of top papers",
  requires: {
    permission: 'manage-channel',
    refusal: 'Only people who may manage this channel can change its daily post. Ask a moderator, or use /papers settings to see it.',
  },
  changes: 'channel',
  options: SETTING_OPTIONS,
  async run(inv, svc): Promise<Reply> {
    const current = (await svc.store.subscriptions.get(subscriptionIdOf(inv))) ?? DEFAULT_SETTINGS;
    const sub = await svc.store.subscriptions.upsert({
      platform: inv.platform,
      workspaceId: inv.channel.workspace ?? null,
      channelId: inv.channel.id,
      origin: 'command',
      createdBy: inv.user.id,
      ...withSettings(current, inv.args),
    });
    const text = `This channel gets the top ${sub.top} papers every day at ${sub.time} ${sub.timezone}.`;
    // Minimum upvotes applies to every candidate, and arXiv papers have none: say so rather than show none silently.
    const warning =
      sub.arxiv.length > 0 && sub.minUpvotes > 0
        ? [
            {
              kind: 'text' as const,
              text: `arXiv papers have no upvotes, so minimum upvotes ${sub.minUpvotes} leaves them all out; set min-upvotes 0 to get them.`,
            },
          ]
        : [];
    return { blocks: [{ kind: 'text', text }, { kind: 'fields', fields: subscriptionFields(sub) }, ...warning], visibility: 'public', fallback: text };
  },
});
