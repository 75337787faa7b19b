import { generateKeyPairSync, sign } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { WebSocketServer, type WebSocket } from 'ws';
import { readFixture } from '../helpers/fixtures';
import { take, type LimitWindow } from './limit-window';

/**
 * A loopback Discord for end-to-end tests: REST under /api/v10 and a gateway websocket speaking the
 * real protocol, with the payloads from the platform fixtures (test/fixtures/platform). The real discord.js client
 * talks to it through `rest: { api: fake.apiUrl }`; the gateway address comes from GET /gateway/bot,
 * as it does against discord.com. Every REST request is recorded for assertions.
 */

export interface RecordedRequest {
  method: string;
  /** Path below /api/v10, e.g. `/channels/123/messages`. */
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  /** Parsed JSON body (for multipart bodies: payload_json), or null. */
  body: any;
  /** Names of files sent as multipart attachments. */
  files: { name: string; content: string }[];
  /** The status the fake answered with. */
  status: number;
  /** performance.now() when the request had fully arrived (latency benchmarks). */
  receivedAt: number;
}

export interface FakeMessage {
  id: string;
  channel_id: string;
  content: string;
  embeds: unknown[];
  /** Action rows of buttons and select menus. */
  components: Json[];
  nonce?: string | number;
  /** CROSSPOSTED (1 << 0) once published; EPHEMERAL (1 << 6) for private answers. */
  flags: number;
  /** An interaction's response: which interaction it answers, as Discord reports it. */
  interaction_metadata?: { id: string; type: number; user: Json; authorizing_integration_owners: Json };
}

/** A thread channel: started from a message (its id is the message's), or a forum post (its id is its first message's). */
export interface FakeThread {
  id: string;
  parent_id: string;
  name: string;
  owner_id: string;
  applied_tags: string[];
  /** Discord's type: 11, a public thread. */
  type: 11;
}

/** A click on a message's button, or a select menu's choice with `values`. */
export interface ClickInput {
  messageId: string;
  customId: string;
  values?: string[];
  userId?: string;
  username?: string;
  channelId?: string;
  /** What the bot may do in the channel (decimal bits); by default everything. */
  appPermissions?: string;
}

/** A command's options by name; a channel option comes with the invoking member's permissions there. */
export type CommandOptions = Record<string, string | number | boolean | { channel: string; permissions: bigint }>;

/** Who sends a command, and from where (by default the fixture's member, in the first channel). */
export interface CommandCaller {
  userId?: string;
  username?: string;
  permissions?: bigint;
  channelId?: string;
  dm?: boolean;
}

export interface FakeForum {
  id: string;
  /** The forum's available tags. */
  tags: { id: string; name: string }[];
}

export interface FakeDiscordOptions {
  applicationId?: string;
  guildId?: string;
  /** Text channels of the guild, sent in GUILD_CREATE. */
  channelIds?: string[];
  /** Announcement channels (type 5), whose messages can be crossposted. */
  announcementChannelIds?: string[];
  /** Forum channels (type 15): every post is a thread of its own. */
  forums?: FakeForum[];
  /**
   * More guilds, one text channel each. Each gateway connection gets the guilds of its shard
   * (identify's [shard_id, num_shards]), by (guild_id >> 22) % num_shards as on Discord, and only
   * their events.
   */
  extraGuilds?: { id: string; channelId: string }[];
  /** What GET /gateway/bot recommends. */
  recommendedShards?: number;
  /** GET /gateway/bot's max_concurrency: shards that may identify together (discord.js waits 5 s between groups). */
  maxConcurrency?: number;
  /**
   * Enforce Discord's rate limits (bench/fanout.ts): requests per second for the whole bot, and
   * messages per channel per window. Windows open at the first request after the last one closed.
   * Interaction callbacks are exempt from the global limit, as on Discord.
   */
  rateLimits?: { globalPerSecond: number; channelMessages: { limit: number; windowMs: number } };
  /**
   * How long a nonce is remembered for enforce_nonce. Discord checks "the past few minutes", so a
   * re-send after that creates a second message; the default keeps the short end of that, 2 minutes.
   */
  nonceTtlMs?: number;
}

/** The short end of Discord's "few minutes" of nonce memory. */
export const DEFAULT_NONCE_TTL_MS = 120_000;

const seconds = (ms: number) => (ms / 1000).toFixed(3);

type Json = Record<string, any>;

const fixture = (name: string): Json => JSON.parse(readFixture(`platform/${name}`));

/** Every permission bit Discord defines today (as app_permissions says of an administrator). */
const ALL_PERMISSIONS = String((1n << 51n) - 1n);

/** Snowflakes that sort by creation, as Discord's do. */
let lastSnowflake = 1_300_000_000_000_000_000n;
function snowflake(): string {
  lastSnowflake += 1n;
  return lastSnowflake.toString();
}

