import { DiscordAPIError, PermissionFlagsBits, PermissionsBitField, RESTJSONErrorCodes, Routes, ThreadAutoArchiveDuration, type REST } from 'discord.js';
import type { ThreadOpener, ThreadRequest, ThreadSite } from '../../src/chat/threads';
import { UserError } from '../../src/errors';
import { nonceFor } from './poster';
import { renderReply, threadName, toRestBody } from './render';

/** What opening a discussion thread needs of the bot, by the name Discord gives each permission. */
const NEEDED = [
  { bit: PermissionFlagsBits.CreatePublicThreads, name: 'Create Public Threads' },
  { bit: PermissionFlagsBits.SendMessagesInThreads, name: 'Send Messages in Threads' },
] as const;

/** What the clicker is told when the bot lacks permissions here. */
export function missingPermissions(names: readonly string[]): UserError {
  const list = names.join(' and ');
  return new UserError(
    `The bot cannot open a discussion thread here: it needs the ${list} permission${names.length > 1 ? 's' : ''} in this channel. Ask a moderator to grant ${names.length > 1 ? 'them' : 'it'}.`,
  );
}

const refused = (err: unknown) =>
  err instanceof DiscordAPIError && (err.status === 403 || err.code === RESTJSONErrorCodes.MissingPermissions || err.code === RESTJSONErrorCodes.MissingAccess);

/**
 * Discussion threads on Discord: a public thread started from the paper's message, named after the
 * paper, whose first message is its abstract and links. `appPermissions` (what an interaction says
 * the bot may do in its channel) lets a click be told at once what the bot lacks; without it, a
 * refusal from Discord says the same. Opening again is harmless: Discord refuses a second thread on
 * a message (160004), whose thread then has the message's id, and the first message's nonce keeps
 * it to one. `isForum` says when the message is a forum post, which is a thread already.
 */
export function discordThreads(rest: REST, opts: { appPermissions?: string | null; isForum?: (channelId: string) => Promise<boolean> } = {}): ThreadOpener {
  return {
    async openThread(site: ThreadSite, request: ThreadRequest) {
      if (opts.appPermissions) {
        const held = new PermissionsBitField(BigInt(opts.appPermissions));
        const missing = NEEDED.filter((p) => !held.has(p.bit)).map((p) => p.name);
        if (missing.length > 0) throw missingPermissions(missing);
      }
      if (await opts.isForum?.(site.channelId)) return { threadId: site.messageId };
      const threadId = await startThread(rest, site, request);
      try {
        await rest.post(Routes.channelMessages(threadId), {
          body: { ...toRestBody(renderReply(request.starter)).body, nonce: nonceFor(request.key), enforce_nonce: true },
        });
      } catch (err) {
        if (refused(err)) throw missingPermissions(['Send Messages in Threads']);
        throw err;
      }
      return { threadId };
    },
  };
}

async function startThread(rest: REST, site: ThreadSite, request: ThreadRequest): Promise<string> {
  try {
    const thread = (await rest.post(Routes.threads(site.channelId, site.messageId), {
      body: { name: threadName(request.name), auto_archive_duration: ThreadAutoArchiveDuration.OneDay },
    })) as { id: string };
    return thread.id;
  } catch (err) {
    // Opened before (a crash between opening and recording): a message's thread has the message's id.
    if (err instanceof DiscordAPIError && err.code === RESTJSONErrorCodes.ThreadAlreadyCreatedForMessage) return site.messageId;
    if (refused(err)) throw missingPermissions(['Create Public Threads']);
    throw err;
  }
}
