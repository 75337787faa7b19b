import { DiscordAPIError, Routes, type APIMessage, type Client } from 'discord.js';
import type { Store } from '../../src/store/types';

/** Messages seen reacted to that are no answer of the bot's, remembered so each is asked about once. */
const NOT_ANSWERS_KEPT = 1_000;

/**
 * Public answers are recorded under their interaction's id: an interaction callback says which
 * message it created only when asked to return the whole message, which doubled an answer's cost
 * under a burst of commands. Discord's ids are unique across kinds, so an interaction's id never
 * names a message. The first reaction on an answer asks Discord once which interaction the message
 * answers (interaction_metadata) and copies the record under the message's own id, where
 * handleReaction, and every later reaction, finds it.
 */
export function createAnswerLookup(client: Client, store: Store): (channelId: string, messageId: string) => Promise<void> {
  const notAnswers = new Set<string>();
  return async (channelId, messageId) => {
    if (notAnswers.has(messageId) || (await store.findPost('discord', channelId, messageId))) return;
    const message = await fetchMessage(client, channelId, messageId);
    const interactionId = message?.interaction_metadata?.id;
    const answer = interactionId ? await store.findPost('discord', channelId, interactionId) : null;
    if (answer) {
      await store.recordPost({ ...answer, messageId });
    } else if (!interactionId) {
      // Not an interaction's answer (or gone, or out of reach): it will never be one of ours.
      notAnswers.add(messageId);
      if (notAnswers.size > NOT_ANSWERS_KEPT) notAnswers.delete(notAnswers.values().next().value!);
    }
  };
}

/** The message, or null when Discord says it is gone or out of the bot's reach; other failures throw. */
async function fetchMessage(client: Client, channelId: string, messageId: string): Promise<APIMessage | null> {
  try {
    return (await client.rest.get(Routes.channelMessage(channelId, messageId))) as APIMessage;
  } catch (err) {
    if (err instanceof DiscordAPIError && (err.status === 403 || err.status === 404)) return null;
    throw err;
  }
}
