import {
  ApplicationCommandOptionType,
  ChannelType,
  ComponentType,
  PermissionFlagsBits,
  PermissionsBitField,
  type APIMessageComponentInteraction,
  type ChatInputCommandInteraction,
  type CommandInteractionOption,
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

/** Whether a permission set (discord.js's, or the API's decimal string) includes Manage Channels. */
function managesChannels(permissions: unknown): boolean {
  if (permissions instanceof PermissionsBitField) return permissions.has(PermissionFlagsBits.ManageChannels);
  if (typeof permissions === 'string' && /^\d+$/.test(permissions)) return new PermissionsBitField(BigInt(permissions)).has(PermissionFlagsBits.ManageChannels);
  return false;
}

/**
 * A channel option's channel as Discord resolved it: its kind, and whether the caller may manage
 * it, from `permissions`, which Discord computes for the invoking member in that channel.
 */
function namedChannel(option: CommandInteractionOption): NamedChannel | null {
  if (option.type !== ApplicationCommandOptionType.Channel || typeof option.value !== 'string') return null;
  const channel = option.channel as { type?: ChannelType; permissions?: unknown } | null | undefined;
  return { id: option.value, kind: kindOf(channel?.type), canManage: managesChannels(channel?.permissions) };
}

/**
 * `/papers <subcommand> [options]` → Invocation. Discord has already typed the values; the
 * dispatcher still validates them against the spec. Manage Channels comes from the member's
 * permissions in this channel as Discord computed them for the interaction (overwrites included),
 * and for a channel option from Discord's permissions of the member in that channel.
 */
export function toInvocation(interaction: ChatInputCommandInteraction): Invocation {
  const sub = interaction.options.data[0];
  const args: Record<string, ArgValue> = {};
  const named: NamedChannel[] = [];
  for (const option of sub?.options ?? []) {
    if (option.value !== undefined) args[option.name] = option.value;
    const channel = namedChannel(option);
    if (channel) named.push(channel);
  }
  const inGuild = interaction.inGuild();
  const kind = kindOf(interaction.channel?.type);
  return {
    platform: 'discord',
    command: sub?.name ?? 'help',
    args,
    user: { id: interaction.user.id, name: interaction.user.globalName ?? interaction.user.username },
    channel: { id: interaction.channelId, ...(inGuild ? { workspace: interaction.guildId } : {}), isDirect: !inGuild, ...(kind ? { kind } : {}) },
    // In a DM the channel is the user's own, so they may subscribe it.
    canManageChannel: inGuild ? (interaction.memberPermissions?.has(PermissionFlagsBits.ManageChannels) ?? false) : true,
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
