import type { Invocation, NamedChannel, OptionSpec } from '../../src/chat/command';
import { subscriptionId } from '../../src/subscriptions/id';

/**
 * The option naming the channel a command acts on when that is not the channel it was typed in:
 * a forum or announcement channel, where slash commands cannot be typed, is set up from elsewhere.
 */
export const TARGET_CHANNEL_OPTION = {
  name: 'in',
  description: 'the channel to act on, if not this one (a text, announcement or forum channel)',
  type: 'channel',
  channelKinds: ['text', 'announcement', 'forum'],
} as const satisfies OptionSpec;

type ChannelInvocation = Pick<Invocation, 'platform' | 'channel' | 'canManageChannel' | 'namedChannels'> & { args: Readonly<Record<string, unknown>> };

/**
 * The channel a command acts on: the one its `in` option names, as the platform resolved it for
 * the caller (a channel it did not resolve may not be changed), else the one it was typed in.
 */
export function targetChannel(inv: ChannelInvocation): NamedChannel & { isOwn: boolean } {
  const named = inv.args[TARGET_CHANNEL_OPTION.name];
  if (typeof named !== 'string' || named === inv.channel.id)
    return { id: inv.channel.id, kind: inv.channel.kind, canManage: inv.canManageChannel, isOwn: true };
  const resolved = inv.namedChannels?.find((c) => c.id === named);
  return { id: named, kind: resolved?.kind, canManage: resolved?.canManage ?? false, isOwn: false };
}

/** The subscription of the channel a command acts on. */
export function subscriptionIdOf(inv: ChannelInvocation): string {
  return subscriptionId(inv.platform, targetChannel(inv).id);
}
