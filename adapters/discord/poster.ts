import { createHash } from 'node:crypto';
import { ChannelType, DiscordAPIError, RESTJSONErrorCodes, Routes, type APIChannel, type APIGuildForumTag, type APIThreadChannel, type REST } from 'discord.js';
import type { DigestPoster, PostedMessage, PostTarget } from '../../src/chat/poster';
import { CannotMessageUser, PostError } from '../../src/chat/poster';
import type { Reply } from '../../src/chat/reply';
import { errorMessage } from '../../src/errors';
import type { Logger } from '../../src/log';
import { renderReply, threadName, toRestBody, withoutDiscuss } from './render';
import { discordThreads } from './threads';

/** Discord's nonce is at most 25 characters, so the idempotency key is hashed down to one. */
export function nonceFor(idempotencyKey: string): string {
  return createHash('sha256').update(idempotencyKey).digest('base64url').slice(0, 25);
}

/** Discord applies at most this many tags to a forum post. */
const MAX_APPLIED_TAGS = 5;
/** What is remembered of a channel's kind and tags before asking again (tags change rarely). */
const CHANNEL_INFO_MS = 10 * 60_000;
/** Threads of a forum's archive read when looking for a post sent before a crash. */
const ARCHIVED_LOOKUP = 50;

/** What Discord answers a message to a user who cannot be messaged. */
const CANNOT_DM = [RESTJSONErrorCodes.CannotSendMessagesToThisUser, RESTJSONErrorCodes.CannotSendMessagesToThisUserDueToHavingNoMutualGuilds];

const apiError = (err: unknown, code: number) => err instanceof DiscordAPIError && err.code === code;

/** The forum's tags whose name is one of the labels (a subscription topic the paper matches, an arXiv category), ignoring case. */
export function tagsFor(available: readonly Pick<APIGuildForumTag, 'id' | 'name'>[], labels: readonly string[]): string[] {
  const wanted = new Set(labels.map((l) => l.trim().toLowerCase()));
  return available
    .filter((t) => wanted.has(t.name.trim().toLowerCase()))
    .map((t) => t.id)
    .slice(0, MAX_APPLIED_TAGS);
}

/** The labels a paper message offers a forum: the channel's topics it matches, and its arXiv categories. */
function labelsOf(message: Reply): string[] {
  return message.blocks.flatMap((b) => (b.kind === 'paper' ? [...(b.topics ?? []), ...(b.paper.categories ?? [])] : []));
}

/**
 * Posts digest messages through REST, which needs no gateway connection: under the sharding
 * manager the one fan-out can reach every channel whichever shard owns it. With enforce_nonce,
 * Discord answers a re-send of the same nonce with the message it already created, so a post
 * repeated after a crash shows once.
 *
 * A forum channel is found out when Discord refuses a plain message in it (50008), so text
 * channels cost no extra request: there each paper becomes a forum post of its own (named after
 * the paper, tagged with the forum's tags that match), and the header has no place. Forum posts
 * take no nonce, so a post that may have been created before (a resumed delivery, a retried send)
 * is first looked for among the forum's threads by its name and author. With `publish`, each
 * message of an announcement channel is crossposted to the servers that follow it, in the same
 * send, so a re-send crossposts again at most, which Discord refuses (40033) and changes nothing.
 */
