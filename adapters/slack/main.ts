import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  App,
  AuthorizationError,
  HTTPModuleFunctions,
  HTTPReceiver,
  SocketModeReceiver,
  type BlockAction,
  type Logger as BoltLogger,
  type webApi,
} from '@slack/bolt';
import type { ReactionAddedEvent, ReactionRemovedEvent } from '@slack/types';
import type { AdapterContext, ConnectedAdapter, HttpRoute } from '../../src/chat/adapter';
import type { Logger } from '../../src/log';
import { createReplayGuard } from '../../src/chat/replay-guard';
import type { ReplayRepository } from '../../src/store/types';
import { ConfigError, errorMessage } from '../../src/errors';
import { boltLogger } from './logger';
import { REQUEST_TIMEOUT_MS, rateLimited, slackApiUrl, webClientOptions } from './client';
import { SlackApiError, createPostMessage } from './post-message';
import { forgetWorkspace, storeInstallations } from './installations';
import { secretBoxOf } from '../../src/store/secret-box';
import { createSlackPoster } from './poster';
import { OPEN_LINK_ACTION_PREFIX, renderReply } from './render';
import type { SlackSettings } from './settings';
import { clickTransport, commandTransport } from './transport';
import { clickEvent, commandInvocation, reactionEvent } from './translate';
import { createTurns } from './turns';
import { publishHome } from './home';
import { slackThreads } from './threads';

/** Every action id but the link buttons' (which only need an ack): the bot's controls, and forged ones. */
const ANY_BUT_LINKS = new RegExp(`^(?!${OPEN_LINK_ACTION_PREFIX})`);

/**
 * Public answers started per turn of the event loop (turns.ts). From 1 to 16 all kept the ack p99
 * of a burst near the bare Bolt app's in bench/latency.ts (1.5-1.9x without a limit); 2 did best.
 */
const ANSWERS_PER_TURN = 2;

/** The bot token scopes the app uses; manifest.yaml lists exactly these (a test checks). */
export const SLACK_SCOPES = ['commands', 'chat:write', 'im:write', 'reactions:read', 'channels:history', 'groups:history', 'im:history', 'mpim:history'];

/** The events the app subscribes to; manifest.yaml lists exactly these (a test checks). */
export const SLACK_EVENTS = ['reaction_added', 'reaction_removed', 'app_home_opened', 'app_uninstalled', 'tokens_revoked'] as const;

/** Where Slack sends commands, events and interactivity in HTTP mode (manifest.yaml's request URLs). */
const EVENTS_PATH = '/slack/events';
const INSTALL_PATH = '/slack/install';
const REDIRECT_PATH = '/slack/oauth_redirect';

export interface SlackTuning {
  /**
   * How long a command may take to answer privately in the ack body; a slower private answer is
   * acked empty and sent via response_url. Public answers are acked empty either way. Slack allows 3 s.
   */
  answerInAckWithinMs: number;
  /** The Web API client's retries; RETRY_POLICY unless a test wants the same count with shorter waits. */
  retryConfig?: webApi.RetryOptions;
}

/**
 * Slack through Bolt. HTTP mode (signing secret; commands, events and interactivity on
 * POST /slack/events of the bot's HTTP server) or Socket Mode when SLACK_APP_TOKEN is set; one
 * workspace with SLACK_BOT_TOKEN, or many through OAuth (GET /slack/install and its redirect) with
 * installations kept in our store. Events go through the chat runtime; this file only connects.
 */
