import type { Paper } from '../model/paper';

/**
 * What a person can do with a paper from its message: save it (a toggle of their bookmark), see
 * similar papers, read its abstract, discuss it in a thread. Each platform draws them as it can
 * (buttons, a menu, a typed `click`); every answer to one is private.
 */
export type PaperControl = 'save' | 'similar' | 'abstract' | 'discuss';

/** Every control of a paper, in the order platforms show them. */
export const PAPER_CONTROLS: readonly PaperControl[] = ['save', 'similar', 'abstract', 'discuss'];

/**
 * What a command says, not how a platform shows it. Each adapter's render.ts turns a Reply into
 * its platform's message and owns escaping, length limits and truncation.
 * All strings here are plain text (never markup); paper fields are untrusted.
 * Replies are values: one may be shared by many requests (`/papers today`) and renderers cache by
 * identity, so nothing may change one after it is made; the types say so.
 */
export type Block =
  | { readonly kind: 'text'; readonly text: string }
  /**
   * A ranked list. On a list message, keycap k bookmarks items[k-1]. `picker: 'save'` offers one
   * control that saves the entry the person picks.
   */
  | {
      readonly kind: 'papers';
      readonly items: readonly { readonly rank: number; readonly paper: Paper; readonly reason: string }[];
      readonly picker?: 'save';
    }
  /**
   * One paper in full, with the controls its message offers. `topics`: the channel's topics it
   * matches, for platforms that label posts (Discord forum tags).
   */
  | {
      readonly kind: 'paper';
      readonly paper: Paper;
      readonly reason?: string;
      readonly controls?: readonly PaperControl[];
      readonly topics?: readonly string[];
    }
  /** A paper's abstract in full, its AI summary when the source has one, and its links. */
  | { readonly kind: 'abstract'; readonly paper: Paper }
  | { readonly kind: 'fields'; readonly fields: readonly { readonly label: string; readonly value: string }[] }
  /** A document to hand over (bookmark export); chat platforms show it as a code block or file. */
  | { readonly kind: 'file'; readonly name: string; readonly mime: string; readonly content: string };

export interface Reply {
  readonly blocks: readonly Block[];
  /** private: only the caller sees it (Discord ephemeral, Slack postEphemeral/response_type). */
  readonly visibility: 'public' | 'private';
  /** Plain-text summary for notifications and clients that cannot show rich content. */
  readonly fallback: string;
}

export function textReply(text: string, visibility: Reply['visibility'] = 'private'): Reply {
  return { blocks: [{ kind: 'text', text }], visibility, fallback: text };
}

/** The papers a set of blocks shows, in order (an abstract is about a paper, not a paper shown). */
function papersOfBlocks(blocks: readonly Block[]): Paper[] {
  return blocks.flatMap((b) => (b.kind === 'papers' ? b.items.map((i) => i.paper) : b.kind === 'paper' ? [b.paper] : []));
}

/** The papers a reply shows, in order, so adapters can record which message carries which paper. */
export function papersOf(reply: Reply): Paper[] {
  return papersOfBlocks(reply.blocks);
}

/** The ids of the papers a reply shows, in order: what a message carrying it is recorded with. */
export function paperIdsOf(reply: Reply): string[] {
  return papersOf(reply).map((p) => p.id);
}

/** What one message's controls come to: its paper's buttons, or one Save picker over its papers. */
export type MessageControls =
  | { readonly kind: 'buttons'; readonly paper: Paper; readonly controls: readonly PaperControl[] }
  | { readonly kind: 'picker'; readonly papers: readonly Paper[] };

/**
 * The controls a message made of these blocks offers. A message of one paper shows that paper's
 * controls; a message of several (a list, or `today` as one platform message) shows one Save
 * picker over them in display order, since buttons for each would not fit (Discord allows five
 * rows) and a thread belongs to a whole message. Null when it offers none.
 */
export function messageControls(blocks: readonly Block[]): MessageControls | null {
  const papers = papersOfBlocks(blocks);
  const single = blocks.filter((b) => b.kind === 'paper');
  if (papers.length === 1 && single.length === 1 && single[0]!.controls?.length)
    return { kind: 'buttons', paper: single[0]!.paper, controls: single[0]!.controls };
  const offersSave = blocks.some((b) => (b.kind === 'papers' && b.picker === 'save') || (b.kind === 'paper' && b.controls?.includes('save')));
  return papers.length > 1 && offersSave ? { kind: 'picker', papers } : null;
}
