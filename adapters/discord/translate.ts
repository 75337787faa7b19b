import {
  ApplicationCommandOptionType,
  ChannelType,
  ComponentType,
  PermissionFlagsBits,
  PermissionsBitField,
  type APIChatInputApplicationCommandInteraction,
  type APIMessageComponentInteraction,
} from 'discord.js';
import type { ClickEvent } from '../../src/chat/click';
import type { ArgValue, ChannelKind, Invocation, NamedChannel } from '../../src/chat/command';
import { reactionFromEmoji, type ReactionKind } from '../../src/chat/reaction';
import { UserError } from '../../src/errors';

/** The one slash command the bot registers; everything else is a subcommand of it. */
export const COMMAND_NAME = 'papers';

/** Discord's channel types for the kinds a channel option may accept. */
export const CHANNEL_TYPES: Record<ChannelKind, ChannelType.GuildText | ChannelType.GuildAnnouncement | ChannelType.GuildForum> = {
  text: ChannelType.GuildText,
  announcement: ChannelType.GuildAnnouncement,
  forum: ChannelType.GuildForum,
};

function kindOf(type: ChannelType | undefined): ChannelKind | undefined {
  return (Object.keys(CHANNEL_TYPES) as ChannelKind[]).find((k) => CHANNEL_TYPES[k] === type);
}

/** Whether a permission set (the API's decimal string) includes Manage Channels. */
function managesChannels(permissions: string | undefined): boolean {
  return permissions !== undefined && /^\d+$/.test(permissions) && new PermissionsBitField(BigInt(permissions)).has(PermissionFlagsBits.ManageChannels);
}

/**
 * `/papers <subcommand> [options]` → Invocation, from the interaction's payload as Discord sends it
 * (the gateway's INTERACTION_CREATE and an HTTP interaction alike). Discord has already typed the
 * values; the dispatcher still validates them against the spec. Manage Channels comes from the
 * member's permissions in this channel as Discord computed them for the interaction (overwrites
 * included), and for a channel option from Discord's permissions of the member in that channel
 * (its resolved channel).
 */
export function toInvocation(interaction: APIChatInputApplicationCommandInteraction): Invocation {
  const sub = interaction.data.options?.[0];
  const options = sub?.type === ApplicationCommandOptionType.Subcommand ? (sub.options ?? []) : [];
  const args: Record<string, ArgValue> = {};
  const named: NamedChannel[] = [];
  for (const option of options) {
    args[option.name] = option.value;
    if (option.type === ApplicationCommandOptionType.Channel) {
      const channel = interaction.data.resolved?.channels?.[option.value];
      named.push({ id: option.value, kind: kindOf(channel?.type), canManage: managesChannels(channel?.permissions) });
    }
  }
  const { member } = interaction;
  const user = member?.user ?? interaction.user;
  if (!user) throw new UserError('Discord did not say who asked; nothing was done.');
  const guildId = member ? interaction.guild_id : undefined;
  const channelId = interaction.channel?.id ?? interaction.channel_id ?? '';
  const kind = kindOf(interaction.channel?.type);
  return {
    platform: 'discord',
    command: sub?.type === ApplicationCommandOptionType.Subcommand ? sub.name : 'help',
    args,
    user: { id: user.id, name: user.global_name ?? user.username },
    channel: { id: channelId, ...(guildId ? { workspace: guildId } : {}), isDirect: !guildId, ...(kind ? { kind } : {}) },
    // In a DM the channel is the user's own, so they may subscribe it.
    canManageChannel: member ? managesChannels(member.permissions) : true,
    ...(named.length ? { namedChannels: named } : {}),
  };
}

/**
 * A click on a button or select menu of the bot's, from the interaction's payload as Discord sends
 * it (the gateway's INTERACTION_CREATE and an HTTP interaction alike): who clicked is the member's
 * (or, in a DM, the user's) id; the custom_id says only what to do.
 */
export function clickEvent(interaction: APIMessageComponentInteraction): ClickEvent {
  const user = interaction.member?.user ?? interaction.user;
  if (!user) throw new UserError('Discord did not say who clicked; nothing was done.');
  const { data } = interaction;
  const value = data.component_type === ComponentType.StringSelect ? data.values[0] : undefined;
  return {
    platform: 'discord',
    workspaceId: interaction.guild_id ?? null,
    channelId: interaction.channel?.id ?? interaction.message.channel_id,
    messageId: interaction.message.id,
    userId: user.id,
    control: data.custom_id,
    ...(value !== undefined ? { value } : {}),
  };
}

/** A Unicode reaction as commands understand it (🔖, keycaps); custom guild emoji are never ours. */
export function reactionKind(emoji: { id: string | null; name: string | null }): ReactionKind | null {
  return emoji.id === null && emoji.name ? reactionFromEmoji(emoji.name) : null;
}
