import { createInterface } from 'node:readline';
import type { Writable } from 'node:stream';
import type { AdapterContext, ConnectedAdapter, PosterContext } from '../../src/chat/adapter';
import type { Services } from '../../src/chat/command';
import type { DigestPoster } from '../../src/chat/poster';
import { CONSOLE_CHANNEL, CONSOLE_HELP, consoleInvocation, translate } from './translate';
import { formatMessage, renderOneMessage } from './render';
import type { ConsoleSettings } from './settings';
import { consoleThreads, consoleTransports, type PrintMessage } from './transport';
import { controlId } from '../../src/chat/controls';

/** Message numbers continue across runs, so a number always means the same message in the posts table. */
const COUNTER_KEY = 'console:lastMessageId';

/** Prints messages; one carrying papers gets the next number, which is its message id. */
function consoleTranscript(svc: Services, output: Writable): PrintMessage {
  let lastId = 0;
  let loaded: Promise<void> | null = null;
  return async (message) => {
    if (message.paperIds.length === 0) {
      output.write(formatMessage(message, null));
      return null;
    }
    // Loaded once, before the first number; ++ after it keeps concurrent prints apart.
    loaded ??= svc.store.meta.get(COUNTER_KEY).then((stored) => void (lastId = Number(stored ?? 0)));
    await loaded;
    const id = ++lastId;
    await svc.store.meta.set(COUNTER_KEY, String(id));
    output.write(formatMessage(message, id));
    return String(id);
  };
}

/** Digest messages printed as numbered console messages; a re-send of a key prints nothing. */
function transcriptPoster(print: PrintMessage, output: Writable): DigestPoster {
  const sent = new Map<string, string>();
  return {
    platform: 'console',
    threads: consoleThreads(output),
    // The terminal is its one user's: a direct message is printed there, marked as one.
    openDirect: async ({ userId }) => ({ platform: 'console', workspaceId: null, channelId: `@${userId}`, userId }),
    async post(target, message, idempotencyKey) {
      const earlier = sent.get(idempotencyKey);
      if (earlier) return { messageId: earlier };
      if (target.userId) output.write(`(direct message to ${target.userId})\n`);
      // A message without papers (the digest header) gets no number: nothing to react to. Its key is a unique id.
      const messageId = (await print(renderOneMessage(message))) ?? idempotencyKey;
      sent.set(idempotencyKey, messageId);
      return { messageId };
    },
  };
}

/** The console's digest poster alone, for `papers post-daily`: only the posted messages, no banner or prompt. */
export function createConsolePoster(ctx: PosterContext): DigestPoster {
  return transcriptPoster(consoleTranscript(ctx.services, ctx.output), ctx.output);
}

/**
 * The console adapter: a chat channel in the terminal. Reads lines (a prompt on a TTY, or piped
 * input) and hands `/papers ...`, `react` and `click` to the chat runtime like every platform;
 * replies are printed as numbered messages that `react <n> <emoji>` and `click <n> save` act on.
 */
export async function startConsole(ctx: AdapterContext, settings: ConsoleSettings): Promise<ConnectedAdapter> {
  const { services: svc, log, runtime, terminal } = ctx;
  const user = terminal.user ?? 'you';
  const print = consoleTranscript(svc, terminal.output);
  const transport = consoleTransports(print, terminal.output);
  const write = (text: string) => terminal.output.write(text);

  async function handleLine(line: string): Promise<boolean> {
    const input = translate(line);
    switch (input.kind) {
      case 'nothing':
        return true;
      case 'quit':
        return false;
      case 'notice':
        write(`${input.text}\n`);
        return true;
      case 'command':
        await runtime.command(() => consoleInvocation(input.text, user, settings.admins), transport.command);
        return true;
      case 'reaction': {
        const ev = { platform: 'console', channelId: CONSOLE_CHANNEL, messageId: input.messageId, userId: user, reaction: input.reaction, added: input.added };
        if (!(await runtime.reaction(ev, transport.reaction))) write(`(message ${input.messageId} carries no paper of the bot's; nothing happens)\n`);
        return true;
      }
      case 'click': {
        const { messageId, action, entry } = input;
        // The console's controls name no paper: the message's record (and the entry) says which.
        const click = { platform: 'console', workspaceId: null, channelId: CONSOLE_CHANNEL, messageId, userId: user, control: controlId(action)!, entry };
        await runtime.click(() => click, transport.click);
        return true;
      }
    }
  }

  const interactive = Boolean((terminal.input as { isTTY?: boolean }).isTTY);
  const rl = createInterface({ input: terminal.input, output: terminal.output, terminal: interactive });
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
    ctx.requestStop('end of console input');
  })();

  return {
    poster: transcriptPoster(print, terminal.output),
    routes: [],
    async close() {
      rl.close();
      await loop;
    },
  };
}