export async function startSlack(ctx: AdapterContext, slack: SlackSettings, tuning: SlackTuning = { answerInAckWithinMs: 2000 }): Promise<ConnectedAdapter> {
  const { services, log, runtime } = ctx;
  const oauth = !slack.botToken;
  const socketMode = Boolean(slack.appToken);
  const clientOptions = webClientOptions(slack, tuning.retryConfig);
  const logger = boltLogger(log);
  const installer = oauth
    ? {
        clientId: slack.clientId!,
        clientSecret: slack.clientSecret!,
        stateSecret: slack.stateSecret!,
        scopes: SLACK_SCOPES,
        installationStore: storeInstallations(services.store, secretBoxOf(services.config)),
      }
    : {};
  // installerOptions.clientOptions also carries SLACK_API_URL to the client Socket Mode connects with.
  const receiver = socketMode
    ? new SocketModeReceiver({
        appToken: slack.appToken!,
        logger,
        ...installer,
        installerOptions: { clientOptions },
        processEventErrorHandler: async ({ error, event }) => {
          if (!(error instanceof AuthorizationError)) return false;
          // No installation for this workspace: a command is answered (privately), anything else acked.
          await event.ack(isCommand(event.body) ? notInstalledAnswer(null) : undefined);
          return false;
        },
      })
    : new HTTPReceiver({
        signingSecret: slack.signingSecret!,
        endpoints: EVENTS_PATH,
        logger,
        ...installer,
        installerOptions: { clientOptions },
        processEventErrorHandler: async (args) => {
          const { error, request, response } = args;
          if (!(error instanceof AuthorizationError) || response.headersSent) return HTTPModuleFunctions.defaultProcessEventErrorHandler(args);
          // No installation for this workspace. A command gets the install link (privately, in the
          // ack); an event is acked so Slack does not retry it, or disable the app's events.
          const body = new URLSearchParams((request as { rawBody?: Buffer }).rawBody?.toString() ?? '');
          const answer = body.get('command') ? notInstalledAnswer(installPage(request.headers)) : null;
          response.writeHead(200, answer ? { 'content-type': 'application/json' } : {}).end(answer ? JSON.stringify(answer) : '');
          log.info({ event: 'slack_not_installed', team: body.get('team_id') }, 'a request from a workspace without an installation');
          return false;
        },
      });
  const app = new App({
    receiver,
    logger,
    clientOptions,
    // Resolve the bot identity (auth.test) in init(), so a bad token fails the start, not the first event.
    deferInitialization: true,
    ...(oauth ? {} : { token: slack.botToken! }),
  });

  const postMessage = createPostMessage({ apiUrl: slackApiUrl(slack), timeoutMs: REQUEST_TIMEOUT_MS, onRateLimited: rateLimited(services) });
  const nextTurn = createTurns(ANSWERS_PER_TURN);

  app.error(async (err) => {
    // The receiver answers these (processEventErrorHandler above): a workspace without an installation.
    if (err instanceof AuthorizationError) throw err;
    log.error({ err: errorMessage(err), code: err.code }, 'slack handler failed');
  });

  /**
   * The person's Home tab, published again because their bookmarks changed (it is not known whether
   * they ever opened it). Their workspace is the one the event names, as subscriptions record it.
   */
  const homeChanged = (client: webApi.WebClient, userId: string, workspaceId: string | undefined) => () =>
    void runtime.background('slack home tab', () => publishHome(services, client, { userId, workspaceId: workspaceId ?? null }));

  // Any slash command of this app is ours: operators may rename /papers if their workspace has one.
  app.command(/^\/.+/, ({ command, ack, respond, context, client }) =>
    runtime.command(() => commandInvocation(command, slack.admins), {
      ...commandTransport({ command, ack, respond, token: context.botToken }, { answerInAckWithinMs: tuning.answerInAckWithinMs, postMessage, nextTurn, log }),
      callerChanged: homeChanged(client, command.user_id, command.team_id),
    }),
  );

  const onReaction = async (event: ReactionAddedEvent | ReactionRemovedEvent, client: webApi.WebClient, workspaceId: string | undefined) => {
    const ev = reactionEvent(event);
    if (!ev) return;
    await runtime.reaction(ev, {
      confirm: (reply) =>
        client.chat.postEphemeral({ channel: event.item.channel, user: event.user, ...renderReply(reply) }).then(
          () => {},
          (err: unknown) => log.warn({ err: errorMessage(err), channel: event.item.channel }, 'slack reaction confirmation failed'),
        ),
      callerChanged: homeChanged(client, event.user, workspaceId),
    });
  };
  // Bolt's ignoreSelf middleware (on by default) already drops reactions made by the bot itself.
  app.event('reaction_added', ({ event, client, body }) => onReaction(event, client, body.team_id));
  app.event('reaction_removed', ({ event, client, body }) => onReaction(event, client, body.team_id));

  // The bot's buttons and pickers (block_actions): acked at once, answered privately by the runtime.
  // Any other action id is a forged or stale one: answered privately too (src/chat/controls.ts says
  // it is not the bot's), rather than left to time out unanswered.
  app.action<BlockAction>(ANY_BUT_LINKS, ({ ack, body, action, respond, client, context }) => {
    const channelId = body.channel?.id ?? null;
    const workspaceId = body.team?.id ?? body.user.team_id;
    const token = context.botToken;
    return runtime
      .click(
        () => clickEvent(body, action),
        clickTransport(
          { ack: () => ack(), respond: body.response_url ? respond : undefined, client, channelId, userId: body.user.id },
          {
            threads: slackThreads({
              postMessage,
              client,
              tokenFor: async () => {
                if (!token) throw new Error('Bolt gave no bot token for this workspace');
                return token;
              },
            }),
            log,
            callerChanged: homeChanged(client, body.user.id, workspaceId),
          },
        ),
      )
      .then(() => {});
  });

  app.event('app_home_opened', ({ event, client, body }) =>
    event.tab === 'home'
      ? runtime.background('slack home tab', () => publishHome(services, client, { userId: event.user, workspaceId: body.team_id ?? null }))
      : Promise.resolve(),
  );

  // Bolt skips authorization for these two, so they arrive even once the installation is gone.
  const uninstalled = (why: string, teamId: string | undefined) => async () => {
    if (!teamId) return;
    const { removed, paused } = await forgetWorkspace(services.store, { teamId });
    log.info({ event: 'slack_uninstalled', why, team: teamId, installationRemoved: removed, subscriptionsPaused: paused }, 'slack workspace uninstalled');
  };
  app.event('app_uninstalled', ({ body }) => uninstalled('app_uninstalled', body.team_id)());
  app.event('tokens_revoked', ({ event, body }) => ((event.tokens.bot ?? []).length > 0 ? uninstalled('tokens_revoked', body.team_id)() : Promise.resolve()));

  // The PDF/code buttons are links; Slack still reports the click and expects an ack.
  app.action(new RegExp(`^${OPEN_LINK_ACTION_PREFIX}`), async ({ ack }) => ack());

  try {
    await app.init();
  } catch (err) {
    throw new ConfigError(`Slack auth.test with SLACK_BOT_TOKEN failed: ${slackError(err)}`);
  }
  if (receiver instanceof SocketModeReceiver) {
    try {
      // The client alone: the receiver's start() would also open an HTTP server of its own for OAuth.
      await receiver.client.start();
    } catch (err) {
      throw new ConfigError(`Slack Socket Mode could not connect (check SLACK_APP_TOKEN): ${slackError(err)}`);
    }
  }
  log.info({ mode: socketMode ? 'socket' : 'http', oauth }, 'slack adapter started');

  return {
    poster: createSlackPoster(ctx, slack, { retryConfig: tuning.retryConfig }),
    routes:
      receiver instanceof HTTPReceiver
        ? httpRoutes(receiver, oauth, { logger, log, signingSecret: slack.signingSecret!, replays: services.store.replays })
        : oauthRoutes(receiver),
    async close() {
      if (receiver instanceof SocketModeReceiver) await receiver.client.disconnect();
    },
  };
}

