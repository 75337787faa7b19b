import { once } from 'node:events';
import {
  Client,
  Events,
  GatewayIntentBits,
  MessageFlags,
  Options,
  Partials,
  type ChatInputCommandInteraction,
  type Interaction,
  type MessageReaction,
  type PartialMessageReaction,
  type PartialUser,
  type User,
} from 'discord.js';
import type { AdapterDeps, RunningAdapter, StartAdapter } from '../types';
import type { Services } from '../../src/chat/command';
import { createAnswerRecords, type AnswerRecords } from '../../src/chat/answer-records';
import type { Reply } from '../../src/chat/reply';
import { ConfigError, errorMessage } from '../../src/errors';
import type { Logger } from '../../src/log';
import { dispatch } from '../../commands/kit/dispatch';
import { findCommand } from '../../commands/index';
import { handleReaction } from '../../commands/kit/reactions';
import { createAnswerLookup } from './answers';
import { answerInteraction } from './callback';
import { createDiscordPoster } from './poster';
import { within } from '../within';
import { startShards } from './sharding';
import { NO_MENTIONS, renderReply, toMessageOptions } from './render';
import { CANNOT_DM_USER, createRest, isApiError, restOptions } from './rest';
import { COMMAND_NAME, reactionKind, toInvocation } from './translate';

type DiscordConfig = NonNullable<AdapterDeps['config']['discord']>;

export interface DiscordClientOptions {
  /**
   * How long an answer may take before the interaction is deferred. Discord drops interactions
   * not answered within 3 s; answers from the store are usually ready long before this.
   */
  deferAfterMs?: number;
}

/** Only what the bot uses: slash commands, reactions in guilds, DMs for confirmations. Nothing privileged. */
const INTENTS = [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessageReactions, GatewayIntentBits.DirectMessages];

/**
 * Reactions arrive for messages the client never saw (posted before a restart, or not cached):
 * the partials let those events through with just ids, which is all the posts table needs.
 * Removals carry no member, hence Partials.User.
 */
const PARTIALS = [Partials.Message, Partials.Reaction, Partials.User, Partials.Channel];

export function createClient(discord: DiscordConfig): Client {
  return new Client({
    intents: INTENTS,
    partials: PARTIALS,
    allowedMentions: NO_MENTIONS,
    rest: restOptions(discord),
    // Our embeds are built in the API's own shape (APIEmbed); the default transformer would copy each
    // one key by key to snake_case it, the largest cost of an answer after the REST call itself.
    jsonTransformer: (json) => json,
    // Reactions resolve through the store, so keeping messages in memory buys nothing at scale.
    makeCache: Options.cacheWithLimits({ ...Options.DefaultMakeCacheSettings, MessageManager: 0 }),
  });
}

/**
 * Connects one gateway client (or one shard of it) and answers `/papers` and reactions.
 * Resolves once the client is ready; the returned stop() lets in-flight answers finish first.
 */
export async function startDiscordClient(
  deps: Pick<AdapterDeps, 'config' | 'services' | 'log'>,
  opts: DiscordClientOptions = {},
): Promise<{ client: Client; stop(): Promise<void> }> {
  const discord = deps.config.discord;
  if (!discord) throw new ConfigError('Discord needs DISCORD_TOKEN');
  const log = deps.log.child({ adapter: 'discord' });
  const client = createClient(discord);
  const answers = createAnswerRecords(deps.services.store, log);
  const inFlight = new Set<Promise<void>>();
  const track = (work: Promise<void>) => {
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
  };

  client.on(Events.InteractionCreate, (interaction) => track(onInteraction(interaction, deps.services, answers, log, opts)));
  const findAnswer = createAnswerLookup(client, deps.services.store);
  const reacted = (reaction: MessageReaction | PartialMessageReaction, user: User | PartialUser, added: boolean) =>
    track(onReaction(client, reaction, user, added, deps.services, answers, findAnswer, discord, log));
  client.on(Events.MessageReactionAdd, (reaction, user) => reacted(reaction, user, true));
  client.on(Events.MessageReactionRemove, (reaction, user) => reacted(reaction, user, false));
  client.on(Events.Error, (err) => log.error({ err: errorMessage(err) }, 'discord client error'));
  client.on(Events.ShardDisconnect, (event, shardId) => log.warn({ shardId, code: event.code }, 'discord shard disconnected'));

  const ready = once(client, Events.ClientReady);
  try {
    await client.login(discord.token);
  } catch (err) {
    await client.destroy();
    throw new ConfigError(`Discord login failed: ${errorMessage(err)}`);
  }
  await ready;
  log.info({ user: client.user?.id, guilds: client.guilds.cache.size }, 'discord connected');

  return {
    client,
    async stop() {
      await Promise.allSettled([...inFlight]);
      await answers.settle();
      await client.destroy();
    },
  };
}


