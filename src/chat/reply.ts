import type { Paper } from '../model/paper';

/**
 * What a command says, not how a platform shows it. Each adapter's render.ts turns a Reply into
 * its platform's message and owns escaping, length limits and truncation.
 * All strings here are plain text (never markup); paper fields are untrusted.
 * Replies are values: one may be shared by many requests (`/papers today`) and renderers cache by
 * identity, so nothing may change one after it is made; the types say so.
 */
export type Block =
  | { readonly kind: 'text'; readonly text: string }
  /** A ranked list. On a list message, keycap k bookmarks items[k-1]. */
  | { readonly kind: 'papers'; readonly items: readonly { readonly rank: number; readonly paper: Paper; readonly reason: string }[] }
  /** One paper in full. */
  | { readonly kind: 'paper'; readonly paper: Paper; readonly reason?: string }
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

/** The papers a reply shows, in order, so adapters can record which message carries which paper. */
export function papersOf(reply: Reply): Paper[] {
  return reply.blocks.flatMap((b) => (b.kind === 'papers' ? b.items.map((i) => i.paper) : b.kind === 'paper' ? [b.paper] : []));
}

/** The ids of the papers a reply shows, in order: what a message carrying it is recorded with. */
export function paperIdsOf(reply: Reply): string[] {
  return papersOf(reply).map((p) => p.id);
}
