import { PermissionFlagsBits, type ChatInputCommandInteraction } from 'discord.js';
import type { ArgValue, Invocation } from '../../src/chat/command';
import { reactionFromEmoji, type ReactionKind } from '../../commands/kit/reactions';

/** The one slash command the bot registers; everything else is a subcommand of it. */
export const COMMAND_NAME = 'papers';

/**
 * `/papers <subcommand> [options]` → Invocation. Discord has already typed the values; the
 * dispatcher still validates them against the spec. Manage Channels comes from the member's
 * permissions in this channel as Discord computed them for the interaction (overwrites included).
 */
export function toInvocation(interaction: ChatInputCommandInteraction): Invocation {
  const sub = interaction.options.data[0];
  const args: Record<string, ArgValue> = {};
  for (const option of sub?.options ?? []) {
    if (option.value !== undefined) args[option.name] = option.value;
  }
  const inGuild = interaction.inGuild();
  return {
    platform: 'discord',
    command: sub?.name ?? 'help',
    args,
    user: { id: interaction.user.id, name: interaction.user.globalName ?? interaction.user.username },
    channel: { id: interaction.channelId, ...(inGuild ? { workspace: interaction.guildId } : {}), isDirect: !inGuild },
    // In a DM the channel is the user's own, so they may subscribe it.
    canManageChannel: inGuild ? (interaction.memberPermissions?.has(PermissionFlagsBits.ManageChannels) ?? false) : true,
  };
}

/** A Unicode reaction as commands understand it (🔖, keycaps); custom guild emoji are never ours. */
export function reactionKind(emoji: { id: string | null; name: string | null }): ReactionKind | null {
  return emoji.id === null && emoji.name ? reactionFromEmoji(emoji.name) : null;
}
