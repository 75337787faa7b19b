import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { AdapterDeps, PosterDeps, RunningAdapter } from '../types';
import type { Services } from '../../src/chat/command';
import type { DigestPoster } from '../../src/chat/poster';
import type { Reply } from '../../src/chat/reply';
import { dispatch } from '../../commands/kit/dispatch';
import { handleReaction } from '../../commands/kit/reactions';
import { CONSOLE_CHANNEL, CONSOLE_HELP, translate } from './translate';
import { PRIVATE_MARK, formatMessage, renderMessages, renderOneMessage, type ConsoleMessage } from './render';

export interface ConsoleIO {
  input: Readable;
  output: Writable;
  /** Who is typing (`papers start --user NAME`). */
  userName?: string;
  /** Called once the input has ended (EOF or `quit`), so `papers start` can shut down. */
  onEnd?: () => void;
}

/** Message numbers continue across runs, so a number always means the same message in the posts table. */
const COUNTER_KEY = 'console:lastMessageId';

/** Prints messages; one carrying papers gets the next number (and, for an answer, goes into the posts table). */
function consoleTranscript(svc: Services, output: Writable) {
  let lastId = 0;
  let loaded: Promise<void> | null = null;
  return async function send(message: ConsoleMessage, kind: 'answer' | null): Promise<string | null> {
    if (message.paperIds.length === 0) {
      output.write(formatMessage(message, null));
      return null;
    }
    // Loaded once, before the first number; ++ after it keeps concurrent sends apart.
    loaded ??= svc.store.getMeta(COUNTER_KEY).then((stored) => void (lastId = Number(stored ?? 0)));
    await loaded;
    const id = ++lastId;
    await svc.store.setMeta(COUNTER_KEY, String(id));
    if (kind) {
      await svc.store.recordPost({ platform: 'console', channelId: CONSOLE_CHANNEL, messageId: String(id), paperIds: message.paperIds, kind, deliveryId: null, postedAt: svc.now() });
    }
    output.write(formatMessage(message, id));
    return String(id);
  };
}

/** Digest messages printed as numbered console messages; a re-send of a key prints nothing. */
function transcriptPoster(send: ReturnType<typeof consoleTranscript>): DigestPoster {
  const sent = new Map<string, string>();
  return {
    platform: 'console',
    async post(_target, message, idempotencyKey) {
      const earlier = sent.get(idempotencyKey);
      if (earlier) return { messageId: earlier };
      // A message without papers (the digest header) gets no number: nothing to react to. Its key is a unique id.
      const messageId = (await send(renderOneMessage(message), null)) ?? idempotencyKey;
      sent.set(idempotencyKey, messageId);
      return { messageId };
    },
  };
}

/** The console's digest poster alone, for `papers post-daily`: only the posted messages, no banner or prompt. */
export function createConsolePoster(deps: PosterDeps, output: Writable): DigestPoster {
  return transcriptPoster(consoleTranscript(deps.services, output));
}

/**
 * The console adapter: a chat channel in the terminal. Reads lines (a prompt on a TTY, or piped
 * input), runs `/papers ...` through the same dispatch as every platform, and prints replies as
 * numbered messages that `react <n> <emoji>` can bookmark from.
 */
export async function startConsole(deps: AdapterDeps, io: ConsoleIO = { input: process.stdin, output: process.stdout }): Promise<RunningAdapter> {
  const { services: svc, log } = deps;
  const user = io.userName ?? 'you';
  const send = consoleTranscript(svc, io.output);
  const write = (text: string) => io.output.write(text);

  async function answer(reply: Reply): Promise<void> {
    if (reply.visibility === 'private') write(`${PRIVATE_MARK}\n`);
    for (const message of renderMessages(reply)) await send(message, 'answer');
  }

  async function handleLine(line: string): Promise<boolean> {
    const input = translate(line, user);
    switch (input.kind) {
      case 'nothing':
        return true;
      case 'quit':
        return false;
      case 'notice':
        write(`${input.text}\n`);
        return true;
      case 'command':
        await answer(await dispatch(input.inv, svc));
        return true;
      case 'reaction': {
        const reply = await handleReaction(
          { platform: 'console', channelId: CONSOLE_CHANNEL, messageId: input.messageId, userId: user, reaction: input.reaction, added: input.added },
          svc,
        );
        if (reply) await answer(reply);
        else write(`(message ${input.messageId} carries no paper of the bot's; nothing happens)\n`);
        return true;
      }
    }
  }

  const rl = createInterface({ input: io.input, output: io.output, terminal: Boolean((io.input as { isTTY?: boolean }).isTTY) });
  const interactive = Boolean((io.input as { isTTY?: boolean }).isTTY);
  rl.setPrompt('papers> ');
  const note = svc.sourceStatus().note;
  write(`papers console: you are "${user}" in channel #${CONSOLE_CHANNEL}.\n${note ? `${note}\n` : ''}${CONSOLE_HELP}\n`);

  // Lines are handled one at a time, in order, so a `react` always sees the message printed before it.
  const loop = (async () => {
    if (interactive) rl.prompt();
    for await (const line of rl) {
      let more = true;
      try {
        more = await handleLine(line);
      } catch (err) {
        log.error({ err }, 'console line failed');
        write('Something went wrong with that line; the error was logged.\n');
      }
      if (!more) break;
      if (interactive) rl.prompt();
    }
    rl.close();
    io.onEnd?.();
  })();

  return {
    platform: 'console',
    poster: transcriptPoster(send),
    ownsHttpPort: false,
    async stop() {
      rl.close();
      await loop;
    },
  };
}
