import type { Writable } from 'node:stream';
import type { CommandTransport, ReactionTransport, SentMessage } from '../../src/chat/runtime';
import type { Reply } from '../../src/chat/reply';
import { PRIVATE_MARK, renderMessages, type ConsoleMessage } from './render';
import { CONSOLE_CHANNEL } from './translate';

/** Prints one message; returns its number when it carries papers (one can react to it), else null. */
export type PrintMessage = (message: ConsoleMessage) => Promise<string | null>;

/**
 * How the console answers: at once (a terminal has no deadline), each paper of a reply its own
 * numbered message. Every numbered message can be reacted to, private ones too: the terminal is
 * the user's own.
 */
export function consoleTransports(print: PrintMessage, output: Writable): { command: CommandTransport; reaction: ReactionTransport } {
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
  };
}
