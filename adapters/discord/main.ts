import { once } from 'node:events';
import {
  Client,
  Events,
  GatewayDispatchEvents,
  GatewayIntentBits,
  Options,
  Partials,
  type APIInteraction,
  type MessageReaction,
  type PartialMessageReaction,
  type PartialUser,
  type User,
} from 'discord.js';
import type { AdapterContext, ConnectedAdapter } from '../../src/chat/adapter';
import { ConfigError, errorMessage } from '../../src/errors';
import { createAnswerLookup } from './answers';
import { watchGateway, type GatewayLimits } from './gateway';
import { createDiscordPoster } from './poster';
import { startShards } from './sharding';
import { NO_MENTIONS } from './render';
import { createRest, restOptions } from './rest';
import type { DiscordSettings } from './settings';
import type { Metrics } from '../../src/metrics/metrics';
import { answerInteractionEvent, discordPublicKey, interactionsRoute } from './interactions';
import { reactionTransport } from './transport';
import { reactionKind } from './translate';

export interface DiscordClientOptions {
  /**
   * How long an answer may take before the interaction is deferred. Discord drops interactions
   * not answered within 3 s; answers from the store are usually ready long before this.
   */
  deferAfterMs?: number;
  /** When the first gateway connection is given up (see gateway.ts). */
  gateway?: GatewayLimits;
}

/** How long an answer may take before it is deferred (see DiscordClientOptions). */
const DEFER_AFTER_MS = 2000;

/** Only what the bot uses: slash commands, reactions in guilds, DMs for confirmations. Nothing privileged. */
const INTENTS = [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessageReactions, GatewayIntentBits.DirectMessages];

/**
 * Reactions arrive for messages the client never saw (posted before a restart, or not cached):
 * the partials let those events through with just ids, which is all the posts table needs.
 * Removals carry no member, hence Partials.User.
 */
const PARTIALS = [Partials.Message, Partials.Reaction, Partials.User, Partials.Channel];

export function createClient(discord: DiscordSettings, gateway: Pick<ReturnType<typeof watchGateway>, 'buildStrategy'>, metrics?: Metrics): Client {
  const range = typeof discord.shards === 'object' ? discord.shards : null;
  return new Client({
    // DISCORD_SHARDS=A-B/N: this client runs shards A..B of N; the other machines run the rest.
    ...(range ? { shards: Array.from({ length: range.last - range.first + 1 }, (_, i) => range.first + i), shardCount: range.total } : {}),
    intents: INTENTS,
    partials: PARTIALS,
    allowedMentions: NO_MENTIONS,
    rest: restOptions(discord, metrics),
    // Our embeds are built in the API's own shape (APIEmbed); the default transformer would copy each
    // one key by key to snake_case it, the largest cost of an answer after the REST call itself.
    jsonTransformer: (json) => json,
    // Reactions resolve through the store, so keeping messages in memory buys nothing at scale.
    makeCache: Options.cacheWithLimits({ ...Options.DefaultMakeCacheSettings, MessageManager: 0 }),
    ws: { buildStrategy: gateway.buildStrategy },
  });
}

/**
 * Connects one gateway client (or one shard of it) and hands `/papers`, reactions and clicks to the
 * chat runtime. Resolves once the client is ready; rejects, with the client destroyed, when the
 * gateway keeps refusing (see gateway.ts) or `ctx.signal` asks to stop first.
 */
