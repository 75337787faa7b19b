import type { Platform } from './command';

/** The reactions the bot acts on: 🔖 on a paper, keycap n on the n-th paper of a list. */
export type ReactionKind = { kind: 'bookmark' } | { kind: 'keycap'; n: number };

export interface ReactionEvent {
  platform: Platform;
  channelId: string;
  messageId: string;
  userId: string;
  reaction: ReactionKind;
  /** False when the reaction was taken back. */
  added: boolean;
}

/** Emoji shortcodes of the keycaps 1…10, as chat platforms name them (`:one:` … `:keycap_ten:`). */
const KEYCAP_SHORTCODES = ['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'keycap_ten'];

/**
 * The reaction the bot acts on, from a Unicode emoji or its shortcode (`bookmark`, `one` …
 * `keycap_ten`, with or without colons). Null for any other emoji.
 */
export function reactionFromEmoji(emoji: string): ReactionKind | null {
  const e = emoji.trim().replace(/^:(.*):$/, '$1');
  if (e === '🔖' || e === 'bookmark') return { kind: 'bookmark' };
  if (e === '🔟') return { kind: 'keycap', n: 10 };
  const keycap = /^([1-9])\uFE0F?\u20E3$/.exec(e);
  if (keycap) return { kind: 'keycap', n: Number(keycap[1]) };
  const named = KEYCAP_SHORTCODES.indexOf(e);
  return named >= 0 ? { kind: 'keycap', n: named + 1 } : null;
}
