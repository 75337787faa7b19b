import type { webApi } from '@slack/bolt';
import type { Logger } from '../../src/log';
import { PostError, type DigestPoster, type PostTarget } from '../../src/chat/poster';
import type { Reply } from '../../src/chat/reply';
import { errorMessage } from '../../src/errors';
import { renderReply } from './render';

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

/** How many recent messages are searched for an earlier send of the same key. */
const HISTORY_LIMIT = 50;
/**
 * The keys seen in a channel's history are reused this long, so a digest of n messages reads the
 * history once rather than n times (conversations.history is tightly rate-limited for many apps).
 */
const HISTORY_CACHE_MS = 10 * 60_000;

export interface SlackPosterDeps {
  client: webApi.WebClient;
  /** The bot token for a workspace; undefined when the client already carries the one token. */
  tokenFor: (workspaceId: string | null) => Promise<string | undefined>;
  log: Logger;
  now?: () => number;
}

/**
 * The Slack DigestPoster. Each message carries `{ event_type: papers_digest, event_payload: { key } }`
 * metadata; before sending, the channel's recent history is searched for that key, so a re-send
 * after a crash returns the earlier message instead of posting it twice.
 */
export function createSlackPoster(deps: SlackPosterDeps): DigestPoster {
  const now = deps.now ?? Date.now;
  const seen = new Map<string, { at: number; keys: Map<string, string> }>();

  async function postedKeys(channel: string, token: string | undefined): Promise<Map<string, string>> {
    for (const [ch, entry] of seen) if (now() - entry.at > HISTORY_CACHE_MS) seen.delete(ch);
    const cached = seen.get(channel);
    if (cached) return cached.keys;
    const history = await deps.client.conversations.history({ channel, token, limit: HISTORY_LIMIT, include_all_metadata: true });
    const keys = new Map<string, string>();
    for (const m of history.messages ?? []) {
      const payload = m.metadata?.event_type === DIGEST_EVENT_TYPE ? (m.metadata.event_payload as { key?: unknown } | undefined) : undefined;
      const key = payload?.key;
      if (typeof key === 'string' && m.ts) keys.set(key, m.ts);
    }
    seen.set(channel, { at: now(), keys });
    return keys;
  }

  return {
    platform: 'slack',
    async post(target: PostTarget, message: Reply, idempotencyKey: string) {
      try {
        const token = await deps.tokenFor(target.workspaceId);
        const keys = await postedKeys(target.channelId, token);
        const earlier = keys.get(idempotencyKey);
        if (earlier) {
          deps.log.info({ channel: target.channelId, key: idempotencyKey, ts: earlier }, 'slack digest message already posted');
          return { messageId: earlier };
        }
        const res = await deps.client.chat.postMessage({
          channel: target.channelId,
          token,
          ...renderReply(message),
          unfurl_links: false,
          unfurl_media: false,
          metadata: { event_type: DIGEST_EVENT_TYPE, event_payload: { key: idempotencyKey } },
        });
        if (!res.ts) throw new PostError('Slack accepted the message but returned no ts', false);
        keys.set(idempotencyKey, res.ts);
        return { messageId: res.ts };
      } catch (err) {
        // A send that failed midway may still have reached Slack: read the history again next time.
        seen.delete(target.channelId);
        throw asPostError(err);
      }
    },
  };
}

function asPostError(err: unknown): PostError {
  if (err instanceof PostError) return err;
  const code = (err as { data?: { error?: unknown } }).data?.error;
  if (typeof code === 'string') return new PostError(`Slack refused the message: ${code}`, PERMANENT_ERRORS.has(code));
  return new PostError(`Slack could not be reached: ${errorMessage(err)}`, false);
}
