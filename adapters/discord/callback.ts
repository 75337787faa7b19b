import {
  InteractionResponseType,
  MessageFlags,
  Routes,
  type ChatInputCommandInteraction,
  type RESTPostAPIInteractionCallbackWithResponseResult,
} from 'discord.js';
import { toRestBody, type DiscordMessage } from './render';

const WITH_RESPONSE = new URLSearchParams({ with_response: 'true' });
const JSON_BODY = { 'Content-Type': 'application/json' };

/**
 * Callback bodies by message, serialized once: renderReply gives the same message for the same
 * Reply, and a burst of `/papers today` in channels with the same settings shares one Reply.
 */
const serialized = new WeakMap<DiscordMessage, Buffer>();

function callbackBody(msg: DiscordMessage): Buffer {
  let body = serialized.get(msg);
  if (!body) {
    const data = { ...toRestBody(msg).body, ...(msg.ephemeral ? { flags: MessageFlags.Ephemeral } : {}) };
    serialized.set(msg, (body = Buffer.from(JSON.stringify({ type: InteractionResponseType.ChannelMessageWithSource, data }))));
  }
  return body;
}

/**
 * Answers an interaction with `msg` and resolves to the answer's message id (what reactions on it
 * resolve through). The callback goes straight through discord.js's REST client, as
 * interaction.reply() itself sends it, but without the objects reply() builds around it: a
 * MessagePayload for the body and, for with_response, a whole Message with its embeds, of which
 * the bot needs only the id. Under a burst of commands those were the largest cost of an answer
 * (bench/RESULTS.md).
 */
export async function answerInteraction(interaction: ChatInputCommandInteraction, msg: DiscordMessage): Promise<string | undefined> {
  const route = Routes.interactionCallback(interaction.id, interaction.token);
  const request = { auth: false, query: WITH_RESPONSE } as const;
  const response = (await (msg.files.length > 0
    ? // Files go as multipart: discord.js builds the form around the JSON part.
      interaction.client.rest.post(route, { ...request, ...withFiles(msg) })
    : interaction.client.rest.post(route, { ...request, body: callbackBody(msg), passThroughBody: true, headers: JSON_BODY }))) as RESTPostAPIInteractionCallbackWithResponseResult;
  return response.resource?.message?.id;
}

function withFiles(msg: DiscordMessage) {
  const { body, files } = toRestBody(msg);
  return {
    body: { type: InteractionResponseType.ChannelMessageWithSource, data: { ...body, ...(msg.ephemeral ? { flags: MessageFlags.Ephemeral } : {}) } },
    files,
  };
}