/**
 * Slack's window for a signed request: Bolt refuses one whose timestamp is older than 5 minutes, and
 * accepts any newer one, so a copy is remembered until its own timestamp is that old, plus a minute
 * for clocks that differ.
 */
const REPLAY_WINDOW_MS = 6 * 60_000;

/**
 * HTTP mode: Bolt's receiver handles its paths (it checks each request's signature and age). A
 * validly signed request is also checked against the ones already seen, in the store so every
 * replica agrees: Slack's signature has a timestamp but no nonce, so a copy replayed within the
 * five minutes would pass Bolt alone.
 */
function httpRoutes(
  receiver: HTTPReceiver,
  oauth: boolean,
  deps: { logger: BoltLogger; log: Logger; signingSecret: string; replays: ReplayRepository },
): HttpRoute[] {
  const { logger } = deps;
  const guard = createReplayGuard({ ...deps, platform: 'slack' });
  const pass = (req: IncomingMessage, res: ServerResponse) => {
    try {
      receiver.requestListener(req, res);
    } catch (error) {
      HTTPModuleFunctions.defaultDispatchErrorHandler({ error: error as Error, logger, request: req, response: res });
    }
  };
  const events: HttpRoute = {
    method: 'POST',
    path: EVENTS_PATH,
    async handle(req, res) {
      const signature = req.headers['x-slack-signature'];
      /** The signature, once Bolt has verified it. */
      let verified: string | null = null;
      try {
        // Buffers the body (Bolt reuses it) and throws for a bad signature, which Bolt then answers.
        await HTTPModuleFunctions.parseAndVerifyHTTPRequest({ signingSecret: deps.signingSecret, bodyLimit: HTTPModuleFunctions.defaultBodyLimit }, req);
        verified = typeof signature === 'string' ? signature : null;
      } catch (err) {
        // A body that could not be read cannot be read again by Bolt: answered here, as Bolt would.
        if (HTTPModuleFunctions.isRawBodyError(err)) {
          res.writeHead((err as { statusCode?: number }).statusCode === 413 ? 413 : 400).end();
          return;
        }
      }
      if (verified !== null) {
        const signedAt = Number(req.headers['x-slack-request-timestamp']);
        const expiresAt = new Date(Math.max(signedAt * 1000, Date.now()) + REPLAY_WINDOW_MS);
        // Slack's signature is `v0=` and the HMAC's hex digits.
        if (!(await guard.firstTime({ signedAt, signature: verified.replace(/^v\d+=/, '') }, expiresAt))) {
          deps.log.warn({ event: 'slack_replay_refused', timestamp: req.headers['x-slack-request-timestamp'] }, 'a replayed Slack request was refused');
          res.writeHead(401).end();
          return;
        }
      }
      pass(req, res);
    },
  };
  const page = (path: string): HttpRoute => ({ method: 'GET', path, handle: pass });
  return oauth ? [events, page(INSTALL_PATH), page(REDIRECT_PATH)] : [events];
}

