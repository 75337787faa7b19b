import { InteractionResponseType, MessageFlags, Routes, type ChatInputCommandInteraction } from 'discord.js';
import { toRestBody, type DiscordMessage } from './render';

const JSON_BODY = { 'Content-Type': 'application/json' };

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
export async function answerInteraction(interaction: ChatInputCommandInteraction, msg: DiscordMessage): Promise<void> {
  const route = Routes.interactionCallback(interaction.id, interaction.token);
  let body = serialized.get(msg);
  if (!body) {
    const rest = toRestBody(msg);
    const callback = callbackBody(rest.body, msg);
    if (rest.files.length > 0) {
      // Files go as multipart: discord.js builds the form around the JSON part.
      await interaction.client.rest.post(route, { auth: false, body: callback, files: rest.files });
      return;
    }
    serialized.set(msg, (body = Buffer.from(JSON.stringify(callback))));
  }
  await interaction.client.rest.post(route, { auth: false, body, passThroughBody: true, headers: JSON_BODY });
}
