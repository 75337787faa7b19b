import type { RespondArguments, RespondFn, SlashCommand, webApi } from '@slack/bolt';
import type { ClickTransport, CommandTransport, SentMessage } from '../../src/chat/runtime';
import type { ThreadOpener } from '../../src/chat/threads';
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

/** What answering one block_actions click needs of Bolt's listener arguments. */
export interface SlackClickEvent {
  ack(): Promise<void>;
  /** The message's response_url; absent on the Home tab. */
  respond?: RespondFn;
  client: webApi.WebClient;
  channelId: string | null;
  userId: string;
}

/**
 * How a click is answered on Slack: block_actions' ack carries no message, so it is acked at once
 * (within Slack's 3 s) and answered after, privately: through the message's response_url
 * (ephemeral, the clicked message left as it is), or chat.postEphemeral. A click on the Home tab has
 * neither: its answer is the tab itself, published again when the click changed its bookmarks.
 */
export function clickTransport(ev: SlackClickEvent, opts: { threads: ThreadOpener; log: Logger; callerChanged(): void }): ClickTransport {
  return {
    platform: 'slack',
    deferAfterMs: 0,
    answerFirst: false,
    answer: (reply) => answerClick(ev, reply, opts.log),
    defer: () => ev.ack(),
    answerDeferred: (reply) => answerClick(ev, reply, opts.log),
    threads: opts.threads,
    callerChanged: opts.callerChanged,
  };
}

async function answerClick(ev: SlackClickEvent, reply: Reply, log: Logger): Promise<void> {
  const message = renderReply(reply);
  try {
    if (ev.respond) await ev.respond({ response_type: 'ephemeral', replace_original: false, ...message });
    else if (ev.channelId) await ev.client.chat.postEphemeral({ channel: ev.channelId, user: ev.userId, ...message });
    else log.debug({ user: ev.userId }, 'a Home tab click is answered by the tab itself');
  } catch (err) {
    log.warn({ err: errorMessage(err), channel: ev.channelId }, 'slack click answer failed');
  }
}