export async function startDiscordClient(
  ctx: Pick<AdapterContext, 'services' | 'log' | 'runtime'> & { signal?: AbortSignal },
  discord: DiscordSettings,
  opts: DiscordClientOptions = {},
): Promise<{ client: Client; close(): Promise<void> }> {
  const { runtime } = ctx;
  const log = ctx.log.child({ adapter: 'discord' });
  const gateway = watchGateway(log, opts.gateway);
  const client = createClient(discord, gateway, ctx.services.metrics);
  const deferAfterMs = opts.deferAfterMs ?? DEFER_AFTER_MS;
  const findPost = createAnswerLookup(client, ctx.services.store);

  // Commands and clicks are read from the interaction's payload, as an HTTP interaction gives it.
  // With DISCORD_INTERACTIONS=http Discord sends them to the endpoint instead, never here.
  if (discord.interactions === 'gateway') {
    client.ws.on(GatewayDispatchEvents.InteractionCreate, (payload: APIInteraction) => {
      void answerInteractionEvent(payload, { runtime, rest: client.rest, deferAfterMs, store: ctx.services.store });
    });
  }
  const reacted = (added: boolean) => (reaction: MessageReaction | PartialMessageReaction, user: User | PartialUser) => {
    // Discord echoes the bot's own reactions back; they are never a user's bookmark.
    if (user.id === client.user?.id) return;
    const kind = reactionKind(reaction.emoji);
    if (!kind) return;
    void runtime.reaction(
      { platform: 'discord', channelId: reaction.message.channelId, messageId: reaction.message.id, userId: user.id, reaction: kind, added },
      reactionTransport(user, { dmConfirmations: discord.dmConfirmations, findPost, log }),
    );
  };
  client.on(Events.MessageReactionAdd, reacted(true));
  client.on(Events.MessageReactionRemove, reacted(false));
  client.on(Events.Error, (err) => log.error({ err: errorMessage(err) }, 'discord client error'));

  const ready = once(client, Events.ClientReady);
  let abort = () => {};
  const stopped = new Promise<never>((_, reject) => {
    abort = () => reject(new Error('stopped while connecting'));
    if (ctx.signal?.aborted) abort();
  });
  ctx.signal?.addEventListener('abort', abort, { once: true });
  const connected = client.login(discord.token).then(() => ready);
  connected.catch(() => {}); // read by the race below; after giving up its late failure says nothing new
  try {
    await Promise.race([connected, gateway.gaveUp, stopped]);
    gateway.connected();
  } catch (err) {
    gateway.stop();
    await client.destroy();
    throw new ConfigError(`Discord login failed: ${errorMessage(err)}`);
  } finally {
    ctx.signal?.removeEventListener('abort', abort);
  }
  log.info({ user: client.user?.id, guilds: client.guilds.cache.size }, 'discord connected');
  return {
    client,
    close: () => {
      gateway.stop();
      return client.destroy();
    },
  };
}

/**
 * The Discord adapter for `papers start`: slash commands, reactions, clicks, and the digest poster
 * (REST). With DISCORD_INTERACTIONS=http, commands and clicks come to POST /discord/interactions
 * and the gateway carries only reactions; `inbound` says whether this process connects the gateway
 * and serves that route (an HTTP-only replica, a reactions-only process).
 */
export async function startDiscord(ctx: AdapterContext, discord: DiscordSettings, opts: DiscordClientOptions = {}): Promise<ConnectedAdapter> {
  const inbound = ctx.inbound ?? { gateway: true, http: true };
  const serveInteractions = discord.interactions === 'http' && inbound.http;
  if (!inbound.gateway && discord.interactions === 'gateway')
    throw new ConfigError('without the gateway this process would answer nothing: set DISCORD_INTERACTIONS=http (and the Interactions Endpoint URL)');
  // Read before anything connects: a key node:crypto refuses stops the start with one line.
  // Its form (64 hex digits) is checked with the environment; node:crypto takes any 32 bytes as a key.
  const publicKey = serveInteractions ? discordPublicKey(discord.publicKey!) : null;
  const metrics = ctx.services.metrics;
  // DISCORD_SHARDS=auto|N: the gateway runs in shard processes; this process keeps the (REST) poster.
  // A range (A-B/N) runs in this process's one client.
  // One REST client per process: discord.js counts Discord's global limit per client, so a second
  // one for the poster could exceed it (a fan-out's first window overlapped the login's
  // GET /gateway/bot and got a 429).
  const { close, rest } = !inbound.gateway
    ? { close: async () => {}, rest: createRest(discord, metrics) }
    : discord.shards === null || typeof discord.shards === 'object'
      ? await startDiscordClient(ctx, discord, opts).then((r) => ({ close: r.close, rest: r.client.rest }))
      : await startShards(discord, ctx.log).then((r) => ({ close: r.stop, rest: createRest(discord, metrics) }));
  const routes = publicKey
    ? [
        interactionsRoute({
          runtime: ctx.runtime,
          rest,
          deferAfterMs: opts.deferAfterMs ?? DEFER_AFTER_MS,
          store: ctx.services.store,
          publicKey,
          replays: ctx.services.store.replays,
          log: ctx.log.child({ adapter: 'discord' }),
        }),
      ]
    : [];
  return { poster: createDiscordPoster(rest, ctx.log.child({ adapter: 'discord' })), routes, close };
}