export async function startFakeDiscord(opts: FakeDiscordOptions = {}) {
  const ready = fixture('discord-ready-constructed.json');
  const applicationId = opts.applicationId ?? (ready.d.application.id as string);
  const guildId = opts.guildId ?? (ready.d.guilds[0].id as string);
  const channelIds = opts.channelIds ?? ['645027906669510667'];
  const announcementIds = opts.announcementChannelIds ?? [];
  const forums = opts.forums ?? [];
  const extraGuilds = opts.extraGuilds ?? [];
  const botUser = { ...ready.d.user, id: applicationId };
  const nonceTtlMs = opts.nonceTtlMs ?? DEFAULT_NONCE_TTL_MS;
  /** Time moved on by elapse(), so tests need not wait out the nonce's memory. */
  let elapsed = 0;
  const clock = () => Date.now() + elapsed;
  /** When each message was created by a POST, for nonce expiry. */
  const createdAt = new Map<string, number>();
  const threads = new Map<string, FakeThread>();
  /** Channels where the bot lacks Create Public Threads: starting a thread answers 403 Missing Permissions. */
  const noThreadCreation = new Set<string>();
  /** Channels where the bot lacks Send Messages in Threads: posting into their threads answers 403. */
  const noThreadMessages = new Set<string>();
  /** A message channel's type as Discord names it: text 0, announcement 5, forum 15, public thread 11. */
  function channelType(id: string): number | null {
    if (channelIds.includes(id) || extraGuilds.some((g) => g.channelId === id)) return 0;
    if (announcementIds.includes(id)) return 5;
    if (forums.some((f) => f.id === id)) return 15;
    if (threads.has(id)) return 11;
    return null;
  }
  function channelObject(id: string): Json {
    const type = channelType(id);
    const thread = threads.get(id);
    const forum = forums.find((f) => f.id === id);
    return {
      id,
      type,
      guild_id: extraGuilds.find((g) => g.channelId === id)?.id ?? guildId,
      name: thread?.name ?? `channel-${id}`,
      position: 0,
      permission_overwrites: [],
      nsfw: false,
      parent_id: thread?.parent_id ?? null,
      ...(thread
        ? {
            owner_id: thread.owner_id,
            applied_tags: thread.applied_tags,
            thread_metadata: { archived: false, auto_archive_duration: 1440, archive_timestamp: new Date().toISOString(), locked: false },
            message_count: 0,
            member_count: 1,
          }
        : {}),
      ...(forum ? { available_tags: forum.tags.map((t) => ({ ...t, moderated: false, emoji_id: null, emoji_name: null })), flags: 0 } : {}),
    };
  }

  const requests: RecordedRequest[] = [];
  /** The application's key pair: Discord signs HTTP interactions with it. */
  const keys = generateKeyPairSync('ed25519');
  /** Where interactions go instead of the gateway, once the bot sets an Interactions Endpoint URL. */
  let interactionsEndpoint: string | null = null;
  const messages = new Map<string, FakeMessage>();
  /** Users whose DMs are closed: sending to their DM channel answers 50007. */
  const closedDms = new Set<string>();
  /** Channels the bot cannot see: 403 Missing Access. */
  const forbiddenChannels = new Set<string>();
  const dmChannels = new Map<string, string>(); // dm channel id -> user id
  /** user id -> their DM channel: a fan-out opens thousands, and a scan of dmChannels for each made that quadratic. */
  const dmOf = new Map<string, string>();
  const pendingFailures: { method: string; path: RegExp; status: number; body: Json }[] = [];
  const pendingRateLimits: { method: string; path: RegExp; retryAfter: number; global: boolean }[] = [];
  const interactionReplies = new Map<string, FakeMessage>(); // interaction token -> original response
  const interactions = new Map<string, { channelId: string; user: Json; type: number }>(); // interaction id -> where, by whom, which kind
  const identifies: Json[] = [];
  const sockets = new Set<WebSocket>();
  /** Each connection's [shard_id, num_shards], from its identify. */
  const shards = new Map<WebSocket, [number, number]>();
  let sequence = 0;
  const globalWindow: LimitWindow = { count: 0, endsAt: 0 };
  const channelWindows = new Map<string, LimitWindow>();
  /** 429s answered because of opts.rateLimits, by scope. */
  const rateLimited = { global: 0, channel: 0 };
  /** Set: every gateway connection is closed with this code after HELLO, as a refusing gateway does. */
  let refuseWith: number | null = null;
  let refusals = 0;
  /** Set: GET /gateway/bot answers this status (401: a bad token), so login fails. */
  let gatewayBotStatus: number | null = null;

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => send(res, 500, { message: String(err), code: 0 }));
  });
  const wss = new WebSocketServer({ server, path: '/gateway' });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const gatewayUrl = `ws://127.0.0.1:${port}/gateway`;

  function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
    const text = body === null ? '' : JSON.stringify(body);
    res.writeHead(status, {
      ...(text ? { 'content-type': 'application/json' } : {}),
      'x-ratelimit-limit': '5',
      'x-ratelimit-remaining': '4',
      'x-ratelimit-reset-after': '1',
      'x-ratelimit-bucket': 'fake-bucket',
      ...headers,
    });
    res.end(text);
  }

  async function readBody(req: IncomingMessage): Promise<{ body: any; files: RecordedRequest['files'] }> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    if (raw.length === 0) return { body: null, files: [] };
    const type = req.headers['content-type'] ?? '';
    if (type.startsWith('multipart/form-data')) {
      // The web Request parses multipart exactly as a server would, without a hand-written parser.
      const form = await new Response(raw, { headers: { 'content-type': type } }).formData();
      const files: RecordedRequest['files'] = [];
      let body: any = null;
      for (const [key, value] of form.entries()) {
        if (key === 'payload_json') body = JSON.parse(String(value));
        else if (typeof value !== 'string') files.push({ name: value.name, content: await value.text() });
      }
      return { body, files };
    }
    return { body: JSON.parse(raw.toString('utf8')), files: [] };
  }

  function message(channelId: string, body: Json, id = snowflake()): FakeMessage {
    return {
      id,
      channel_id: channelId,
      content: body.content ?? '',
      embeds: body.embeds ?? [],
      components: body.components ?? [],
      flags: body.flags ?? 0,
      ...(body.nonce !== undefined ? { nonce: body.nonce } : {}),
    };
  }

  /** A message object shaped as Discord returns it, so discord.js can build a Message. */
  function apiMessage(m: FakeMessage): Json {
    return {
      ...m,
      type: 0,
      author: botUser,
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      attachments: [],
      pinned: false,
    };
  }

  /** An interaction's first response: a message in its channel that says which interaction it answers. */
  function acceptCallback(interactionId: string, token: string, data: Json): FakeMessage {
    const from = interactions.get(interactionId);
    const original: FakeMessage = {
      ...message(from?.channelId ?? channelIds[0]!, data),
      interaction_metadata: { id: interactionId, type: from?.type ?? 2, user: from?.user ?? {}, authorizing_integration_owners: { '0': guildId } },
    };
    interactionReplies.set(token, original);
    messages.set(original.id, original);
    return original;
  }

  /** Headers Discord signs an HTTP interaction with: Ed25519 over timestamp + body, with the application's key. */
  function signedHeaders(body: string, timestamp = String(Math.floor(Date.now() / 1000))): Record<string, string> {
    const signature = sign(null, Buffer.from(timestamp + body), keys.privateKey).toString('hex');
    return { 'content-type': 'application/json', 'x-signature-ed25519': signature, 'x-signature-timestamp': timestamp };
  }

  /**
   * An interaction POSTed to the bot's Interactions Endpoint URL, as Discord does when one is set.
   * The response is the first response: it is recorded as the callback would be, so a test reads
   * answers the same way from the gateway and over HTTP.
   */
  async function deliverOverHttp(d: Json): Promise<void> {
    const body = JSON.stringify(d);
    const res = await fetch(interactionsEndpoint!, { method: 'POST', headers: signedHeaders(body), body });
    recordHttpAnswer(d, res.status, await res.text());
  }

  /** The bot's HTTP response to an interaction, recorded as the callback it stands for (an answer, or a deferral whose edits then land). */
  function recordHttpAnswer(d: Json, status: number, text: string): void {
    const answer = text && status === 200 ? JSON.parse(text) : null;
    const path = `/interactions/${d.id}/${d.token}/callback`;
    const record: RecordedRequest = {
      method: 'POST',
      path,
      query: new URLSearchParams(),
      headers: {},
      body: answer,
      files: [],
      status: 0,
      receivedAt: performance.now(),
    };
    requests.push(record);
    if (status === 200 && (answer?.type === 4 || answer?.type === 5)) acceptCallback(d.id, d.token, answer.data ?? {});
    record.status = status === 200 ? 204 : status;
  }

  function sendInteraction(d: Json) {
    if (interactionsEndpoint) void deliverOverHttp(d).catch(() => {});
    else broadcast('INTERACTION_CREATE', d);
  }

  let answerDelayMs = 0;

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    const { body, files } = await readBody(req);
    const method = req.method ?? 'GET';
    const path = decodeURIComponent(url.pathname).replace(/^\/api\/v10/, ''); // discord.js sends @original as %40original
    const record: RecordedRequest = { method, path, query: url.searchParams, headers: req.headers, body, files, status: 0, receivedAt: performance.now() };
    requests.push(record);
    if (answerDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, answerDelayMs));
    /** The channel bucket's headers, sent with a message create that passed the limits. */
    let limitHeaders: Record<string, string> = {};
    const reply = (status: number, payload: unknown, headers?: Record<string, string>) => {
      record.status = status;
      send(res, status, payload, { ...limitHeaders, ...headers });
    };

    if (!url.pathname.startsWith('/api/v10/')) return reply(404, { message: '404: Not Found', code: 0 });

    if (opts.rateLimits) {
      const { globalPerSecond, channelMessages } = opts.rateLimits;
      const now = Date.now();
      if (!/^\/interactions\//.test(path)) {
        const global = take(globalWindow, globalPerSecond, 1000, now);
        if (!global.ok) {
          // Written directly: a global 429 carries no route bucket headers, and discord.js would read send()'s defaults as the channel's.
          rateLimited.global += 1;
          record.status = 429;
          const after = seconds(global.resetAfterMs);
          res.writeHead(429, { 'content-type': 'application/json', 'retry-after': after, 'x-ratelimit-global': 'true', 'x-ratelimit-scope': 'global' });
          return res.end(JSON.stringify({ message: 'You are being rate limited.', retry_after: Number(after), global: true }));
        }
      }
      const channel = method === 'POST' ? path.match(/^\/channels\/(\d+)\/messages$/)?.[1] : undefined;
      if (channel) {
        const w = channelWindows.get(channel) ?? { count: 0, endsAt: 0 };
        channelWindows.set(channel, w);
        const limit = take(w, channelMessages.limit, channelMessages.windowMs, now);
        limitHeaders = {
          'x-ratelimit-limit': String(channelMessages.limit),
          'x-ratelimit-remaining': String(limit.remaining),
          'x-ratelimit-reset': seconds(now + limit.resetAfterMs),
          'x-ratelimit-reset-after': seconds(limit.resetAfterMs),
          'x-ratelimit-bucket': 'channel-messages',
        };
        if (!limit.ok) {
          rateLimited.channel += 1;
          const after = seconds(limit.resetAfterMs);
          return reply(
            429,
            { message: 'You are being rate limited.', retry_after: Number(after), global: false },
            { 'retry-after': after, 'x-ratelimit-scope': 'user' },
          );
        }
      }
    }

    const failAt = pendingFailures.findIndex((f) => f.method === method && f.path.test(path));
    if (failAt >= 0) {
      const [failure] = pendingFailures.splice(failAt, 1);
      return reply(failure!.status, failure!.body);
    }

    const limitAt = pendingRateLimits.findIndex((l) => l.method === method && l.path.test(path));
    if (limitAt >= 0) {
      const [limit] = pendingRateLimits.splice(limitAt, 1);
      return reply(
        429,
        { message: 'You are being rate limited.', retry_after: limit!.retryAfter, global: limit!.global },
        {
          'retry-after': String(limit!.retryAfter),
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset-after': String(limit!.retryAfter),
          'x-ratelimit-scope': limit!.global ? 'global' : 'user',
          ...(limit!.global ? { 'x-ratelimit-global': 'true' } : {}),
        },
      );
    }

    let m: RegExpMatchArray | null;
    if (method === 'GET' && path === '/gateway/bot') {
      if (gatewayBotStatus !== null) return reply(gatewayBotStatus, { message: gatewayBotStatus === 401 ? '401: Unauthorized' : 'unavailable', code: 0 });
      const info = fixture('discord-gateway-bot.json');
      const limit = { ...info.session_start_limit, max_concurrency: opts.maxConcurrency ?? info.session_start_limit.max_concurrency };
      return reply(200, { ...info, url: gatewayUrl, shards: opts.recommendedShards ?? 1, session_start_limit: limit });
    }
    if (method === 'GET' && path === '/users/@me') return reply(200, botUser);

    if (method === 'PUT' && (m = path.match(/^\/applications\/(\d+)(?:\/guilds\/(\d+))?\/commands$/))) {
      const registered = (body as Json[]).map((c) => ({ id: snowflake(), application_id: m![1], version: snowflake(), ...c }));
      return reply(200, registered);
    }

    if (method === 'POST' && (m = path.match(/^\/interactions\/(\d+)\/([^/]+)\/callback$/))) {
      const [, interactionId, token] = m;
      const data = (body?.data ?? {}) as Json;
      const original = acceptCallback(interactionId!, token!, data);
      if (url.searchParams.get('with_response') !== 'true') return reply(204, null);
      return reply(200, {
        interaction: {
          id: interactionId,
          type: 2,
          response_message_id: original.id,
          response_message_loading: body?.type === 5,
          response_message_ephemeral: ((data.flags ?? 0) & 64) === 64,
        },
        resource: body?.type === 4 ? { type: 4, message: apiMessage(original) } : { type: body?.type },
      });
    }

    if ((m = path.match(/^\/webhooks\/(\d+)\/([^/]+)(?:\/messages\/(@original|\d+))?$/))) {
      const [, , token, which] = m;
      const original = interactionReplies.get(token!);
      if (!original) return reply(404, { message: 'Unknown Webhook', code: 10015 });
      if (which === '@original' && method === 'PATCH') {
        Object.assign(original, {
          content: body?.content ?? original.content,
          embeds: body?.embeds ?? original.embeds,
          components: body?.components ?? original.components,
        });
        return reply(200, apiMessage(original));
      }
      if (which === '@original' && method === 'GET') return reply(200, apiMessage(original));
      if (which === '@original' && method === 'DELETE') return reply(204, null);
      if (!which && method === 'POST') return reply(200, apiMessage(message(original.channel_id, body ?? {})));
    }

    if (method === 'GET' && (m = path.match(/^\/channels\/(\d+)$/))) {
      return channelType(m[1]!) === null ? reply(404, { message: 'Unknown Channel', code: 10003 }) : reply(200, channelObject(m[1]!));
    }

    // A thread started from a message: its id is the message's; a message has at most one.
    if (method === 'POST' && (m = path.match(/^\/channels\/(\d+)\/messages\/(\d+)\/threads$/))) {
      const [, channelId, messageId] = m;
      if (noThreadCreation.has(channelId!)) return reply(403, { message: 'Missing Permissions', code: 50013 });
      if (!messages.has(messageId!) || messages.get(messageId!)!.channel_id !== channelId) return reply(404, { message: 'Unknown Message', code: 10008 });
      if (threads.has(messageId!)) return reply(400, { message: 'A thread has already been created for this message', code: 160004 });
      threads.set(messageId!, { id: messageId!, parent_id: channelId!, name: String(body?.name ?? ''), owner_id: applicationId, applied_tags: [], type: 11 });
      announceThread(messageId!);
      return reply(201, channelObject(messageId!));
    }

    // A forum post: a thread of its own whose first message has the thread's id.
    if (method === 'POST' && (m = path.match(/^\/channels\/(\d+)\/threads$/))) {
      const forum = forums.find((f) => f.id === m![1]);
      if (!forum) return reply(400, { message: 'Cannot execute action on this channel type', code: 50024 });
      const id = snowflake();
      const tags = (body?.applied_tags ?? []) as string[];
      threads.set(id, { id, parent_id: forum.id, name: String(body?.name ?? ''), owner_id: applicationId, applied_tags: tags, type: 11 });
      const first = message(id, body?.message ?? {}, id);
      messages.set(id, first);
      announceThread(id);
      return reply(201, { ...channelObject(id), message: apiMessage(first) });
    }

    if (method === 'GET' && (m = path.match(/^\/guilds\/(\d+)\/threads\/active$/))) {
      return reply(200, { threads: [...threads.keys()].map(channelObject), members: [] });
    }
    if (method === 'GET' && (m = path.match(/^\/channels\/(\d+)\/threads\/archived\/public$/))) {
      return reply(200, { threads: [], members: [], has_more: false });
    }

    // Publishing an announcement channel's message to the servers that follow it: once.
    if (method === 'POST' && (m = path.match(/^\/channels\/(\d+)\/messages\/(\d+)\/crosspost$/))) {
      const [, channelId, messageId] = m;
      if (!announcementIds.includes(channelId!)) return reply(400, { message: 'Cannot execute action on this channel type', code: 50024 });
      const published = messages.get(messageId!);
      if (!published) return reply(404, { message: 'Unknown Message', code: 10008 });
      if (published.flags & 1) return reply(400, { message: 'This message has already been crossposted.', code: 40033 });
      published.flags |= 1;
      return reply(200, apiMessage(published));
    }

    if (method === 'POST' && path === '/users/@me/channels') {
      const userId = String(body?.recipient_id);
      const dm = dmOf.get(userId) ?? snowflake();
      dmChannels.set(dm, userId);
      dmOf.set(userId, dm);
      return reply(200, { id: dm, type: 1, last_message_id: null, recipients: [{ id: userId, username: `user${userId}`, discriminator: '0', avatar: null }] });
    }

    if ((m = path.match(/^\/channels\/(\d+)\/messages(?:\/(\d+))?$/))) {
      const [, channelId, messageId] = m;
      const dmUser = dmChannels.get(channelId!);
      if (dmUser && closedDms.has(dmUser)) return reply(403, { message: 'Cannot send messages to this user', code: 50007 });
      if (forbiddenChannels.has(channelId!)) return reply(403, { message: 'Missing Access', code: 50001 });
      const type = channelType(channelId!);
      if (!dmUser && type === null) return reply(404, { message: 'Unknown Channel', code: 10003 });
      if (method === 'POST' && type === 15) return reply(400, { message: 'Cannot send messages in a non-text channel', code: 50008 });
      if (method === 'POST' && type === 11 && noThreadMessages.has(threads.get(channelId!)!.parent_id))
        return reply(403, { message: 'Missing Permissions', code: 50013 });
      if (method === 'GET' && messageId) {
        const found = messages.get(messageId);
        return found ? reply(200, apiMessage(found)) : reply(404, { message: 'Unknown Message', code: 10008 });
      }
      if (method === 'POST' && !messageId) {
        const empty = !body?.content && !body?.embeds?.length && !body?.components?.length && !body?.sticker_ids?.length && !body?.poll && files.length === 0;
        if (empty) return reply(400, { message: 'Cannot send an empty message', code: 50006 });
        // enforce_nonce: a second create with the same nonce in the channel returns the first message.
        if (body?.enforce_nonce && body.nonce !== undefined) {
          // Only within the nonce's memory: after it Discord creates the message again.
          const recent = (x: FakeMessage) => clock() - (createdAt.get(x.id) ?? Number.NEGATIVE_INFINITY) < nonceTtlMs;
          const earlier = [...messages.values()].find((x) => x.channel_id === channelId && x.nonce === body.nonce && recent(x));
          if (earlier) return reply(200, apiMessage(earlier));
        }
        const created = message(channelId!, body ?? {});
        messages.set(created.id, created);
        createdAt.set(created.id, clock());
        return reply(200, apiMessage(created));
      }
    }

    return reply(404, { message: '404: Not Found', code: 0 });
  }

  // --- gateway -------------------------------------------------------------------------------

  function dispatchTo(ws: WebSocket, t: string, d: unknown) {
    sequence += 1;
    ws.send(JSON.stringify({ op: 0, t, s: sequence, d }));
  }

  /** The guild as GUILD_CREATE gives it: the main guild with its channels, or an extra one with its one channel. */
  function guildCreate(id = guildId): Json {
    const extra = extraGuilds.find((g) => g.id === id);
    const main = mainGuildCreate();
    if (!extra) return main;
    return {
      ...main,
      id,
      name: `Guild ${id}`,
      roles: [{ ...main.roles[0], id }],
      threads: [],
      channels: [{ ...channelObject(extra.channelId), name: 'papers', position: 0, last_message_id: null }],
    };
  }

  function mainGuildCreate(): Json {
    return {
      id: guildId,
      name: 'Papers Lab',
      icon: null,
      owner_id: '80351110224678912',
      afk_timeout: 300,
      verification_level: 0,
      default_message_notifications: 0,
      explicit_content_filter: 0,
      features: [],
      mfa_level: 0,
      system_channel_flags: 0,
      premium_tier: 0,
      preferred_locale: 'en-US',
      nsfw_level: 0,
      large: false,
      unavailable: false,
      member_count: 2,
      joined_at: '2025-10-14T00:00:00.000000+00:00',
      roles: [
        { id: guildId, name: '@everyone', permissions: '1071698660929', position: 0, color: 0, hoist: false, managed: false, mentionable: false, flags: 0 },
      ],
      emojis: [],
      stickers: [],
      members: [],
      voice_states: [],
      presences: [],
      // The active threads the bot can see, as a reconnecting client learns them.
      threads: [...threads.keys()].map(channelObject),
      stage_instances: [],
      guild_scheduled_events: [],
      channels: [...channelIds, ...announcementIds, ...forums.map((f) => f.id)].map((id, position) => ({
        ...channelObject(id),
        name: `papers-${position}`,
        position,
        last_message_id: null,
      })),
    };
  }

  wss.on('connection', (ws) => {
    sockets.add(ws);
    ws.on('close', () => {
      sockets.delete(ws);
      shards.delete(ws);
    });
    ws.send(JSON.stringify(fixture('discord-hello.json')));
    refusals += refuseWith === null ? 0 : 1;
    if (refuseWith !== null) return ws.close(refuseWith, 'refused');
    ws.on('message', (raw) => {
      const payload = JSON.parse(String(raw)) as Json;
      if (payload.op === 1) ws.send(JSON.stringify(fixture('discord-heartbeat-ack.json')));
      if (payload.op === 2) {
        identifies.push(payload.d);
        const shard = (payload.d.shard ?? [0, 1]) as [number, number];
        shards.set(ws, shard);
        const guilds = [guildId, ...extraGuilds.map((g) => g.id)].filter((id) => owns(ws, id));
        const d = structuredClone(ready.d);
        Object.assign(d, {
          user: botUser,
          application: { ...d.application, id: applicationId },
          guilds: guilds.map((id) => ({ id, unavailable: true })),
          resume_gateway_url: gatewayUrl,
          shard,
        });
        dispatchTo(ws, 'READY', d);
        for (const id of guilds) dispatchTo(ws, 'GUILD_CREATE', guildCreate(id));
      }
    });
  });

  /** THREAD_CREATE, as Discord tells the bot of a thread it created (so its client knows the channel). */
  function announceThread(id: string) {
    for (const ws of sockets) dispatchTo(ws, 'THREAD_CREATE', { ...channelObject(id), newly_created: true });
  }

  /** Whether the connection's shard receives the guild's events: (guild_id >> 22) % num_shards, as on Discord. */
  function owns(ws: WebSocket, guild: string): boolean {
    const [id, count] = shards.get(ws) ?? [0, 1];
    return Number((BigInt(guild) >> 22n) % BigInt(count)) === id;
  }

  /** An event to every connection, or for a guild's event, to the connection of the guild's shard; returns to how many it went. */
  function broadcast(t: string, d: Json): number {
    if (sockets.size === 0) throw new Error('no gateway connection to send to');
    let sent = 0;
    for (const ws of sockets) {
      if (typeof d.guild_id === 'string' && !owns(ws, d.guild_id)) continue;
      dispatchTo(ws, t, d);
      sent += 1;
    }
    return sent;
  }

  let interactionCount = 0;

  /** INTERACTION_CREATE's payload for `/papers <subcommand> [options]`, registered so its answers are recorded. */
  function commandPayload(subcommand: string, options: CommandOptions = {}, who: CommandCaller = {}): Json {
    const base = fixture('discord-interaction-create-subcommand-constructed.json');
    interactionCount += 1;
    const id = snowflake();
    const token = `token-${interactionCount}-${id}`;
    const d = base.d as Json;
    const channelId = who.channelId ?? channelIds[0]!;
    const optionType = (v: unknown) => (typeof v === 'object' ? 7 : typeof v === 'number' ? 4 : typeof v === 'boolean' ? 5 : 3);
    const channels = Object.values(options).flatMap((v) => (typeof v === 'object' ? [v] : []));
    const resolved = channels.length
      ? {
          resolved: {
            channels: Object.fromEntries(channels.map((c) => [c.channel, { ...channelObject(c.channel), permissions: String(c.permissions) }])),
          },
        }
      : {};
    Object.assign(d, {
      id,
      token,
      application_id: applicationId,
      guild_id: guildId,
      channel_id: channelId,
      // Discord sends the partial channel too, and discord.js reads the channel id from it.
      channel: { id: channelId, type: 0, guild_id: guildId, name: 'papers', permissions: d.member.permissions, nsfw: false, parent_id: null, flags: 0 },
      member: {
        ...d.member,
        user: { ...d.member.user, id: who.userId ?? d.member.user.id, username: who.username ?? d.member.user.username },
        permissions: String(who.permissions ?? BigInt(d.member.permissions)),
      },
      data: {
        ...d.data,
        options: [
          {
            type: 1,
            name: subcommand,
            options: Object.entries(options).map(([name, value]) => ({
              type: optionType(value),
              name,
              value: typeof value === 'object' ? value.channel : value,
            })),
          },
        ],
        ...resolved,
      },
      authorizing_integration_owners: { '0': guildId },
    });
    if (who.dm) {
      // From a DM, Discord sends no guild and no member, only the user and a DM channel.
      const user = d.member.user;
      delete d.guild_id;
      delete d.member;
      Object.assign(d, { user, channel: { id: channelId, type: 1, flags: 0 }, context: 1, authorizing_integration_owners: { '1': user.id } });
      dmChannels.set(channelId, user.id);
      dmOf.set(user.id, channelId);
    }
    interactions.set(id, { channelId, user: d.member?.user ?? d.user, type: 2 });
    return d;
  }

  /** INTERACTION_CREATE's payload for a click on a message's control, registered so its answers are recorded. */
  function clickPayload(c: ClickInput): Json {
    const base = fixture('discord-interaction-create-component-constructed.json').d as Json;
    interactionCount += 1;
    const id = snowflake();
    const token = `token-${interactionCount}-${id}`;
    const held = messages.get(c.messageId);
    const channelId = c.channelId ?? held?.channel_id ?? channelIds[0]!;
    const guild = extraGuilds.find((g) => g.channelId === channelId)?.id ?? guildId;
    const user = { ...base.member.user, id: c.userId ?? base.member.user.id, username: c.username ?? base.member.user.username };
    const d: Json = {
      ...base,
      id,
      token,
      application_id: applicationId,
      guild_id: guild,
      channel_id: channelId,
      channel: { ...base.channel, id: channelId, type: channelType(channelId) ?? 0, guild_id: guild },
      member: { ...base.member, user },
      app_permissions: c.appPermissions ?? ALL_PERMISSIONS,
      authorizing_integration_owners: { '0': guild },
      message: held ? apiMessage(held) : { ...base.message, id: c.messageId, channel_id: channelId },
      data: c.values ? { custom_id: c.customId, component_type: 3, values: c.values } : { custom_id: c.customId, component_type: 2 },
    };
    interactions.set(id, { channelId, user, type: 3 });
    return d;
  }

  return {
    apiUrl: `http://127.0.0.1:${port}/api`,
    gatewayUrl,
    applicationId,
    guildId,
    channelIds,
    botUser,
    requests,
    messages,
    identifies,
    closedDms,
    forbiddenChannels,
    dmChannels,
    threads,
    noThreadCreation,
    noThreadMessages,
    /** 429s answered because of opts.rateLimits, by scope. */
    rateLimited,
    /** The application's public key as the developer portal shows it (DISCORD_PUBLIC_KEY). */
    publicKeyHex: (keys.publicKey.export({ format: 'der', type: 'spki' }) as Buffer).subarray(-32).toString('hex'),
    /** The bot's Interactions Endpoint URL once set: interactions are then POSTed there, not sent on the gateway. */
    get interactionsEndpoint() {
      return interactionsEndpoint;
    },
    /** From now on, commands and clicks are POSTed to this URL, signed, instead of sent over the gateway. */
    useInteractionsEndpoint(url: string) {
      interactionsEndpoint = url;
    },
    signedHeaders,
    /** The [shard_id, num_shards] of each open gateway connection. */
    shards: () => [...shards.values()],
    /** How many gateway connections were refused (see refuseGateway). */
    refusals: () => refusals,
    /** Closes every gateway connection from now on with `code` right after HELLO; null lets them in again. */
    refuseGateway(code: number | null) {
      refuseWith = code;
    },
    /** GET /gateway/bot answers `status` from now on (401: login fails on a bad token); null: normal. */
    failGatewayBot(status: number | null) {
      gatewayBotStatus = status;
    },
    /** Sends one dispatch to every gateway connection, as Discord would (even a malformed one). */
    dispatch(t: string, d: Json) {
      broadcast(t, d);
    },
    /** How many gateway connections are open. */
    connections: () => sockets.size,

    /** Moves the fake's clock on (for nonce expiry), as if that much time had passed. */
    elapse(ms: number) {
      elapsed += ms;
    },

    /** Answers every REST request `ms` after it arrived (a slow Discord, or a slow way back). */
    slowAnswers(ms: number) {
      answerDelayMs = ms;
    },

    /** The next matching request gets `status` with `body` (a 400 Invalid Form Body, a 500...). */
    failNext(method: string, path: RegExp, status: number, body: Json) {
      pendingFailures.push({ method, path, status, body });
    },

    /** The next matching request gets a 429 with retry_after (seconds) and the rate-limit headers. */
    rateLimitNext(method: string, path: RegExp, retryAfter: number, global = false) {
      pendingRateLimits.push({ method, path, retryAfter, global });
    },

    /**
     * Sends INTERACTION_CREATE for `/papers <subcommand> [options]`, as the gateway does. Returns its
     * id and token. A channel option (`{ channel }`) comes with its resolved channel, whose
     * `permissions` are the invoking member's in that channel, as Discord computes them.
     */
    sendCommand(subcommand: string, options: CommandOptions = {}, who: CommandCaller = {}) {
      const d = commandPayload(subcommand, options, who);
      sendInteraction(d);
      return { id: d.id as string, token: d.token as string };
    },

    /**
     * Sends INTERACTION_CREATE for a click on a message's button (or a select menu's choice, with
     * `values`), as the gateway does: the whole message comes with it. A message the fake does not
     * hold is sent as a bare one, as a forged click would name it. Returns its id and token.
     */
    sendClick(c: ClickInput) {
      const d = clickPayload(c);
      sendInteraction(d);
      return { id: d.id as string, token: d.token as string };
    },

    /**
     * A click as Discord would POST it to the Interactions Endpoint URL, for a test that carries it
     * itself (playing a load balancer): the payload, to sign with signedHeaders and to hand back
     * with the bot's response to recordHttpAnswer.
     */
    clickPayload: (c: ClickInput) => clickPayload(c),
    /** A command as Discord would POST it to the Interactions Endpoint URL, for a test (or bench) that carries it itself. */
    commandPayload,
    recordHttpAnswer,

    /** MESSAGE_REACTION_ADD / REMOVE as Discord sends them; a removal carries no member. Returns to how many gateway connections it went. */
    sendReaction(kind: 'add' | 'remove', r: { userId: string; channelId: string; messageId: string; emoji: string; guildId?: string }): number {
      const base = fixture('discord-message-reaction-add-constructed.json').d as Json;
      const d: Json = {
        ...base,
        user_id: r.userId,
        channel_id: r.channelId,
        message_id: r.messageId,
        guild_id: r.guildId ?? guildId,
        emoji: { id: null, name: r.emoji },
        message_author_id: applicationId,
      };
      if (kind === 'add') d.member = { ...base.member, user: { ...base.member.user, id: r.userId } };
      else delete d.member;
      return broadcast(kind === 'add' ? 'MESSAGE_REACTION_ADD' : 'MESSAGE_REACTION_REMOVE', d);
    },

    /** The message that answers an interaction (its original response), once the bot has replied. */
    interactionReply(token: string): FakeMessage | undefined {
      return interactionReplies.get(token);
    },

    /** Resolves once a request matching the predicate has been answered (or fails after timeoutMs). */
    async waitForRequest(pred: (r: RecordedRequest) => boolean, timeoutMs = 5000): Promise<RecordedRequest> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const hit = requests.find((r) => r.status !== 0 && pred(r));
        if (hit) return hit;
        if (Date.now() > deadline) throw new Error('fake Discord: no matching request arrived');
        await new Promise((r) => setTimeout(r, 10));
      }
    },

    async close() {
      for (const ws of sockets) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type FakeDiscord = Awaited<ReturnType<typeof startFakeDiscord>>;
