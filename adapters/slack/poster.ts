import { setTimeout as sleep } from 'node:timers/promises';
import type { webApi } from '@slack/bolt';
import type { PosterContext } from '../../src/chat/adapter';
import { CannotMessageUser, PostError, type DigestPoster, type PostTarget } from '../../src/chat/poster';
import type { Reply } from '../../src/chat/reply';
import { errorMessage } from '../../src/errors';
import { REQUEST_TIMEOUT_MS, createWebClient, rateLimited, slackApiUrl } from './client';
import { installedBotToken } from './installations';
import { secretBoxOf } from '../../src/store/secret-box';
import { createChannelPacer } from './pacer';
import { SlackApiError, SlackRateLimitedError, createPostMessage, type PostMessage, type PostMessageArgs } from './post-message';
import { renderReply } from './render';
import type { SlackSettings } from './settings';
import { slackThreads } from './threads';

/** Message metadata type of digest messages; its payload's key makes re-sends idempotent. */
export const DIGEST_EVENT_TYPE = 'papers_digest';

/** Slack errors that retrying cannot fix: the channel is gone, archived or closed to the bot. */
const PERMANENT_ERRORS = new Set([
  'channel_not_found',
  'is_archived',
  'not_in_channel',
  'account_inactive',
  'token_revoked',
  'invalid_auth',
  'restricted_action',
]);

/**
 * What Slack answers when a user cannot be messaged: a bot, someone not (or no longer) in the
 * workspace, a deactivated account (conversations.open, chat.postMessage). A message sent to a user
 * id that Slack knows no conversation for answers channel_not_found: the same person, unreachable.
 */
const CANNOT_DM = new Set(['cannot_dm_bot', 'user_not_found', 'user_not_visible', 'user_disabled', 'account_inactive', 'channel_not_found']);

/** How many recent messages are searched for an earlier send of the same key when its time is unknown. */
const HISTORY_LIMIT = 50;
/** Pages of 200 read back to an earlier send's time: 2,000 messages, far more than a channel gets in a delivery's retries. */
const HISTORY_PAGES = 10;
/**
 * The keys seen in a channel's history are reused this long, so a digest of n messages reads the
 * history once rather than n times (conversations.history is tightly rate-limited for many apps).
 */
const HISTORY_CACHE_MS = 10 * 60_000;
/** Slack's documented limit for chat.postMessage: one message per second per channel. */
const POST_INTERVAL_MS = 1000;
/** Sends of one message that may be answered 429 before it fails (transiently). */
const RATE_LIMITED_ATTEMPTS = 3;
/**
 * The same at the workspace's limit: a message that was in flight when it was reached is sent again
 * after it lifts, with everything held back meanwhile, and may meet the next one; it is not a fault
 * of the message or the channel.
 */
const WORKSPACE_LIMITED_ATTEMPTS = 10;

export interface SlackPosterTuning {
  /** Retries of the Web API client for reads (conversations.history); RETRY_POLICY by default. */
  retryConfig?: webApi.RetryOptions;
  /** Request timeout; 10 s by default. */
  timeoutMs?: number;
  /** Least time between two messages to one channel; Slack's 1 s by default. */
  postIntervalMs?: number;
}

/**
 * The Slack DigestPoster, on Web API clients of its own (no Bolt app, no Socket Mode session).
 * Each message carries `{ event_type: papers_digest, event_payload: { key } }` metadata; before
 * a send that may have happened already (a delivery resumed after a crash, a re-send after a failed
 * send, which may have landed), the channel's recent history is searched for that key, and the
 * earlier message is returned instead of posting it twice. A fresh delivery's first sends skip the
 * read: a 500-channel fan-out would otherwise read 500 histories, one of Slack's most tightly
 * rate-limited methods.
 * Messages are paced per channel to Slack's limit, so channels don't provoke 429s or wait on each
 * other. With OAuth, each workspace is posted to with the bot token stored at its installation.
 */
