import { isListedAdmin, type Invocation } from '../../src/chat/command';
import { PAPER_CONTROLS, type PaperControl } from '../../src/chat/reply';
import { reactionFromEmoji, type ReactionKind } from '../../src/chat/reaction';
import { parseCommandText } from '../../commands/kit/text';
import { TARGET_CHANNEL_OPTION } from '../../commands/kit/channel';

/** The console is one channel. */
export const CONSOLE_CHANNEL = 'console';

/** What one typed line asks for. */
export type ConsoleInput =
  /** `/papers …`: the text after `papers`, read by consoleInvocation in the runtime (which answers bad text). */
  | { kind: 'command'; text: string }
  | { kind: 'reaction'; messageId: string; reaction: ReactionKind; added: boolean }
  /** `click <message> <control> [n]`: what clicking that control of the message does. */
  | { kind: 'click'; messageId: string; action: PaperControl; entry?: number }
  /** Feedback from the console itself (a typo, an emoji the bot ignores). */
  | { kind: 'notice'; text: string }
  | { kind: 'quit' }
  | { kind: 'nothing' };

export const CONSOLE_HELP = [
  'Type /papers help for the commands, e.g. /papers today.',
  'react <message> <emoji> reacts to a numbered message as a chat user would: 🔖 (or bookmark) on a paper, 1️⃣…🔟 (or a number) on a list; unreact <message> <emoji> takes it back.',
  'click <message> save|similar|abstract|discuss [n] clicks that button of a numbered message (n: the entry of a list).',
  'quit (or end of input) leaves.',
].join('\n');

/** An emoji as typed: the emoji itself, a Slack-style name, or a plain number for a keycap (easier to type). */
function reactionOf(emoji: string): ReactionKind | null {
  if (/^(10|[1-9])$/.test(emoji)) return { kind: 'keycap', n: Number(emoji) };
  return reactionFromEmoji(emoji);
}

/** The invocation a `/papers …` line asks for; UserError when its text is not a command. */
export function consoleInvocation(text: string, user: string, admins: readonly string[]): Invocation {
  const { command, args } = parseCommandText(text);
  // Like Slack, no permission bits: CONSOLE_ADMINS says who may (anyone, unless it is set), in any channel.
  const canManage = isListedAdmin(user, admins);
  const target = args[TARGET_CHANNEL_OPTION.name];
  return {
    platform: 'console',
    command,
    args,
    user: { id: user, name: user },
    channel: { id: CONSOLE_CHANNEL, isDirect: false },
    canManageChannel: canManage,
    ...(target !== undefined ? { namedChannels: [{ id: String(target), canManage }] } : {}),
  };
}

export function translate(line: string): ConsoleInput {
  const text = line.trim();
  if (text === '') return { kind: 'nothing' };
  if (/^(quit|exit)$/i.test(text)) return { kind: 'quit' };

  const command = /^\/?papers(?:\s+(.*))?$/i.exec(text);
  if (command) return { kind: 'command', text: command[1] ?? 'help' };

  const reaction = /^(un)?react\s+(\S+)\s+(\S+)$/i.exec(text);
  if (reaction) {
    const message = reaction[2]!;
    const emoji = reaction[3]!;
    if (!/^[1-9]\d*$/.test(message)) return { kind: 'notice', text: `"${message}" is not a message number; use the number in [brackets], e.g. react 1 🔖.` };
    const kind = reactionOf(emoji);
    if (!kind) return { kind: 'notice', text: `The bot does not act on ${emoji}; it reacts to 🔖 on a paper and 1️⃣…🔟 on a list.` };
    return { kind: 'reaction', messageId: message, reaction: kind, added: !reaction[1] };
  }
  if (/^(un)?react\b/i.test(text)) return { kind: 'notice', text: 'Usage: react <message number> <emoji>, e.g. react 1 🔖' };
  if (/^click\b/i.test(text)) return readClick(text);
  return { kind: 'notice', text: CONSOLE_HELP };
}

const CLICK_USAGE = `Usage: click <message number> ${PAPER_CONTROLS.join('|')} [entry], e.g. click 1 save, or click 7 save 3 on a list`;

/** `click <message> <control> [n]`, checked word by word so a typo is told what is accepted. */
function readClick(text: string): ConsoleInput {
  const [, message, control, entry, ...extra] = text.split(/\s+/);
  if (!message || !control || extra.length > 0) return { kind: 'notice', text: CLICK_USAGE };
  if (!/^[1-9]\d*$/.test(message)) return { kind: 'notice', text: `"${message}" is not a message number; use the number in [brackets], e.g. click 1 save.` };
  const action = PAPER_CONTROLS.find((c) => c === control.toLowerCase());
  if (!action) return { kind: 'notice', text: `There is no "${control}" button; a paper has ${PAPER_CONTROLS.join(', ')}.` };
  if (entry !== undefined && !/^(10|[1-9])$/.test(entry)) return { kind: 'notice', text: `"${entry}" is not an entry number from 1 to 10.` };
  return { kind: 'click', messageId: message, action, ...(entry ? { entry: Number(entry) } : {}) };
}
