import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, type AppOptions, type CustomRoute, type RespondArguments, type SlashCommand, type webApi } from '@slack/bolt';
import type { ReactionAddedEvent, ReactionRemovedEvent } from '@slack/types';
import type { AdapterDeps, RunningAdapter, StartAdapter } from '../types';
import type { Invocation } from '../../src/chat/command';
import type { Reply } from '../../src/chat/reply';
import { textReply } from '../../src/chat/reply';
import { createAnswerRecords } from '../../src/chat/answer-records';
import { ConfigError, UserError, errorMessage } from '../../src/errors';
import { dispatch } from '../../commands/kit/dispatch';
import { findCommand } from '../../commands/index';
import { handleReaction } from '../../commands/kit/reactions';
import { boltLogger } from './logger';
import { REQUEST_TIMEOUT_MS, slackApiUrl, webClientOptions } from './client';
import { SlackApiError, createPostMessage } from './post-message';
import { storeInstallations } from './installations';
import { createSlackPoster } from './poster';
import { within } from '../within';
import { OPEN_LINK_ACTION_PREFIX, renderReply } from './render';
import { commandInvocation, reactionEvent } from './translate';
import { createTurns } from './turns';

/**
 * Public answers started per turn of the event loop (turns.ts). From 1 to 16 all kept the ack p99
 * of a burst near the bare Bolt app's in bench/latency.ts (1.5-1.9x without a limit); 2 did best.
 */
const ANSWERS_PER_TURN = 2;

/** The bot token scopes the app uses; manifest.yaml lists exactly these (a test checks). */
export const SLACK_SCOPES = ['commands', 'chat:write', 'reactions:read', 'channels:history', 'groups:history', 'im:history', 'mpim:history'];

export interface SlackTuning {
  /**
   * How long a command may take to answer privately in the ack body; a slower private answer is
   * acked empty and sent via response_url. Public answers are acked empty either way. Slack allows 3 s.
   */
  answerInAckWithinMs: number;
  /** The Web API client's retries; RETRY_POLICY unless a test wants the same count with shorter waits. */
  retryConfig?: webApi.RetryOptions;
}

/** chat.postMessage errors meaning the bot may not post there (not invited, a DM with someone else). */
const CANNOT_POST_HERE = new Set(['not_in_channel', 'channel_not_found']);

const SOMETHING_WENT_WRONG = 'Something went wrong on our side. Please try again in a moment.';

export interface RunningSlack extends RunningAdapter {
  /** Where the HTTP endpoint listens (HTTP mode), e.g. for tests on an ephemeral port. */
  address: AddressInfo | null;
}

/**
 * Slack through Bolt. HTTP mode (signing secret; commands, events and interactivity on
 * POST /slack/events, plus GET /healthz) or Socket Mode when SLACK_APP_TOKEN is set; one workspace
 * with SLACK_BOT_TOKEN, or many through OAuth with installations kept in our store.
 */