/** Socket Mode with OAuth: the install flow still needs a page and a redirect on the bot's HTTP port. */
function oauthRoutes(receiver: SocketModeReceiver): HttpRoute[] {
  const { installer } = receiver;
  if (!installer) return [];
  return [
    { method: 'GET', path: INSTALL_PATH, handle: (req, res) => installer.handleInstallPath(req, res, {}, { scopes: SLACK_SCOPES }) },
    { method: 'GET', path: REDIRECT_PATH, handle: (req, res) => installer.handleCallback(req, res) },
  ];
}

function isCommand(body: unknown): boolean {
  return typeof (body as { command?: unknown } | null)?.command === 'string';
}

/** Where the install page is, as the request reached us (a proxy in front says the scheme); null when unknown. */
function installPage(headers: IncomingMessage['headers']): string | null {
  const host = headers['x-forwarded-host'] ?? headers.host;
  if (typeof host !== 'string' || !/^[\w.-]+(:\d+)?$/.test(host)) return null;
  const proto = headers['x-forwarded-proto'] === 'http' ? 'http' : 'https';
  return `${proto}://${host}${INSTALL_PATH}`;
}

function notInstalledAnswer(installUrl: string | null) {
  const how = installUrl ? `<${installUrl}|install it>` : `ask whoever runs the bot for its install page (${INSTALL_PATH})`;
  return { response_type: 'ephemeral', text: `Papers is not installed in this workspace yet: ${how}, then try again.` };
}

function slackError(err: unknown): string {
  if (err instanceof SlackApiError) return err.code;
  const code = (err as { data?: { error?: unknown } }).data?.error;
  return typeof code === 'string' ? code : errorMessage(err);
}
