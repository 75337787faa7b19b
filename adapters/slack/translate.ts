import type { BlockAction, SlashCommand } from '@slack/bolt';
import type { ReactionAddedEvent, ReactionRemovedEvent } from '@slack/types';
import type { ClickEvent } from '../../src/chat/click';
import { isListedAdmin, type Invocation } from '../../src/chat/command';
import { parseCommandText } from '../../commands/kit/text';
import { TARGET_CHANNEL_OPTION } from '../../commands/kit/channel';
import { reactionFromEmoji, type ReactionEvent } from '../../src/chat/reaction';
import { UserError } from '../../src/errors';

/** A Slack conversation id: public (C) or private (G) channel. */
const CHANNEL_ID = /^[CG][A-Z0-9]{2,}$/;

/**
 * Slack's escaping of slash command text undone (the manifest asks for it, `should_escape`, so a
 * channel picked as one types `#` arrives as its id): `<#C123|papers>` is `C123`, a user or a
 * special mention becomes its readable name, a link its URL, and the three entities their
 * characters.
 */
export function unescapeCommandText(text: string): string {
  return text
    .replace(/<#([CG][A-Z0-9]+)(?:\|[^>]*)?>/g, '$1')
    .replace(/<@([UW][A-Z0-9]+)(?:\|([^>]*))?>/g, (_, id: string, name?: string) => `@${name || id}`)
    .replace(/<!([a-z]+)(?:\^[^|>]*)?(?:\|([^>]*))?>/g, (_, special: string, label?: string) => label || `@${special}`)
    .replace(/<((?:https?|mailto):[^|>]+)(?:\|[^>]*)?>/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/**
 * A `/papers …` slash command as an Invocation; the text is parsed by the shared command specs
 * (a bare `/papers` is help). Bad text throws UserError with a message for the user. `in #channel`
 * names another channel, which the same SLACK_ADMINS policy governs.
 */
export function commandInvocation(cmd: SlashCommand, admins: string[]): Invocation {
  const { command, args } = parseCommandText(unescapeCommandText(cmd.text));
  const canManage = isListedAdmin(cmd.user_id, admins);
  const target = args[TARGET_CHANNEL_OPTION.name];
  if (target !== undefined && !CHANNEL_ID.test(String(target)))
    throw new UserError(`${TARGET_CHANNEL_OPTION.name} needs a channel: type # and pick it from Slack's list, e.g. /papers subscribe in #papers.`);
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
    canManageChannel: canManage,
    ...(target !== undefined ? { namedChannels: [{ id: String(target), canManage }] } : {}),
  };
}

/**
 * A click on one of the bot's buttons or pickers, from Slack's block_actions payload: who clicked
 * is its user; the action_id says what to do; a picker's choice is the paper picked. A click on the
 * Home tab is on no message.
 */
export function clickEvent(body: BlockAction, action: BlockAction['actions'][number]): ClickEvent {
  const container = body.container as { channel_id?: string; message_ts?: string };
  const value = action.type === 'static_select' ? action.selected_option?.value : undefined;
  return {
    platform: 'slack',
    workspaceId: body.team?.id ?? body.user.team_id ?? null,
    channelId: body.channel?.id ?? container.channel_id ?? null,
    messageId: body.message?.ts ?? container.message_ts ?? null,
    userId: body.user.id,
    control: action.action_id,
    ...(value !== undefined ? { value } : {}),
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