export async function startSlack(deps: AdapterDeps, tuning: SlackTuning = { answerInAckWithinMs: 2000 }): Promise<RunningSlack> {
  const { config, services, log } = deps;
  const slack = config.slack;
  if (!slack) throw new ConfigError('Slack is not configured (set SLACK_BOT_TOKEN or SLACK_CLIENT_ID/SLACK_CLIENT_SECRET)');
  const oauth = !slack.botToken;
  if (oauth && !slack.stateSecret) throw new ConfigError('Slack OAuth needs SLACK_STATE_SECRET (a random string) to protect the install flow');
  const socketMode = Boolean(slack.appToken);

  const clientOptions = webClientOptions(slack, tuning.retryConfig);
  const postMessage = createPostMessage({ apiUrl: slackApiUrl(slack), timeoutMs: REQUEST_TIMEOUT_MS });
  const healthz: CustomRoute = {
    path: '/healthz',
    method: ['GET'],
    handler: (_req, res) => {
      const h = deps.healthz();
      res.writeHead(h.status, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(h.body);
    },
  };
  const installationStore = storeInstallations(services.store);
  // In Socket Mode only an OAuth install flow makes Bolt open an HTTP port; healthz rides along on it.
  const ownsHttpPort = !socketMode || oauth;

  const options: AppOptions = {
    logger: boltLogger(log),
    clientOptions,
    // Resolve the bot identity (auth.test) in init(), so a bad token fails the start, not the first event.
    deferInitialization: true,
    ...(oauth
      ? { clientId: slack.clientId!, clientSecret: slack.clientSecret!, stateSecret: slack.stateSecret!, scopes: SLACK_SCOPES, installationStore }
      : { token: slack.botToken! }),
    ...(socketMode
      ? {
          socketMode: true,
          appToken: slack.appToken!,
          // Socket Mode opens its connection with a client built from installerOptions.clientOptions.
          installerOptions: { clientOptions, port: config.http.port },
          customRoutes: ownsHttpPort ? [healthz] : [],
        }
      : { signingSecret: slack.signingSecret!, endpoints: '/slack/events', customRoutes: [healthz] }),
  };
  const app = new App(options);

  const answers = createAnswerRecords(services.store, log);
  const answerTurn = createTurns(ANSWERS_PER_TURN);
  const inFlight = new Set<Promise<unknown>>();
  const track = <T>(p: Promise<T>): Promise<T> => {
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p)).catch(() => {});
    return p;
  };

  app.error(async (err) => {
    log.error({ err: errorMessage(err), code: err.code }, 'slack handler failed');
  });

  // Any slash command of this app is ours: operators may rename /papers if their workspace has one.
  app.command(/^\/.+/, async ({ command, ack, respond, context }) => {
    await track(answerCommand(command, ack, respond, context.botToken));
  });

  /**
   * Private answers stay ephemeral: in the ack body when quick, else via response_url. Public ones
   * are posted with chat.postMessage, because only that returns a ts to record, so reactions on the
   * answer (🔖, keycaps on a list) resolve to its papers. A command that answers publicly is acked
   * before it runs: the ack would carry nothing anyway, and under a burst acks must not queue
   * behind answers (Slack shows the user an error after 3 s without one).
   */
  async function answerCommand(
    command: SlashCommand,
    ack: (r?: RespondArguments) => Promise<void>,
    respond: (r: RespondArguments) => Promise<unknown>,
    token: string | undefined,
  ): Promise<void> {
    const invocation = parseInvocation(command);
    const run = () => (isReply(invocation) ? Promise.resolve(invocation) : dispatch(invocation, services));
    let reply: Reply;
    if (expectedVisibility(invocation) === 'public') {
      await ack();
      // The answer waits for its turn, so the acks of a burst's other requests go out first.
      await answerTurn();
      reply = await run();
    } else {
      const answer = run();
      const early = await within(answer, tuning.answerInAckWithinMs);
      if (early?.visibility === 'private') return ack(asResponse(early));
      await ack();
      reply = early ?? (await answer);
    }
    if (reply.visibility === 'public' && token && (await postAnswer(command, reply, token))) return;
    await respond(asResponse(reply)).catch((err: unknown) =>
      log.warn({ err: errorMessage(err), channel: command.channel_id }, 'slack response_url post failed'),
    );
  }

  /** Posts a public answer into the command's channel and records it; false when it could not be posted. */
  async function postAnswer(command: SlashCommand, reply: Reply, token: string): Promise<boolean> {
    let ts: string;
    try {
      ({ ts } = await postMessage(token, { channel: command.channel_id, ...renderReply(reply), unfurl_links: false, unfurl_media: false }));
    } catch (err) {
      const error = slackError(err);
      // Slack lets the bot post only where it is a member; response_url works everywhere, without reactions.
      if (CANNOT_POST_HERE.has(error)) log.debug({ channel: command.channel_id, error }, 'slack answer sent via response_url: the bot cannot post in this channel');
      else log.warn({ channel: command.channel_id, error }, 'slack answer post failed; sending it via response_url');
      return false;
    }
    answers.add({ platform: 'slack', channelId: command.channel_id, messageId: ts, postedAt: services.now() }, reply);
    return true;
  }

  /**
   * The command as an Invocation, or the private answer when it cannot be one: what is wrong with
   * its text, or (a payload missing what Slack always sends) a generic line, logged.
   */
  function parseInvocation(command: SlashCommand): Invocation | Reply {
    try {
      return commandInvocation(command, slack!.admins);
    } catch (err) {
      if (err instanceof UserError) return textReply(err.message);
      log.error({ err: errorMessage(err), text: command.text }, 'slack command could not be read');
      return textReply(SOMETHING_WENT_WRONG);
    }
  }

  const onReaction = async (event: ReactionAddedEvent | ReactionRemovedEvent, client: webApi.WebClient) => {
    const ev = reactionEvent(event);
    // The answer reacted to may still wait for its record.
    if (ev) await answers.settle();
    const reply = ev && (await handleReaction(ev, services));
    if (!reply) return;
    await client.chat
      .postEphemeral({ channel: event.item.channel, user: event.user, ...renderReply(reply) })
      .catch((err: unknown) => log.warn({ err: errorMessage(err), channel: event.item.channel }, 'slack reaction confirmation failed'));
  };
  // Bolt's ignoreSelf middleware (on by default) already drops reactions made by the bot itself.
  app.event('reaction_added', ({ event, client }) => track(onReaction(event, client)));
  app.event('reaction_removed', ({ event, client }) => track(onReaction(event, client)));

  // The PDF/code buttons are links; Slack still reports the click and expects an ack.
  app.action(new RegExp(`^${OPEN_LINK_ACTION_PREFIX}`), async ({ ack }) => ack());

  try {
    await app.init();
  } catch (err) {
    throw new ConfigError(`Slack auth.test with SLACK_BOT_TOKEN failed: ${slackError(err)}`);
  }
  let address: AddressInfo | null = null;
  try {
    if (socketMode) await app.start();
    else address = ((await app.start({ port: config.http.port, host: config.http.host })) as Server).address() as AddressInfo;
  } catch (err) {
    const where = socketMode ? 'Slack Socket Mode could not connect (check SLACK_APP_TOKEN)' : `Slack cannot listen on ${config.http.host}:${config.http.port}`;
    throw new ConfigError(`${where}: ${slackError(err)}`);
  }
  log.info({ mode: socketMode ? 'socket' : 'http', oauth, address }, 'slack adapter started');

  return {
    platform: 'slack',
    ownsHttpPort,
    address,
    poster: createSlackPoster(deps, { retryConfig: tuning.retryConfig }),
    async stop() {
      await Promise.all([app.stop(), ...inFlight]);
      await answers.settle();
    },
  };
}

startSlack satisfies StartAdapter;


/** How the command usually answers; a command that cannot be read is answered privately. */
function expectedVisibility(invocation: Invocation | Reply): 'public' | 'private' {
  return isReply(invocation) ? 'private' : (findCommand(invocation.command)?.visibility ?? 'public');
}

const isReply = (x: Invocation | Reply): x is Reply => 'blocks' in x;

function asResponse(reply: Reply): RespondArguments {
  return { response_type: reply.visibility === 'public' ? 'in_channel' : 'ephemeral', ...renderReply(reply) };
}

function slackError(err: unknown): string {
  if (err instanceof SlackApiError) return err.code;
  const code = (err as { data?: { error?: unknown } }).data?.error;
  return typeof code === 'string' ? code : errorMessage(err);
}