export function createDiscordPoster(rest: REST, log: Logger): DigestPoster {
  const channels = new Map<string, { at: number; info: Promise<APIChannel> }>();
  /** Channels that showed they cannot publish (not announcement channels), so they are not asked again. */
  const unpublishable = new Set<string>();
  let botId: Promise<string> | null = null;
  /** Each user's DM channel: Discord returns the same one every time, so it is asked for once. */
  const dmChannels = new Map<string, Promise<string>>();

  function channelInfo(channelId: string): Promise<APIChannel> {
    const known = channels.get(channelId);
    if (known && Date.now() - known.at < CHANNEL_INFO_MS) return known.info;
    const info = rest.get(Routes.channel(channelId)) as Promise<APIChannel>;
    channels.set(channelId, { at: Date.now(), info });
    info.catch(() => channels.delete(channelId));
    return info;
  }
  const isForum = async (channelId: string) => (await channelInfo(channelId)).type === ChannelType.GuildForum;

  async function publish(channelId: string, messageId: string): Promise<void> {
    if (unpublishable.has(channelId)) return;
    try {
      await rest.post(Routes.channelMessageCrosspost(channelId, messageId));
    } catch (err) {
      if (apiError(err, RESTJSONErrorCodes.ThisMessageWasAlreadyCrossposted)) return;
      // Not an announcement channel, or no right to publish: the message stays posted, unpublished.
      if (apiError(err, RESTJSONErrorCodes.CannotExecuteActionOnThisChannelType)) unpublishable.add(channelId);
      log.warn({ channel: channelId, messageId, err: errorMessage(err) }, 'could not publish a digest message to following servers');
    }
  }

  /** A forum post the bot made earlier under this name, if one is still among the forum's threads. */
  async function earlierForumPost(target: PostTarget, name: string): Promise<string | null> {
    botId ??= (rest.get(Routes.user()) as Promise<{ id: string }>).then((u) => u.id);
    const me = await botId;
    const active = target.workspaceId ? ((await rest.get(Routes.guildActiveThreads(target.workspaceId))) as { threads: APIThreadChannel[] }).threads : [];
    const archived = (
      (await rest.get(Routes.channelThreads(target.channelId, 'public'), { query: new URLSearchParams({ limit: String(ARCHIVED_LOOKUP) }) })) as {
        threads: APIThreadChannel[];
      }
    ).threads;
    return [...active, ...archived].find((t) => t.parent_id === target.channelId && t.name === name && t.owner_id === me)?.id ?? null;
  }

  async function postToForum(target: PostTarget, message: Reply, maybeSentBefore: boolean): Promise<PostedMessage | null> {
    const paper = message.blocks.find((b) => b.kind === 'paper');
    if (paper?.kind !== 'paper') return null;
    const name = threadName(paper.paper.title);
    const earlier = maybeSentBefore ? await earlierForumPost(target, name) : null;
    if (earlier) return { messageId: earlier, channelId: earlier, found: true };
    const forum = await channelInfo(target.channelId);
    const available = 'available_tags' in forum ? (forum.available_tags ?? []) : [];
    const msg = renderReply(message);
    const { body, files } = toRestBody({ ...msg, components: withoutDiscuss(msg.components) });
    const thread = (await rest.post(Routes.threads(target.channelId), {
      body: { name, message: body, applied_tags: tagsFor(available, labelsOf(message)) },
      files,
    })) as { id: string };
    // A forum post's first message has the thread's id.
    return { messageId: thread.id, channelId: thread.id };
  }

  async function postMessage(target: PostTarget, message: Reply, idempotencyKey: string, maybeSentBefore: boolean): Promise<PostedMessage | null> {
    const known = channels.get(target.channelId);
    if (known && (await known.info.catch(() => null))?.type === ChannelType.GuildForum) return postToForum(target, message, maybeSentBefore);
    const { body, files } = toRestBody(renderReply(message));
    let created: { id: string };
    try {
      created = (await rest.post(Routes.channelMessages(target.channelId), {
        body: { ...body, nonce: nonceFor(idempotencyKey), enforce_nonce: true },
        files,
      })) as { id: string };
    } catch (err) {
      if (!apiError(err, RESTJSONErrorCodes.CannotSendMessagesInNonTextChannel)) throw err;
      if (!(await isForum(target.channelId)))
        throw new PostError(`Discord channel ${target.channelId} takes no messages (not a text, announcement or forum channel)`, true);
      return postToForum(target, message, maybeSentBefore);
    }
    if (target.publish) await publish(target.channelId, created.id);
    return { messageId: created.id };
  }

  return {
    platform: 'discord',
    async openDirect({ workspaceId, userId }) {
      let channel = dmChannels.get(userId);
      if (!channel) {
        channel = (rest.post(Routes.userChannels(), { body: { recipient_id: userId } }) as Promise<{ id: string }>).then((c) => c.id);
        dmChannels.set(userId, channel);
        channel.catch(() => dmChannels.delete(userId));
      }
      try {
        return { platform: 'discord', workspaceId, channelId: await channel, userId };
      } catch (err) {
        if (apiError(err, RESTJSONErrorCodes.UnknownUser)) throw new CannotMessageUser(userId, 'Discord knows no such user (10013)');
        const permanent = err instanceof DiscordAPIError && (err.status === 403 || err.status === 404);
        throw new PostError(`Discord could not open a DM with user ${userId}: ${errorMessage(err)}`, permanent);
      }
    },
    async post(target, message, idempotencyKey, { maybeSentBefore } = { maybeSentBefore: true }) {
      try {
        return await postMessage(target, message, idempotencyKey, maybeSentBefore);
      } catch (err) {
        if (err instanceof PostError) throw err;
        // DMs closed, a bot, or no server shared any more: Discord's 50007 and 50278.
        const refusal = CANNOT_DM.find((code) => apiError(err, code));
        if (target.userId && refusal) throw new CannotMessageUser(target.userId, `Discord refuses messages to this user (${refusal})`);
        // 403 (Missing Access/Permissions) and 404 (Unknown Channel) will not heal by retrying.
        const permanent = err instanceof DiscordAPIError && (err.status === 403 || err.status === 404);
        throw new PostError(`Discord channel ${target.channelId}: ${errorMessage(err)}`, permanent);
      }
    },
    threads: discordThreads(rest, { isForum }),
  };
}
