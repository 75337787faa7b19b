import { InteractionResponseType, MessageFlags, Routes, type ChatInputCommandInteraction } from 'discord.js';
import { toRestBody, type DiscordMessage } from './render';

const JSON_BODY = { 'Content-Type': 'application/json' };

/**
 * Callback bodies by message, serialized once: renderReply gives the same message for the same
 * Reply, and a burst of `/papers today` in channels with the same settings shares one Reply.
 */
const serialized = new WeakMap<DiscordMessage, Buffer>();

function callbackBody(msg: DiscordMessage): { type: InteractionResponseType.ChannelMessageWithSource; data: object } {
  const data = { ...toRestBody(msg).body, ...(msg.ephemeral ? { flags: MessageFlags.Ephemeral } : {}) };
  return { type: InteractionResponseType.ChannelMessageWithSource, data };
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
  if (msg.files.length > 0) {
    // Files go as multipart: discord.js builds the form around the JSON part.
    await interaction.client.rest.post(route, { auth: false, body: callbackBody(msg), files: toRestBody(msg).files });
    return;
  }
  let body = serialized.get(msg);
  if (!body) serialized.set(msg, (body = Buffer.from(JSON.stringify(callbackBody(msg)))));
  await interaction.client.rest.post(route, { auth: false, body, passThroughBody: true, headers: JSON_BODY });
}
