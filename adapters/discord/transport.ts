import type { APIChatInputApplicationCommandInteraction, APIMessageComponentInteraction, PartialUser, REST, User } from 'discord.js';
import type { ClickTransport, CommandTransport, ReactionTransport } from '../../src/chat/runtime';
import { paperIdsOf } from '../../src/chat/reply';
import { errorMessage } from '../../src/errors';
import type { Logger } from '../../src/log';
import type { PostRecord, Store } from '../../src/store/types';
import { clickedMessageRecord } from './answers';
import { answerInteraction, deferInteraction, deleteOriginal, editOriginal, followUpPrivately, type InteractionRef } from './callback';
import { discordThreads } from './threads';
import { renderReply, toMessageOptions } from './render';
import { CANNOT_DM_USER, isApiError } from './rest';

/**
 * How a slash command is answered on Discord, from the interaction's payload (the gateway's or an
 * HTTP interaction's, which then carries `respond`): the interaction callback when the answer is
 * ready in time, else a deferral (whose visibility cannot change afterwards) and an edit. An answer
 * given at once is recorded under its interaction's id: the callback does not say which message it
 * made, and the first reaction on it finds the record through its interaction (answers.ts).
 */
export function interactionTransport(
  interaction: APIChatInputApplicationCommandInteraction & InteractionRef,
  rest: REST,
  deferAfterMs: number,
): CommandTransport {
  return {
    platform: 'discord',
    channelId: interaction.channel?.id ?? interaction.channel_id ?? '',
    deferAfterMs,
    publicAnswerFirst: true,
    async answer(reply) {
      const msg = renderReply(reply);
      await answerInteraction(rest, interaction, msg);
      return msg.ephemeral ? [] : [{ messageId: interaction.id, paperIds: paperIdsOf(reply) }];
    },
    defer: (expected) => deferInteraction(rest, interaction, expected === 'private'),
    async answerDeferred(reply, expected) {
      const msg = renderReply(reply);
      if (msg.ephemeral && expected === 'public') {
        // A public command answering with a private error: the public placeholder gives way to a private follow-up.
        await deleteOriginal(rest, interaction);
        await followUpPrivately(rest, interaction, msg);
        return [];
      }
      const message = await editOriginal(rest, interaction, msg);
      // Only a public message can carry reactions.
      return expected === 'public' ? [{ messageId: message.id, paperIds: paperIdsOf(reply) }] : [];
    },
  };
}

/**
 * A reaction is confirmed by DM, so the channel stays clean (or not at all when
 * DISCORD_DM_CONFIRMATIONS=false). Closed DMs are the user's choice, not an error.
 */
export function reactionTransport(
  user: User | PartialUser,
  opts: { dmConfirmations: boolean; findPost: (channelId: string, messageId: string) => Promise<PostRecord | null>; log: Logger },
): ReactionTransport {
  return {
    findPost: (ev) => opts.findPost(ev.channelId, ev.messageId),
    async confirm(reply) {
      if (!opts.dmConfirmations) return;
      try {
        await user.send(toMessageOptions(renderReply(reply)));
      } catch (err) {
        if (isApiError(err, CANNOT_DM_USER)) opts.log.debug({ userId: user.id }, 'DMs closed; confirmation skipped');
        else opts.log.warn({ err: errorMessage(err), userId: user.id }, 'could not send a DM confirmation');
      }
    },
  };
}

/**
 * How a click on a button or select menu is answered on Discord, from the interaction's payload
 * alone (the gateway and HTTP interactions give the same), with the REST client: a private message
 * as the interaction callback when the answer is ready in time, else a deferred private response
 * (within Discord's 3 s) and an edit of it. Discuss opens threads with what the payload says the bot
 * may do here (app_permissions), so a missing permission is told at once.
 */
export function componentTransport(
  interaction: APIMessageComponentInteraction & InteractionRef,
  rest: REST,
  opts: { deferAfterMs: number; store: Store },
): ClickTransport {
  const channelId = interaction.channel?.id ?? interaction.message.channel_id;
  return {
    platform: 'discord',
    deferAfterMs: opts.deferAfterMs,
    answerFirst: true,
    answer: (reply) => answerInteraction(rest, interaction, renderReply(reply)),
    defer: () => deferInteraction(rest, interaction, true),
    answerDeferred: async (reply) => {
      await editOriginal(rest, interaction, renderReply(reply));
    },
    // Direct messages have no threads.
    ...(interaction.guild_id ? { threads: discordThreads(rest, { appPermissions: interaction.app_permissions }) } : {}),
    findPost: () => clickedMessageRecord(opts.store, channelId, interaction.message),
  };
}
