import { InteractionResponseType, MessageFlags, Routes, type REST } from 'discord.js';
import { toRestBody, type DiscordMessage } from './render';

const JSON_BODY = { 'Content-Type': 'application/json' };

/** What answering an interaction needs of it: its id and token, the same from the gateway and over HTTP. */
export interface InteractionRef {
  id: string;
  token: string;
}

/**
 * Callback bodies by message, serialized once: renderReply gives the same message for the same
 * Reply, and a burst of `/papers today` in channels with the same settings shares one Reply.
 */
const serialized = new WeakMap<DiscordMessage, Buffer>();

function callbackBody(body: object, msg: DiscordMessage) {
  return { type: InteractionResponseType.ChannelMessageWithSource, data: { ...body, ...(msg.ephemeral ? { flags: MessageFlags.Ephemeral } : {}) } };
}

/**
 * Answers an interaction with `msg`. The callback goes straight through discord.js's REST client,
 * as interaction.reply() itself sends it, without the MessagePayload reply() builds around the
 * body, and without `with_response`: the created message (five embeds) came back with every answer
 * for the sake of its id, and reading it was the largest cost of an answer in a burst
 * (bench/RESULTS.md). Reactions find the message through its interaction instead (answers.ts).
 */
export async function answerInteraction(rest: REST, interaction: InteractionRef, msg: DiscordMessage): Promise<void> {
  const route = Routes.interactionCallback(interaction.id, interaction.token);
  let body = serialized.get(msg);
  if (!body) {
    const restBody = toRestBody(msg);
    const callback = callbackBody(restBody.body, msg);
    if (restBody.files.length > 0) {
      // Files go as multipart: discord.js builds the form around the JSON part.
      await rest.post(route, { auth: false, body: callback, files: restBody.files });
      return;
    }
    serialized.set(msg, (body = Buffer.from(JSON.stringify(callback))));
  }
  await rest.post(route, { auth: false, body, passThroughBody: true, headers: JSON_BODY });
}

/** The first response without the answer: a deferred message, private or not (it cannot change afterwards). */
export async function deferInteraction(rest: REST, interaction: InteractionRef, ephemeral: boolean): Promise<void> {
  await rest.post(Routes.interactionCallback(interaction.id, interaction.token), {
    auth: false,
    body: { type: InteractionResponseType.DeferredChannelMessageWithSource, ...(ephemeral ? { data: { flags: MessageFlags.Ephemeral } } : {}) },
  });
}

/** Replaces a deferred response with the answer (PATCH of the original response through the interaction's webhook). */
export async function editOriginal(rest: REST, applicationId: string, interaction: InteractionRef, msg: DiscordMessage): Promise<void> {
  const { body, files } = toRestBody(msg);
  await rest.patch(Routes.webhookMessage(applicationId, interaction.token, '@original'), { auth: false, body, files });
}
