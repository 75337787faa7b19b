import type { PaperControl } from './reply';

/**
 * How a control names what it does, on every platform (Discord's custom_id, Slack's action_id, the
 * console's `click`): `p1:save:2510.11696` is version 1, the action, the paper. A picker names no
 * paper (`p1:save`): the choice carries it. Nothing in it grants anything: who clicked always comes
 * from the platform's event, so a forged id can only act on the clicker's own data.
 */

/** Bumped when what an id means changes; a click on an older one is answered as expired. */
export const CONTROL_VERSION = 1;

/** What a click can ask for: a paper's controls, and taking a bookmark out (Slack's Home tab). */
export type ControlAction = PaperControl | 'remove';
const ACTIONS: readonly ControlAction[] = ['save', 'similar', 'abstract', 'discuss', 'remove'];

/** Discord's custom_id is at most 100 characters; the prefix and action take at most 14. */
const MAX_PAPER_ID = 80;

/** Every id the bot draws starts so (`p` and a version), and nothing else it draws does. */
export const CONTROL_ID_PATTERN = /^p\d{1,3}:/;

/** The id of a control; null when the paper's id is too long for any platform to carry. */
export function controlId(action: ControlAction, paperId?: string): string | null {
  if (paperId !== undefined && (paperId.length === 0 || paperId.length > MAX_PAPER_ID)) return null;
  return `p${CONTROL_VERSION}:${action}${paperId === undefined ? '' : `:${paperId}`}`;
}

export type ParsedControl =
  | { readonly kind: 'current'; readonly action: ControlAction; readonly paperId: string | null }
  /** Drawn by another version (or naming an action this one lacks): the paper it names, when it does. */
  | { readonly kind: 'expired'; readonly paperId: string | null };

/** What a control id says, or null when it is not one of the bot's. */
export function parseControlId(id: string): ParsedControl | null {
  const m = /^p(\d{1,3}):([a-z-]{1,20})(?::(.{1,100}))?$/s.exec(id);
  if (!m) return null;
  const action = ACTIONS.find((a) => a === m[2]);
  const paperId = m[3] ?? null;
  if (Number(m[1]) !== CONTROL_VERSION || !action) return { kind: 'expired', paperId };
  return { kind: 'current', action, paperId };
}
