import { defineCommand } from '../src/chat/command';
import type { Reply } from '../src/chat/reply';
import type { Bookmark, Store } from '../src/store/types';
import { UserError } from '../src/errors';
import { textReply } from '../src/chat/reply';
import { findNamedPaper } from './kit/named-paper';
import { toBibtex } from './kit/bibtex';
import { toMarkdown } from './kit/markdown-export';

const EMPTY = 'You have no bookmarks yet. React with 🔖 on a paper, or with a number on a list, to save it.';

/** The bookmark a user means by its list number or by the paper's id or link. */
async function pickBookmark(store: Store, list: Bookmark[], item: string): Promise<Bookmark> {
  if (/^\d+$/.test(item)) {
    const n = Number(item);
    const picked = list[n - 1];
    if (!picked) throw new UserError(list.length ? `Pick a number from 1 to ${list.length} (your bookmarks list).` : EMPTY);
    return picked;
  }
  const paper = await findNamedPaper(store, item);
  const picked = list.find((b) => b.paper.id === paper.id);
  if (!picked) throw new UserError(`"${paper.title}" is not in your bookmarks.`);
  return picked;
}

/** The caller's own bookmarks: always private, whichever channel asks. */
export const bookmarks = defineCommand({
  name: 'bookmarks',
  description: 'Your bookmarks: list them, remove one, or export them as BibTeX or Markdown',
  visibility: 'private',
  // remove takes a paper out of the caller's own bookmarks.
  changes: 'caller',
  options: [
    { name: 'action', description: 'list (default), remove or export', type: 'string', choices: ['list', 'remove', 'export'], positional: true },
    { name: 'item', description: 'for remove: the number in your list, or the paper id', type: 'string', positional: true },
    { name: 'format', description: 'for export: bibtex (default) or markdown', type: 'string', choices: ['bibtex', 'markdown'], positional: true },
  ],
  async run(inv, svc): Promise<Reply> {
    const { action = 'list', item, format = 'bibtex' } = inv.args;
    // In text form an unknown format word lands in `item` (`bookmarks export ris`): answer about the format.
    if (action === 'export' && item !== undefined && inv.args.format === undefined)
      throw new UserError(`format must be one of bibtex, markdown (got "${item}")`);
    if (action !== 'remove' && item !== undefined) throw new UserError(`"${item}" is only used with remove, e.g. /papers bookmarks remove 2.`);
    if (action !== 'export' && inv.args.format !== undefined) throw new UserError(`A format is only used with export, e.g. /papers bookmarks export bibtex.`);

    const list = await svc.store.bookmarks.list(inv.platform, inv.user.id);
    if (action === 'remove') {
      if (item === undefined) throw new UserError('Say which bookmark to remove: its number in your list or the paper id, e.g. /papers bookmarks remove 2.');
      const picked = await pickBookmark(svc.store, list, item);
      await svc.store.bookmarks.remove(inv.platform, inv.user.id, picked.paper.id);
      return textReply(`Removed "${picked.paper.title}" from your bookmarks.`);
    }
    if (list.length === 0) return textReply(EMPTY);

    const papers = list.map((b) => b.paper);
    if (action === 'export') {
      const file =
        format === 'bibtex'
          ? { kind: 'file' as const, name: 'bookmarks.bib', mime: 'application/x-bibtex', content: toBibtex(papers) }
          : { kind: 'file' as const, name: 'bookmarks.md', mime: 'text/markdown', content: toMarkdown(papers) };
      const text = `Your ${papers.length} bookmark${papers.length === 1 ? '' : 's'} as ${format === 'bibtex' ? 'BibTeX' : 'Markdown'}:`;
      return { blocks: [{ kind: 'text', text }, file], visibility: 'private', fallback: `${text} ${file.name}` };
    }

    const header = `Your bookmarks (${list.length}):`;
    return {
      blocks: [
        { kind: 'text', text: header },
        { kind: 'papers', items: list.map((b, i) => ({ rank: i + 1, paper: b.paper, reason: `bookmarked ${b.createdAt.toISOString().slice(0, 10)}` })) },
      ],
      visibility: 'private',
      fallback: `${header} ${papers.map((p, i) => `${i + 1}. ${p.title}`).join(' ')}`,
    };
  },
});
