import type { SlashCommand } from '@slack/bolt';
import type { ReactionAddedEvent, ReactionRemovedEvent } from '@slack/types';
import { isListedAdmin, type Invocation } from '../../src/chat/command';
import { parseCommandText } from '../../commands/kit/text';
import { reactionFromEmoji, type ReactionEvent } from '../../src/chat/reaction';

/**
 * A `/papers …` slash command as an Invocation; the text is parsed by the shared command specs
 * (a bare `/papers` is help). Bad text throws UserError with a message for the user.
 */
export function commandInvocation(cmd: SlashCommand, admins: string[]): Invocation {
  const { command, args } = parseCommandText(cmd.text);
  return {
    platform: 'slack',
    command,
    args,
    user: { id: cmd.user_id, name: cmd.user_name },
    channel: {
      id: cmd.channel_id,
      workspace: cmd.team_id,
      // Direct messages have ids starting with D; Slack names them `directmessage` in commands.
      isDirect: cmd.channel_id.startsWith('D') || cmd.channel_name === 'directmessage',
    },
    // Slack gives slash commands no permission bits: SLACK_ADMINS says who may.
    canManageChannel: isListedAdmin(cmd.user_id, admins),
  };
}

/**
 * A reaction on a message as the bot's ReactionEvent: `:bookmark:` or a keycap `:one:` …
 * `:keycap_ten:`. Null for other emoji or items that are not messages (files), which the bot ignores.
 */
export function reactionEvent(event: ReactionAddedEvent | ReactionRemovedEvent): ReactionEvent | null {
  // Skin-tone variants arrive as `name::skin-tone-2`.
  const reaction = reactionFromEmoji(event.reaction.split('::')[0]!);
  if (event.item.type !== 'message' || !reaction) return null;
  return {
    platform: 'slack',
    channelId: event.item.channel,
    messageId: event.item.ts,
    userId: event.user,
    reaction,
    added: event.type === 'reaction_added',
  };
}