export function createSlackPoster(deps: Pick<PosterContext, 'services' | 'log'>, slack: SlackSettings, opts: SlackPosterTuning = {}): DigestPoster {
  const client = createWebClient(slack, deps.log, opts.retryConfig, opts.timeoutMs);
  const postMessage = createPostMessage({
    apiUrl: slackApiUrl(slack),
    timeoutMs: opts.timeoutMs ?? REQUEST_TIMEOUT_MS,
    onRateLimited: rateLimited(deps.services),
  });
  const pacer = createChannelPacer(opts.postIntervalMs ?? POST_INTERVAL_MS);
  const seen = new Map<string, { at: number; keys: Map<string, string> }>();
  const box = secretBoxOf(deps.services.config);
  /** Each user's IM channel: conversations.open returns the same one every time, so it is asked for once. */
  const imChannels = new Map<string, string>();
  const imKey = (target: PostTarget) => `${target.workspaceId ?? ''} ${target.userId}`;

  /**
   * The conversation whose history holds the target's messages: a direct message goes to the user's
   * id (openDirect), but its history is the IM channel's, which conversations.open names.
   */
  async function historyChannel(target: PostTarget, token: string): Promise<string> {
    if (target.channelId !== target.userId) return target.channelId;
    const key = imKey(target);
    let channelId = imChannels.get(key);
    if (!channelId) {
      const opened = await client.conversations.open({ users: target.userId, token });
      if (!opened.channel?.id) throw new PostError(`Slack opened no conversation with user ${target.userId}`, false);
      channelId = opened.channel.id;
      imChannels.set(key, channelId);
    }
    return channelId;
  }

  /** SLACK_BOT_TOKEN, or with OAuth the token stored at the workspace's installation. */
  const tokenFor = async (workspaceId: string | null): Promise<string> => {
    if (slack.botToken) return slack.botToken;
    const token = workspaceId ? await installedBotToken(deps.services.store, box, workspaceId) : null;
    if (!token) throw new PostError(`the Slack app is not installed in workspace ${workspaceId ?? '(none)'}`, true);
    return token;
  };

  /**
   * The digest keys of the channel's messages since `since` (a minute earlier, for clocks that
   * differ), page after page: however busy the channel, an earlier send in that time is found.
   */
  async function keysSince(channel: string, token: string, since: Date): Promise<Map<string, string>> {
    const keys = new Map<string, string>();
    const oldest = (since.getTime() / 1000 - 60).toFixed(6);
    let cursor: string | undefined;
    for (let page = 0; page < HISTORY_PAGES; page++) {
      const history = await client.conversations.history({ channel, token, oldest, limit: 200, include_all_metadata: true, ...(cursor ? { cursor } : {}) });
      addKeys(keys, history.messages ?? []);
      cursor = history.response_metadata?.next_cursor || undefined;
      if (!history.has_more || !cursor) break;
    }
    return keys;
  }

  async function postedKeys(channel: string, token: string): Promise<Map<string, string>> {
    // Entries are added only on a miss, so the map runs oldest first: stop at the first fresh one
    // (a sweep of every channel on every post made a fan-out quadratic in its channels).
    const now = Date.now();
    for (const [ch, entry] of seen) {
      if (now - entry.at <= HISTORY_CACHE_MS) break;
      seen.delete(ch);
    }
    const cached = seen.get(channel);
    if (cached) return cached.keys;
    const history = await client.conversations.history({ channel, token, limit: HISTORY_LIMIT, include_all_metadata: true });
    const keys = new Map<string, string>();
    addKeys(keys, history.messages ?? []);
    seen.set(channel, { at: Date.now(), keys });
    return keys;
  }

  /**
   * chat.postMessage in the channel's turn; a 429 (not taken by Slack) is waited out and re-sent: in
   * the channel, up to RATE_LIMITED_ATTEMPTS times; at the workspace's limit, where postMessage holds
   * every message until it lifts, up to WORKSPACE_LIMITED_ATTEMPTS.
   */
  function send(token: string, args: PostMessageArgs): ReturnType<PostMessage> {
    return pacer.run(args.channel, async () => {
      const limited = { channel: 0, workspace: 0 };
      for (;;) {
        try {
          return await postMessage(token, args);
        } catch (err) {
          if (!(err instanceof SlackRateLimitedError)) throw err;
          const scope = err.workspace ? 'workspace' : 'channel';
          if (++limited[scope] >= (err.workspace ? WORKSPACE_LIMITED_ATTEMPTS : RATE_LIMITED_ATTEMPTS)) throw err;
          deps.log.info({ channel: args.channel, retryAfter: err.retryAfterSec, scope }, `slack rate limited a digest message; waiting in its ${scope}`);
          if (!err.workspace) await sleep(err.retryAfterSec * 1000);
        }
      }
    });
  }

  return {
    platform: 'slack',
    // Thread replies count against the channel's pace like any message.
    threads: slackThreads({ postMessage: send, client, tokenFor }),
    /**
     * No call: chat.postMessage takes the user's id as its channel and posts to their IM with the
     * bot (docs.slack.dev/reference/methods/chat.postMessage, "channel"), so a fan-out of personal
     * digests costs no conversations.open, a Tier 3 method (50+ per minute: 10,000 people would
     * take over three hours of it). Only a re-send that must search the IM's history opens it.
     */
    async openDirect({ workspaceId, userId }) {
      return { platform: 'slack', workspaceId, channelId: userId, userId };
    },
    async post(
      target: PostTarget,
      message: Reply,
      idempotencyKey: string,
      { maybeSentBefore, since }: { maybeSentBefore: boolean; since?: Date } = { maybeSentBefore: true },
    ) {
      try {
        const token = await tokenFor(target.workspaceId);
        const history = maybeSentBefore ? await historyChannel(target, token) : null;
        const keys = history === null ? null : since ? await keysSince(history, token, since) : await postedKeys(history, token);
        const earlier = keys?.get(idempotencyKey);
        if (earlier) {
          deps.log.info({ channel: history, key: idempotencyKey, ts: earlier }, 'slack digest message already posted');
          return { messageId: earlier, found: true, ...(history !== target.channelId ? { channelId: history! } : {}) };
        }
        const res = await send(token, {
          channel: target.channelId,
          ...renderReply(message),
          unfurl_links: false,
          unfurl_media: false,
          metadata: { event_type: DIGEST_EVENT_TYPE, event_payload: { key: idempotencyKey } },
        });
        seen.get(res.channel)?.keys.set(idempotencyKey, res.ts);
        // A direct message sent to the user's id lives in their IM channel, where clicks on it come
        // from; known now, a later re-check of its history needs no conversations.open (Tier 3).
        if (target.userId && res.channel !== target.channelId) imChannels.set(imKey(target), res.channel);
        return { messageId: res.ts, ...(res.channel !== target.channelId ? { channelId: res.channel } : {}) };
      } catch (err) {
        // A send that failed midway may still have reached Slack: read the history again next time.
        seen.delete(target.channelId);
        const im = target.userId && imChannels.get(imKey(target));
        if (im) seen.delete(im);
        throw asPostError(err, target.userId);
      }
    },
  };
}

