import type { webApi } from '@slack/bolt';
import type { ThreadOpener } from '../../src/chat/threads';
import { UserError } from '../../src/errors';
import { SlackApiError, type PostMessage } from './post-message';
import { renderReply } from './render';

/** Message metadata type of a thread's first message; its payload's key makes a repeated opening find the first. */
export const THREAD_EVENT_TYPE = 'papers_thread';
/** Replies read when looking for an earlier first message. */
const REPLIES_LIMIT = 50;
/** chat.postMessage errors meaning the bot may not post there. */
const CANNOT_POST_HERE = new Set(['not_in_channel', 'channel_not_found', 'is_archived']);

/**
 * Discussion threads on Slack: a reply in the paper message's thread holding its abstract and links.
 * The reply carries its key as message metadata, so an opening that may have happened before (a
 * claim taken over after a crash) first looks for it among the thread's replies.
 */
export function slackThreads(deps: {
  postMessage: PostMessage;
  client: webApi.WebClient;
  tokenFor(workspaceId: string | null): Promise<string>;
}): ThreadOpener {
  return {
    async openThread(site, request) {
      const token = await deps.tokenFor(site.workspaceId);
      if (request.maybeOpenedBefore) {
        const replies = await deps.client.conversations.replies({
          channel: site.channelId,
          ts: site.messageId,
          token,
          limit: REPLIES_LIMIT,
          include_all_metadata: true,
        });
        const earlier = replies.messages?.find(
          (m) => m.metadata?.event_type === THREAD_EVENT_TYPE && (m.metadata.event_payload as { key?: unknown } | undefined)?.key === request.key,
        );
        if (earlier?.ts) return { threadId: earlier.ts };
      }
      try {
        const { ts } = await deps.postMessage(token, {
          channel: site.channelId,
          thread_ts: site.messageId,
          ...renderReply(request.starter),
          unfurl_links: false,
          unfurl_media: false,
          metadata: { event_type: THREAD_EVENT_TYPE, event_payload: { key: request.key } },
        });
        return { threadId: ts };
      } catch (err) {
        if (err instanceof SlackApiError && CANNOT_POST_HERE.has(err.code))
          throw new UserError('The bot cannot reply in this channel, so it cannot open a discussion thread: invite it with /invite @papers first.');
        throw err;
      }
    },
  };
}
