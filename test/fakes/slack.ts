import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocketServer, type WebSocket } from 'ws';
import { take, type LimitWindow } from './limit-window';

/**
 * A loopback stand-in for Slack: the Web API methods the bot calls (point SLACK_API_URL at `apiUrl`)
 * and `response_url` endpoints, recording every request so tests can assert what reached "Slack";
 * Socket Mode's websocket (apps.connections.open hands out its `ws://` URL). Plus helpers that sign
 * requests to the bot exactly as Slack does.
 */

export interface FakeCall {
  method: string;
  /** Bearer token of the call, if any. */
  token: string | null;
  /** Parsed body; JSON-encoded form fields (blocks, metadata) are decoded. */
  body: Record<string, unknown>;
}

export interface FakeMessage {
  ts: string;
  channel: string;
  text: string;
  blocks: unknown[];
  metadata: { event_type: string; event_payload: Record<string, unknown> } | null;
  /** A reply: the ts of the message whose thread it is in. */
  thread_ts?: string;
}

export interface FakeSlack {
  /** Base URL ending in `/api/`, as SLACK_API_URL. */
  apiUrl: string;
  /** A fresh response_url on this server. */
  responseUrl(id: string): string;
  /** Every Web API call, in order. */
  calls: FakeCall[];
  /** Every POST to a response_url, in order. */
  responses: { id: string; body: Record<string, unknown> }[];
  /** Messages posted with chat.postMessage (and edited with chat.update), per channel, oldest first. */
  messages: Map<string, FakeMessage[]>;
  /** The bot identity auth.test reports. */
  bot: { userId: string; botId: string; teamId: string };
  /** Each user's Home tab as last published with views.publish. */
  homes: Map<string, { type: string; blocks: unknown[] }>;
  callsTo(method: string): FakeCall[];
  /** Makes the next call(s) to method answer `{ ok: false, error }` (or HTTP status when a number). */
  failNext(method: string, error: string | number, times?: number): void;
  /**
   * Makes the next call(s) to method take effect at once (a message is stored) but answer only after
   * ms: what a client that times out first sees of a request that landed.
   */
  delayNext(method: string, ms: number, times?: number): void;
  /** Resolves once `count` calls to method have arrived in all (at once if they already have). */
  waitForCalls(method: string, count?: number): Promise<FakeCall[]>;
  /** Resolves at the next response_url POST (or at once if one arrived since the last wait). */
  nextResponse(): Promise<{ id: string; body: Record<string, unknown> }>;
  /** Socket Mode clients connected now (each was sent `hello`). */
  socketClients(): number;
  /**
   * Sends a Socket Mode envelope (`slash_commands` with the command as payload, `events_api` with the
   * event_callback body) to the connected client; resolves with the payload of its ack.
   */
  sendEnvelope(type: 'slash_commands' | 'events_api', payload: object): Promise<Record<string, unknown>>;
  /** chat.postMessage calls answered 429 because of rateLimits. */
  readonly rateLimited: number;
  /** Of those, the ones over `workspaceMessages`, by the window they fell in (0: the first; a window with none is empty). */
  readonly workspaceLimited: readonly number[];
  /** conversations.open calls answered 429 because of rateLimits. */
  readonly openRateLimited: number;
  /**
   * Users conversations.open refuses, with the error Slack documents for them (`user_not_found`,
   * `user_disabled`, …); the bot's own user is refused with `cannot_dm_bot` as Slack does.
   */
  unreachableUsers: Map<string, string>;
  close(): Promise<void>;
}

export interface FakeSlackOptions {
  /**
   * Enforce Slack's chat.postMessage limit (bench/fanout.ts): one message per channel per interval;
   * a faster one gets HTTP 429 with Retry-After in whole seconds, as Slack answers. With
   * `conversationsOpenPerMinute`, conversations.open too: it is a Tier 3 method, "50+ per minute"
   * per app per workspace (docs.slack.dev/apis/web-api/rate-limits; its reference page names the
   * tier), counted here in fixed one-minute windows opened by the first call after the last closed.
   * With `workspaceMessages`, chat.postMessage is also limited per token (workspace): `limit`
   * messages per window of `windowMs`, counted alike. Slack limits an app's messages to a workspace
   * to "several hundred per minute" and publishes no number; tests pick theirs.
   */
  rateLimits?: {
    postMessageIntervalMs: number;
    conversationsOpenPerMinute?: number;
    workspaceMessages?: { limit: number; windowMs: number };
  };
}

/**
 * Fixed windows by key (limit-window.ts): the wait in ms when over the limit, else 0 (and counted),
 * and the window it fell in (0 for the key's first).
 */
