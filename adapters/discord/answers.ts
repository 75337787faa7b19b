import { DiscordAPIError, Routes, type APIMessage, type Client } from 'discord.js';
import type { PostRecord, Store } from '../../src/store/types';

/** Messages seen reacted to that are no answer of the bot's, remembered so each is asked about once. */
const NOT_ANSWERS_KEPT = 1_000;

/** What a message says of itself that finds its record: its id, and the interaction it answers, if any. */
export type MessageIdentity = Pick<APIMessage, 'id'> & { interaction_metadata?: { id: string } | null };

/**
 * The record of an interaction's answer, copied under the message's own id, where every later
 * reaction or click finds it (and where bookmarks made from it join it).
 */
async function copiedAnswer(store: Store, channelId: string, message: MessageIdentity): Promise<PostRecord | null> {
  const interactionId = message.interaction_metadata?.id;
  const answer = interactionId ? await store.posts.find('discord', channelId, interactionId) : null;
  if (!answer) return null;
  const record = { ...answer, messageId: message.id };
  await store.posts.record(record);
  return record;
}

/**
 * The record of a message a click came from. A component interaction carries the whole message,
 * interaction_metadata included, so an answer's record is found without asking Discord.
 */
export async function clickedMessageRecord(store: Store, channelId: string, message: MessageIdentity): Promise<PostRecord | null> {
  return (await store.posts.find('discord', channelId, message.id)) ?? copiedAnswer(store, channelId, message);
}

/**
 * Public answers are recorded under their interaction's id: an interaction callback says which
 * message it created only when asked to return the whole message, which doubled an answer's cost
 * under a burst of commands. Discord's ids are unique across kinds, so an interaction's id never
 * names a message. The record of a reacted message is looked up as usual; when there is none, the
 * first reaction asks Discord once which interaction the message answers (interaction_metadata)
 * and copies the answer's record under the message's own id, where every later reaction finds it.
 * Reactions on one message while that question is out share it.
 */
export function createAnswerLookup(client: Client, store: Store): (channelId: string, messageId: string) => Promise<PostRecord | null> {
  const notAnswers = new Set<string>();
  const asking = new Map<string, Promise<PostRecord | null>>();

  async function resolve(channelId: string, messageId: string): Promise<PostRecord | null> {
    const message = await fetchMessage(client, channelId, messageId);
    const record = message ? await copiedAnswer(store, channelId, message) : null;
    if (!record && !message?.interaction_metadata) {
      // Not an interaction's answer (or gone, or out of reach): it will never be one of ours.
      notAnswers.add(messageId);
      if (notAnswers.size > NOT_ANSWERS_KEPT) notAnswers.delete(notAnswers.values().next().value!);
    }
    return record;
  }

  return async (channelId, messageId) => {
    if (notAnswers.has(messageId)) return null;
    const known = await store.posts.find('discord', channelId, messageId);
    if (known) return known;
    let lookup = asking.get(messageId);
    if (!lookup) {
      lookup = resolve(channelId, messageId).finally(() => asking.delete(messageId));
      asking.set(messageId, lookup);
    }
    return lookup;
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
