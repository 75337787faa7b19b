import type { Writable } from 'node:stream';
import type { ClickTransport, CommandTransport, ReactionTransport, SentMessage } from '../../src/chat/runtime';
import type { Reply } from '../../src/chat/reply';
import type { ThreadOpener } from '../../src/chat/threads';
import { PRIVATE_MARK, formatThread, renderMessages, type ConsoleMessage } from './render';
import { CONSOLE_CHANNEL } from './translate';

/** Prints one message; returns its number when it carries papers (one can react to it), else null. */
export type PrintMessage = (message: ConsoleMessage) => Promise<string | null>;

/** Threads in the terminal: printed under the message they are on, named `<message>.thread`. */
export function consoleThreads(output: Writable): ThreadOpener {
  return {
    async openThread(site, request) {
      output.write(formatThread(site.messageId, request.name, request.starter));
      return { threadId: `${site.messageId}.thread` };
    },
  };
}

/**
 * How the console answers: at once (a terminal has no deadline), each paper of a reply its own
 * numbered message. Every numbered message can be reacted to and clicked, private ones too: the
 * terminal is the user's own.
 */
export function consoleTransports(print: PrintMessage, output: Writable): { command: CommandTransport; reaction: ReactionTransport; click: ClickTransport } {
  async function show(reply: Reply): Promise<SentMessage[]> {
    if (reply.visibility === 'private') output.write(`${PRIVATE_MARK}\n`);
    const sent: SentMessage[] = [];
    for (const message of renderMessages(reply)) {
      const messageId = await print(message);
      if (messageId !== null) sent.push({ messageId, paperIds: message.paperIds });
    }
    return sent;
  }
  return {
    command: {
      platform: 'console',
      channelId: CONSOLE_CHANNEL,
      deferAfterMs: null,
      publicAnswerFirst: true,
      answer: show,
      defer: async () => {},
      answerDeferred: show,
    },
    reaction: { confirm: async (reply) => void (await show(reply)) },
    click: {
      platform: 'console',
      deferAfterMs: null,
      answerFirst: true,
      answer: async (reply) => void (await show(reply)),
      defer: async () => {},
      answerDeferred: async (reply) => void (await show(reply)),
      threads: consoleThreads(output),
    },
  };
}