function addKeys(keys: Map<string, string>, messages: { ts?: string; metadata?: { event_type?: string; event_payload?: unknown } }[]): void {
  for (const m of messages) {
    const payload = m.metadata?.event_type === DIGEST_EVENT_TYPE ? (m.metadata.event_payload as { key?: unknown } | undefined) : undefined;
    const key = payload?.key;
    if (typeof key === 'string' && m.ts) keys.set(key, m.ts);
  }
}

/** `userId`: the message went (or was to go) to this user's direct messages. */
function asPostError(err: unknown, userId?: string): PostError {
  if (err instanceof PostError) return err;
  if (err instanceof SlackRateLimitedError) return new PostError(`Slack kept rate limiting the message (retry after ${err.retryAfterSec} s)`, false);
  // chat.postMessage fails as SlackApiError; the WebClient's methods (conversations.*) carry Slack's code in data.error.
  const code = err instanceof SlackApiError ? err.code : (err as { data?: { error?: unknown } }).data?.error;
  if (typeof code !== 'string') return new PostError(`Slack could not be reached: ${errorMessage(err)}`, false);
  if (userId && CANNOT_DM.has(code)) return new CannotMessageUser(userId, `Slack: ${code}`);
  return new PostError(`Slack refused the message: ${code}`, PERMANENT_ERRORS.has(code));
}
