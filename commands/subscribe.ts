import { defineCommand } from '../src/chat/command';
import type { Block, Reply } from '../src/chat/reply';
import type { Subscription } from '../src/store/types';
import { describeSchedule } from '../src/model/cadence';
import { subscriptionFields } from '../src/subscriptions/display';
import { DEFAULT_SETTINGS, SETTING_OPTIONS, withSettings } from '../src/subscriptions/settings';
import { TARGET_CHANNEL_OPTION, subscriptionIdOf, targetChannel } from './kit/channel';

/** What the settings do in a channel of this kind, where that is not what one would guess. */
function notes(sub: Subscription, kind: string | undefined): string[] {
  const notes: string[] = [];
  // Minimum upvotes applies to every candidate, and arXiv papers have none: say so rather than show none silently.
  if (sub.arxiv.length > 0 && sub.minUpvotes > 0)
    notes.push(`arXiv papers have no upvotes, so minimum upvotes ${sub.minUpvotes} leaves them all out; set min-upvotes 0 to get them.`);
  if (kind === 'forum') notes.push('It is a forum: each paper becomes a post of its own, with its own discussion.');
  if (sub.publish && kind !== undefined && kind !== 'announcement')
    notes.push('publish only works in announcement channels; this one is not, so its messages stay in it.');
  return notes;
}

/** Creates or changes the daily post of this channel, or of the channel `in` names. Options not given keep their current value. */
export const subscribe = defineCommand({
  name: 'subscribe',
  description: "Set up or change this channel's daily (or weekly) post of top papers",
  requires: {
    permission: 'manage-channel',
    refusal: 'Only people who may manage this channel can change its daily post. Ask a moderator, or use /papers settings to see it.',
  },
  changes: 'channel',
  options: [TARGET_CHANNEL_OPTION, ...SETTING_OPTIONS],
  async run(inv, svc): Promise<Reply> {
    const target = targetChannel(inv);
    const current = (await svc.store.subscriptions.get(subscriptionIdOf(inv))) ?? DEFAULT_SETTINGS;
    const sub = await svc.store.subscriptions.upsert({
      platform: inv.platform,
      workspaceId: inv.channel.workspace ?? null,
      channelId: target.id,
      origin: 'command',
      createdBy: inv.user.id,
      ...withSettings(current, inv.args),
    });
    const what = sub.every === 'week' ? `the top ${sub.top} papers of the last seven days` : `the top ${sub.top} papers`;
    const text = `${target.isOwn ? 'This' : 'That'} channel gets ${what} ${describeSchedule(sub)} at ${sub.time} ${sub.timezone}.`;
    const blocks: Block[] = [
      { kind: 'text', text },
      { kind: 'fields', fields: subscriptionFields(sub) },
      ...notes(sub, target.kind).map((note): Block => ({ kind: 'text', text: note })),
    ];
    return { blocks, visibility: 'public', fallback: text };
  },
});