async function onInteraction(interaction: Interaction, svc: Services, answers: AnswerRecords, log: Logger, opts: DiscordClientOptions): Promise<void> {
  if (!interaction.isChatInputCommand() || interaction.commandName !== COMMAND_NAME) return;
  try {
    const inv = toInvocation(interaction);
    const answer = dispatch(inv, svc);
    const ready = await within(answer, opts.deferAfterMs ?? 2000);
    if (ready) await replyNow(interaction, ready, svc, answers);
    else await replyLate(interaction, answer, findCommand(inv.command)?.visibility ?? 'public', svc, answers);
  } catch (err) {
    // dispatch never throws; this is Discord refusing the reply (expired token, lost permissions).
    log.warn({ err: errorMessage(err), command: interaction.options.getSubcommand(false) }, 'could not answer a discord interaction');
  }
}

async function replyNow(interaction: ChatInputCommandInteraction, reply: Reply, svc: Services, answers: AnswerRecords): Promise<void> {
  const msg = renderReply(reply);
  await answerInteraction(interaction, msg);
  // Recorded under the interaction's id; the first reaction on it finds the message (answers.ts).
  if (!msg.ephemeral) answers.add({ platform: 'discord', channelId: interaction.channelId, messageId: interaction.id, postedAt: svc.now() }, reply);
}

/**
 * A deferral's visibility cannot change afterwards, so it follows how the command usually answers.
 * When the answer differs (a public command answering with a private error), the public
 * placeholder is replaced by an ephemeral follow-up; a private placeholder simply shows the answer.
 */
async function replyLate(
  interaction: ChatInputCommandInteraction,
  answer: Promise<Reply>,
  expected: 'public' | 'private',
  svc: Services,
  answers: AnswerRecords,
): Promise<void> {
  await interaction.deferReply({ flags: expected === 'private' ? MessageFlags.Ephemeral : undefined });
  const reply = await answer;
  const msg = renderReply(reply);
  if (msg.ephemeral && expected === 'public') {
    await interaction.deleteReply();
    await interaction.followUp({ ...toMessageOptions(msg), flags: MessageFlags.Ephemeral });
    return;
  }
  const message = await interaction.editReply(toMessageOptions(msg));
  // Only a public message can carry reactions.
  if (expected === 'public') answers.add({ platform: 'discord', channelId: interaction.channelId, messageId: message.id, postedAt: svc.now() }, reply);
}

async function onReaction(
  client: Client,
  reaction: MessageReaction | PartialMessageReaction,
  user: User | PartialUser,
  added: boolean,
  svc: Services,
  answers: AnswerRecords,
  findAnswer: ReturnType<typeof createAnswerLookup>,
  discord: DiscordConfig,
  log: Logger,
): Promise<void> {
  // Discord echoes the bot's own reactions back; they are never a user's bookmark.
  if (user.id === client.user?.id) return;
  const kind = reactionKind(reaction.emoji);
  if (!kind) return;
  try {
    // The answer reacted to may still wait for its record, or be known only by its interaction.
    await answers.settle();
    const confirmation = await handleReaction(
      { platform: 'discord', channelId: reaction.message.channelId, messageId: reaction.message.id, userId: user.id, reaction: kind, added },
      svc,
      (ev) => findAnswer(ev.channelId, ev.messageId),
    );
    if (confirmation && discord.dmConfirmations) await confirmByDm(user, confirmation, log);
  } catch (err) {
    log.error({ err: errorMessage(err), messageId: reaction.message.id }, 'discord reaction failed');
  }
}

/** A quiet confirmation: a DM, so the channel stays clean. Closed DMs are the user's choice, not an error. */
async function confirmByDm(user: User | PartialUser, reply: Reply, log: Logger): Promise<void> {
  try {
    await user.send(toMessageOptions(renderReply(reply)));
  } catch (err) {
    if (isApiError(err, CANNOT_DM_USER)) log.debug({ userId: user.id }, 'DMs closed; confirmation skipped');
    else log.warn({ err: errorMessage(err), userId: user.id }, 'could not send a DM confirmation');
  }
}

/** The Discord adapter for `papers start`: slash commands, reactions, and the digest poster (REST). */
export const startDiscord: StartAdapter = async (deps): Promise<RunningAdapter> => {
  const discord = deps.config.discord;
  if (!discord) throw new ConfigError('Discord needs DISCORD_TOKEN');
  // DISCORD_SHARDS: the gateway runs in shard processes; this process keeps the (REST) poster.
  // One REST client per process: discord.js counts Discord's global limit per client, so a second
  // one for the poster could exceed it (a fan-out's first window overlapped the login's
  // GET /gateway/bot and got a 429).
  const { stop, rest } =
    discord.shards === null
      ? await startDiscordClient(deps).then((r) => ({ stop: r.stop, rest: r.client.rest }))
      : await startShards(discord, deps.log).then((r) => ({ stop: r.stop, rest: createRest(discord) }));
  return {
    platform: 'discord',
    poster: createDiscordPoster(rest),
    ownsHttpPort: false,
    stop,
  };
};
