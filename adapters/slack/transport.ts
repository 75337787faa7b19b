import type { RespondArguments, SlashCommand } from '@slack/bolt';
import type { CommandTransport, SentMessage } from '../../src/chat/runtime';
import { paperIdsOf, type Reply } from '../../src/chat/reply';
import { errorMessage } from '../../src/errors';
import type { Logger } from '../../src/log';
import type { PostMessage } from './post-message';
import { SlackApiError } from './post-message';
import { renderReply } from './render';

/** chat.postMessage errors meaning the bot may not post there (not invited, a DM with someone else). */
const CANNOT_POST_HERE = new Set(['not_in_channel', 'channel_not_found']);

export interface SlackCommandEvent {
  command: SlashCommand;
  ack(response?: RespondArguments): Promise<void>;
  respond(response: RespondArguments): Promise<unknown>;
  /** The workspace's bot token (SLACK_BOT_TOKEN, or its installation's with OAuth). */
  token: string | undefined;
}

/**
 * How a slash command is answered on Slack. A private answer rides in the ack when it is quick, else
 * goes to response_url. A public one is posted with chat.postMessage, since only that returns a ts
 * to record (so reactions on the answer resolve): the ack cannot carry it, so a public command is
 * acked at once (publicAnswerFirst: false), before it runs.
 */
export function commandTransport(
  ev: SlackCommandEvent,
  opts: { answerInAckWithinMs: number; postMessage: PostMessage; nextTurn: () => Promise<void>; log: Logger },
): CommandTransport {
  const { command } = ev;
  const { log } = opts;

  /** Posts a public answer into the command's channel; null when it could not be posted. */
  async function post(reply: Reply, token: string): Promise<string | null> {
    try {
      const { ts } = await opts.postMessage(token, { channel: command.channel_id, ...renderReply(reply), unfurl_links: false, unfurl_media: false });
      return ts;
    } catch (err) {
      const error = err instanceof SlackApiError ? err.code : errorMessage(err);
      // Slack lets the bot post only where it is a member; response_url works everywhere, without reactions.
      if (CANNOT_POST_HERE.has(error))
        log.debug({ channel: command.channel_id, error }, 'slack answer sent via response_url: the bot cannot post in this channel');
      else log.warn({ channel: command.channel_id, error }, 'slack answer post failed; sending it via response_url');
      return null;
    }
  }

  return {
    platform: 'slack',
    channelId: command.channel_id,
    deferAfterMs: opts.answerInAckWithinMs,
    publicAnswerFirst: false,
    async answer(reply): Promise<SentMessage[]> {
      await ev.ack(asResponse(reply));
      return [];
    },
    defer: () => ev.ack(),
    async answerDeferred(reply): Promise<SentMessage[]> {
      const ts = reply.visibility === 'public' && ev.token ? await post(reply, ev.token) : null;
      if (ts) return [{ messageId: ts, paperIds: paperIdsOf(reply) }];
      await ev
        .respond(asResponse(reply))
        .catch((err: unknown) => log.warn({ err: errorMessage(err), channel: command.channel_id }, 'slack response_url post failed'));
      return [];
    },
    nextTurn: opts.nextTurn,
  };
}

function asResponse(reply: Reply): RespondArguments {
  return { response_type: reply.visibility === 'public' ? 'in_channel' : 'ephemeral', ...renderReply(reply) };
}
