import { InteractionResponseType, MessageFlags, Routes, type APIMessage, type REST } from 'discord.js';
import { toRestBody, type DiscordMessage } from './render';

const JSON_BODY = { 'Content-Type': 'application/json' };

/**
 * What answering an interaction needs of it, the same from the gateway and over HTTP: its id,
 * token and application. Over HTTP (`respond`), the first response is the body of the answer to
 * Discord's POST instead of a request to the callback endpoint.
 */
export interface InteractionRef {
  id: string;
  token: string;
  application_id: string;
  respond?: (json: Buffer) => void;
}

/**
 * Callback bodies by message, serialized once: renderReply gives the same message for the same
 * Reply, and a burst of `/papers today` in channels with the same settings shares one Reply.
 */
const serialized = new WeakMap<DiscordMessage, Buffer>();

/** The callback's JSON; null when the message carries files, which go as multipart. */
function callbackJson(msg: DiscordMessage): Buffer | null {
  let body = serialized.get(msg);
  if (!body && msg.files.length === 0) {
    const data = { ...toRestBody(msg).body, ...(msg.ephemeral ? { flags: MessageFlags.Ephemeral } : {}) };
    serialized.set(msg, (body = Buffer.from(JSON.stringify({ type: InteractionResponseType.ChannelMessageWithSource, data }))));
  }
  return body ?? null;
}

/**
 * Answers an interaction with `msg`. The callback goes straight through discord.js's REST client,
 * as interaction.reply() itself sends it, without the MessagePayload reply() builds around the
 * body, and without `with_response`: the created message (five embeds) came back with every answer
 * for the sake of its id, and reading it was the largest cost of an answer in a burst
 * (bench/RESULTS.md). Reactions find the message through its interaction instead (answers.ts).
 */
export async function answerInteraction(rest: REST, interaction: InteractionRef, msg: DiscordMessage): Promise<void> {
  const body = callbackJson(msg);
  if (interaction.respond) {
    if (body) return interaction.respond(body);
    // An HTTP response cannot carry the files: defer, then send them with the edit.
    await deferInteraction(rest, interaction, msg.ephemeral);
    await editOriginal(rest, interaction, msg);
    return;
  }
  const route = Routes.interactionCallback(interaction.id, interaction.token);
  if (body) {
    await rest.post(route, { auth: false, body, passThroughBody: true, headers: JSON_BODY });
    return;
  }
  // Files go as multipart: discord.js builds the form around the JSON part.
  const { body: data, files } = toRestBody(msg);
  const callback = { type: InteractionResponseType.ChannelMessageWithSource, data: { ...data, ...(msg.ephemeral ? { flags: MessageFlags.Ephemeral } : {}) } };
  await rest.post(route, { auth: false, body: callback, files });
}

/** The first response without the answer: a deferred message, private or not (it cannot change afterwards). */
export async function deferInteraction(rest: REST, interaction: InteractionRef, ephemeral: boolean): Promise<void> {
  const body = { type: InteractionResponseType.DeferredChannelMessageWithSource, ...(ephemeral ? { data: { flags: MessageFlags.Ephemeral } } : {}) };
  if (interaction.respond) return interaction.respond(Buffer.from(JSON.stringify(body)));
  await rest.post(Routes.interactionCallback(interaction.id, interaction.token), { auth: false, body });
}

/** Replaces a deferred response with the answer (PATCH of the original response through the interaction's webhook). */
export async function editOriginal(rest: REST, interaction: InteractionRef, msg: DiscordMessage): Promise<APIMessage> {
  const { body, files } = toRestBody(msg);
  return (await rest.patch(Routes.webhookMessage(interaction.application_id, interaction.token, '@original'), { auth: false, body, files })) as APIMessage;
}

/** Takes the (deferred) original response away. */
export async function deleteOriginal(rest: REST, interaction: InteractionRef): Promise<void> {
  await rest.delete(Routes.webhookMessage(interaction.application_id, interaction.token, '@original'), { auth: false });
}

/** A private follow-up message to the interaction. */
export async function followUpPrivately(rest: REST, interaction: InteractionRef, msg: DiscordMessage): Promise<void> {
  const { body, files } = toRestBody(msg);
  await rest.post(Routes.webhook(interaction.application_id, interaction.token), { auth: false, body: { ...body, flags: MessageFlags.Ephemeral }, files });
}