function fixedWindows(limit: number, windowMs: number) {
  const windows = new Map<string, LimitWindow>();
  return (key: string): { wait: number; window: number } => {
    let w = windows.get(key);
    if (!w) windows.set(key, (w = { count: 0, endsAt: 0 }));
    const counted = take(w, limit, windowMs, Date.now());
    return { wait: counted.ok ? 0 : counted.resetAfterMs, window: w.opened! - 1 };
  };
}

/** Web API methods whose form fields carry JSON. */
const JSON_FIELDS = ['blocks', 'attachments', 'metadata', 'view'];

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString('utf8');
  if (raw === '') return {};
  if ((req.headers['content-type'] ?? '').includes('application/json')) return JSON.parse(raw) as Record<string, unknown>;
  const body: Record<string, unknown> = Object.fromEntries(new URLSearchParams(raw));
  for (const field of JSON_FIELDS) if (typeof body[field] === 'string') body[field] = JSON.parse(body[field] as string);
  return body;
}

export async function startFakeSlack(opts: FakeSlackOptions = {}): Promise<FakeSlack> {
  const lastPostAt = new Map<string, number>();
  let rateLimited = 0;
  let openRateLimited = 0;
  const workspaceLimited: number[] = [];
  const perMinute = opts.rateLimits?.conversationsOpenPerMinute;
  const openWindows = perMinute ? fixedWindows(perMinute, 60_000) : null;
  const workspace = opts.rateLimits?.workspaceMessages;
  const workspaceWindows = workspace ? fixedWindows(workspace.limit, workspace.windowMs) : null;
  const calls: FakeCall[] = [];
  const responses: FakeSlack['responses'] = [];
  const messages = new Map<string, FakeMessage[]>();
  const failures = new Map<string, (string | number)[]>();
  const delays = new Map<string, number[]>();
  const bot = { userId: 'UBOT00001', botId: 'BBOT00001', teamId: 'T0FAKE001' };
  const homes = new Map<string, { type: string; blocks: unknown[] }>();
  const unreachableUsers = new Map<string, string>();
  // Like Slack's, a message ts is the server's time (so `oldest` filters as it would), unique and increasing.
  let clock = 0;
  let seq = 0;
  const nextTs = () => {
    clock = Math.max(clock + 1, Math.floor(Date.now() / 1000));
    return `${clock}.${String(++seq).padStart(6, '0')}`;
  };
  let responseWaiters: ((r: FakeSlack['responses'][number]) => void)[] = [];
  let unclaimedResponses = 0;
  let callWaiters: { method: string; count: number; resolve: (calls: FakeCall[]) => void }[] = [];
  const callsTo = (method: string) => calls.filter((c) => c.method === method);
  const settleCallWaiters = () => {
    callWaiters = callWaiters.filter((w) => {
      const done = callsTo(w.method).length >= w.count;
      if (done) w.resolve(callsTo(w.method));
      return !done;
    });
  };

  /**
   * Where a message to `channel` goes: a user's id (U…, W…) stands for their IM with the bot, as
   * chat.postMessage takes it, and the IM is the one conversations.open returns (`D` + the id's tail).
   */
  const conversationOf = (channel: string) => (/^[UW]/.test(channel) ? `D${channel.slice(1)}` : channel);
  /** Why Slack refuses a direct message to this user, if it does. */
  const dmRefusal = (user: string) => (user === bot.userId ? 'cannot_dm_bot' : unreachableUsers.get(user));

  function api(method: string, body: Record<string, unknown>): Record<string, unknown> {
    const channel = conversationOf(String(body.channel ?? ''));
    switch (method) {
      case 'auth.test':
        return { ok: true, url: 'https://fake.slack.test/', team: 'Fake', user: 'papers', team_id: bot.teamId, user_id: bot.userId, bot_id: bot.botId };
      case 'chat.postMessage': {
        const refusal = channel !== body.channel ? dmRefusal(String(body.channel)) : undefined;
        if (refusal) return { ok: false, error: refusal };
        const message: FakeMessage = {
          ts: nextTs(),
          channel,
          text: String(body.text ?? ''),
          blocks: (body.blocks as unknown[] | undefined) ?? [],
          metadata: (body.metadata as FakeMessage['metadata'] | undefined) ?? null,
          ...(typeof body.thread_ts === 'string' ? { thread_ts: body.thread_ts } : {}),
        };
        messages.set(channel, [...(messages.get(channel) ?? []), message]);
        return { ok: true, channel, ts: message.ts, message: { text: message.text, ts: message.ts } };
      }
      case 'conversations.replies': {
        // The parent first, then its replies, oldest first.
        const withMetadata = body.include_all_metadata === true || body.include_all_metadata === 'true';
        const thread = (messages.get(channel) ?? []).filter((m) => m.ts === body.ts || m.thread_ts === body.ts);
        if (thread.length === 0) return { ok: false, error: 'thread_not_found' };
        return {
          ok: true,
          has_more: false,
          messages: thread.map((m) => ({
            type: 'message',
            ts: m.ts,
            text: m.text,
            ...(m.thread_ts ? { thread_ts: m.thread_ts } : {}),
            ...(withMetadata && m.metadata ? { metadata: m.metadata } : {}),
          })),
        };
      }
      case 'views.publish': {
        const view = (typeof body.view === 'string' ? JSON.parse(body.view) : body.view) as { type: string; blocks: unknown[] };
        if (view?.type !== 'home' || !Array.isArray(view.blocks)) return { ok: false, error: 'invalid_arguments' };
        if (view.blocks.length > 100) return { ok: false, error: 'invalid_blocks' };
        homes.set(String(body.user_id), view);
        return { ok: true, view: { id: `V${String(body.user_id)}`, type: 'home', blocks: view.blocks } };
      }
      case 'chat.update': {
        const message = messages.get(channel)?.find((m) => m.ts === body.ts);
        if (!message) return { ok: false, error: 'message_not_found' };
        message.text = String(body.text ?? message.text);
        message.blocks = (body.blocks as unknown[] | undefined) ?? message.blocks;
        return { ok: true, channel, ts: message.ts };
      }
      case 'conversations.open': {
        // The one IM channel with a user, the same on every call (`D` + the user id's tail).
        const user = String(body.users ?? '');
        const refusal = dmRefusal(user);
        if (refusal) return { ok: false, error: refusal };
        return { ok: true, channel: { id: conversationOf(user) } };
      }
      case 'apps.connections.open':
        return { ok: true, url: `${socketUrl}?ticket=fake-ticket` };
      case 'chat.postEphemeral':
        return { ok: true, message_ts: nextTs() };
      case 'conversations.history': {
        const withMetadata = body.include_all_metadata === true || body.include_all_metadata === 'true';
        const limit = Number(body.limit ?? 100);
        // As Slack: newest first, only after `oldest` (a ts), a page at a time behind `cursor`.
        const oldest = Number(body.oldest ?? 0);
        const from = Number(body.cursor ? Buffer.from(String(body.cursor), 'base64').toString() : 0);
        const all = [...(messages.get(channel) ?? [])].reverse().filter((m) => Number(m.ts) > oldest);
        const newestFirst = all.slice(from, from + limit);
        const more = from + limit < all.length;
        return {
          ok: true,
          has_more: more,
          ...(more ? { response_metadata: { next_cursor: Buffer.from(String(from + limit)).toString('base64') } } : {}),
          messages: newestFirst.map((m) => ({
            type: 'message',
            ts: m.ts,
            text: m.text,
            ...(withMetadata && m.metadata ? { metadata: m.metadata } : {}),
          })),
        };
      }
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }

  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const body = await readBody(req);
      const reply = (status: number, json: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(json));
      };
      if (url.pathname.startsWith('/response/')) {
        const entry = { id: decodeURIComponent(url.pathname.slice('/response/'.length)), body };
        responses.push(entry);
        const waiter = responseWaiters.shift();
        if (waiter) waiter(entry);
        else unclaimedResponses++;
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('ok');
        return;
      }
      if (!url.pathname.startsWith('/api/')) return reply(404, { ok: false, error: 'not_found' });
      const method = url.pathname.slice('/api/'.length);
      const auth = req.headers.authorization;
      const token = auth?.startsWith('Bearer ') ? auth.slice(7) : typeof body.token === 'string' ? body.token : null;
      calls.push({ method, token, body });
      /** Answers 429 with Retry-After in whole seconds, as Slack does. */
      const limited = (waitMs: number) => {
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': String(Math.ceil(waitMs / 1000)) });
        res.end(JSON.stringify({ ok: false, error: 'ratelimited' }));
        settleCallWaiters();
      };
      if (method === 'conversations.open' && openWindows) {
        const { wait } = openWindows('');
        if (wait > 0) {
          openRateLimited += 1;
          return limited(wait);
        }
      }
      if (method === 'chat.postMessage' && opts.rateLimits) {
        const channel = conversationOf(String(body.channel ?? ''));
        const channelWait = (lastPostAt.get(channel) ?? -Infinity) + opts.rateLimits.postMessageIntervalMs - Date.now();
        // The workspace's window counts only messages the channel's limit lets through.
        const inWorkspace = channelWait > 0 ? null : workspaceWindows?.(token ?? '');
        const wait = channelWait > 0 ? channelWait : (inWorkspace?.wait ?? 0);
        if (wait > 0) {
          rateLimited += 1;
          if (inWorkspace) workspaceLimited[inWorkspace.window] = (workspaceLimited[inWorkspace.window] ?? 0) + 1;
          return limited(wait);
        }
        lastPostAt.set(channel, Date.now());
      }
      const failure = failures.get(method)?.shift();
      if (typeof failure === 'number') reply(failure, { ok: false, error: 'fake_http_error' });
      else if (failure !== undefined) reply(200, { ok: false, error: failure });
      else {
        const answer = api(method, body);
        const delay = delays.get(method)?.shift();
        if (delay !== undefined) {
          settleCallWaiters();
          await sleep(delay);
        }
        reply(200, answer);
      }
      settleCallWaiters();
    })().catch((err: unknown) => {
      res.writeHead(500);
      res.end(String(err));
    });
  });
  // Socket Mode: Slack says hello on connect, then sends envelopes the app acks by envelope_id.
  const wss = new WebSocketServer({ server, path: '/socket-mode' });
  const sockets = new Set<WebSocket>();
  const pendingAcks = new Map<string, (payload: Record<string, unknown>) => void>();
  let envelopes = 0;
  wss.on('connection', (ws) => {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    ws.on('message', (data) => {
      const ack = JSON.parse(String(data)) as { envelope_id?: string; payload?: Record<string, unknown> };
      const waiter = ack.envelope_id ? pendingAcks.get(ack.envelope_id) : undefined;
      pendingAcks.delete(ack.envelope_id ?? '');
      waiter?.(ack.payload ?? {});
    });
    ws.send(JSON.stringify({ type: 'hello', num_connections: sockets.size, debug_info: { host: 'fake-slack' }, connection_info: { app_id: 'AFAKE0001' } }));
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const socketUrl = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/socket-mode`;

  return {
    apiUrl: `${base}/api/`,
    responseUrl: (id) => `${base}/response/${encodeURIComponent(id)}`,
    calls,
    responses,
    messages,
    bot,
    homes,
    unreachableUsers,
    callsTo,
    get rateLimited() {
      return rateLimited;
    },
    get openRateLimited() {
      return openRateLimited;
    },
    workspaceLimited,
    failNext(method, error, times = 1) {
      failures.set(method, [...(failures.get(method) ?? []), ...Array<string | number>(times).fill(error)]);
    },
    delayNext(method, ms, times = 1) {
      delays.set(method, [...(delays.get(method) ?? []), ...Array<number>(times).fill(ms)]);
    },
    waitForCalls(method, count = 1) {
      return new Promise((resolve) => {
        callWaiters.push({ method, count, resolve });
        settleCallWaiters();
      });
    },
    nextResponse() {
      if (unclaimedResponses > 0) {
        unclaimedResponses--;
        return Promise.resolve(responses[responses.length - 1 - unclaimedResponses]!);
      }
      return new Promise((resolve) => responseWaiters.push(resolve));
    },
    socketClients: () => sockets.size,
    sendEnvelope(type, payload) {
      const [ws] = sockets;
      if (!ws) return Promise.reject(new Error('no Socket Mode client is connected'));
      const envelopeId = `envelope-${++envelopes}`;
      return new Promise((resolve) => {
        pendingAcks.set(envelopeId, resolve);
        ws.send(
          JSON.stringify({
            envelope_id: envelopeId,
            type,
            payload,
            accepts_response_payload: type === 'slash_commands',
            ...(type === 'events_api' ? { retry_attempt: 0, retry_reason: '' } : {}),
          }),
        );
      });
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        responseWaiters = [];
        callWaiters = [];
        pendingAcks.clear();
        for (const ws of sockets) ws.terminate();
        wss.close();
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

/** `X-Slack-Signature` for a body: `v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{body}` with the signing secret. */
export function slackSignature(signingSecret: string, timestamp: number | string, body: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

/** The headers Slack sends with a request body (timestamp defaults to now). */
export function signedHeaders(signingSecret: string, body: string, opts: { timestamp?: number; contentType?: string } = {}): Record<string, string> {
  const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
  return {
    'content-type': opts.contentType ?? 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': slackSignature(signingSecret, timestamp, body),
  };
}

/**
 * POSTs to the bot as Slack would: slash commands and interactivity form-encoded, Events API as
 * JSON, signed with the secret (or with `opts.signature` to test forgeries). Returns status and body.
 */
export async function sendToBot(
  url: string,
  signingSecret: string,
  payload: { form: Record<string, string> } | { json: object },
  opts: { timestamp?: number; signature?: string } = {},
): Promise<{ status: number; text: string }> {
  const isForm = 'form' in payload;
  const body = isForm ? new URLSearchParams(payload.form).toString() : JSON.stringify(payload.json);
  const headers = signedHeaders(signingSecret, body, {
    timestamp: opts.timestamp,
    contentType: isForm ? 'application/x-www-form-urlencoded' : 'application/json',
  });
  if (opts.signature) headers['x-slack-signature'] = opts.signature;
  const res = await fetch(url, { method: 'POST', headers, body });
  return { status: res.status, text: await res.text() };
}
