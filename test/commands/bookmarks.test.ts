import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dispatch } from '../../commands/kit/dispatch';
import { invocation, testServices, NOW } from './services';
import { paperIdsOf, textOf } from './reply-text';

let t: Awaited<ReturnType<typeof testServices>>;
beforeEach(async () => {
  t = await testServices();
  for (const [i, paperId] of ['2510.11696', '2510.11690', '2510.10689'].entries())
    await t.svc.store.bookmarks.add({ platform: 'console', userId: 'ada', paperId, messageId: null, at: new Date(NOW.getTime() + i * 1000) });
});
afterEach(async () => t.cleanup());

describe('bookmarks', () => {
  it("lists the caller's bookmarks, numbered oldest first, privately", async () => {
    const reply = await dispatch(invocation('bookmarks'), t.svc);
    expect(reply.visibility).toBe('private');
    expect(paperIdsOf(reply)).toEqual(['2510.11696', '2510.11690', '2510.10689']);
    expect(textOf(reply)).toContain('Your bookmarks (3):');
    // The plain-text fallback keeps the items apart.
    expect(reply.fallback).toMatch(/^Your bookmarks \(3\): 1\. \S.* 2\. \S.* 3\. \S/);
  });

  it("never shows another user's bookmarks", async () => {
    const reply = await dispatch(invocation('bookmarks', { action: 'list' }, { user: { id: 'bob', name: 'Bob' } }), t.svc);
    expect(textOf(reply)).toMatch(/^You have no bookmarks yet/);
  });

  it('removes one by its number or by paper id', async () => {
    expect(textOf(await dispatch(invocation('bookmarks', { action: 'remove', item: '2' }), t.svc))).toMatch(/^Removed "Diffusion Transformers/);
    expect(textOf(await dispatch(invocation('bookmarks', { action: 'remove', item: 'https://arxiv.org/abs/2510.11696' }), t.svc))).toMatch(/^Removed "QeRL/);
    expect(paperIdsOf(await dispatch(invocation('bookmarks'), t.svc))).toEqual(['2510.10689']);
  });

  it('exports BibTeX with one entry per bookmark', async () => {
    const reply = await dispatch(invocation('bookmarks', { action: 'export', format: 'bibtex' }), t.svc);
    const file = reply.blocks.find((b) => b.kind === 'file');
    expect(file?.kind === 'file' && file.name).toBe('bookmarks.bib');
    const bib = textOf(reply);
    expect(bib.match(/^@misc\{/gm)).toHaveLength(3);
    expect(bib).toContain('eprint        = {2510.11696}');
    expect(bib).toContain('archivePrefix = {arXiv}');
    expect(bib).toContain('url           = {https://arxiv.org/abs/2510.11696}');
  });

  it('exports Markdown, and BibTeX when no format is named', async () => {
    expect(textOf(await dispatch(invocation('bookmarks', { action: 'export', format: 'markdown' }), t.svc))).toContain(
      '- [QeRL: Beyond Efficiency \\-\\- Quantization\\-enhanced',
    );
    expect(textOf(await dispatch(invocation('bookmarks', { action: 'export' }), t.svc))).toContain('@misc{');
  });

  it('says what an export holds, names the file and its type, and lists each with the day it was saved', async () => {
    const bib = await dispatch(invocation('bookmarks', { action: 'export' }), t.svc);
    expect(bib.blocks[0]).toEqual({ kind: 'text', text: 'Your 3 bookmarks as BibTeX:' });
    expect(bib.blocks[1]).toMatchObject({ kind: 'file', name: 'bookmarks.bib', mime: 'application/x-bibtex' });
    expect(bib.fallback).toBe('Your 3 bookmarks as BibTeX: bookmarks.bib');
    await t.svc.store.bookmarks.remove('console', 'ada', '2510.11690');
    await t.svc.store.bookmarks.remove('console', 'ada', '2510.10689');
    const md = await dispatch(invocation('bookmarks', { action: 'export', format: 'markdown' }), t.svc);
    expect(md.blocks[0]).toEqual({ kind: 'text', text: 'Your 1 bookmark as Markdown:' });
    expect(md.blocks[1]).toMatchObject({ kind: 'file', name: 'bookmarks.md', mime: 'text/markdown' });
    const list = await dispatch(invocation('bookmarks'), t.svc);
    expect(list.blocks[1]).toMatchObject({ kind: 'papers', items: [{ rank: 1, reason: `bookmarked ${NOW.toISOString().slice(0, 10)}` }] });
    expect(list.fallback).toMatch(/^Your bookmarks \(1\): 1\. QeRL/);
  });

  it('answers an empty list the same way for list, export and remove by number', async () => {
    const bob = { user: { id: 'bob', name: 'Bob' } };
    const asked: Record<string, string>[] = [{}, { action: 'export' }, { action: 'remove', item: '1' }];
    for (const args of asked) {
      const reply = await dispatch(invocation('bookmarks', args, bob), t.svc);
      expect(textOf(reply)).toBe('You have no bookmarks yet. React with 🔖 on a paper, or with a number on a list, to save it.');
    }
  });

  it('reads a format typed where the item goes (`bookmarks export ris`) as the format', async () => {
    expect(textOf(await dispatch(invocation('bookmarks', { action: 'export', item: 'ris' }), t.svc))).toBe(
      'format must be one of bibtex, markdown (got "ris")',
    );
  });

  it.each([
    [{ action: 'remove' }, 'Say which bookmark to remove: its number in your list or the paper id, e.g. /papers bookmarks remove 2.'],
    [{ action: 'remove', item: '7' }, 'Pick a number from 1 to 3 (your bookmarks list).'],
    // A number of two digits is still a list number, not a paper id.
    [{ action: 'remove', item: '12' }, 'Pick a number from 1 to 3 (your bookmarks list).'],
    [{ action: 'export', item: 'x', format: 'bibtex' }, '"x" is only used with remove, e.g. /papers bookmarks remove 2.'],
    [{ action: 'remove', item: '2510.11712' }, '"DiT360: High-Fidelity Panoramic Image Generation via Hybrid Training" is not in your bookmarks.'],
    [
      { action: 'remove', item: 'nonsense' },
      '"nonsense" is not an arXiv id or paper link. Try an id like 2510.08673 or a link like https://arxiv.org/abs/2510.08673.',
    ],
    [{ action: 'share' }, 'action must be one of list, remove, export (got "share")'],
    [{ action: 'export', format: 'ris' }, 'format must be one of bibtex, markdown (got "ris")'],
    [{ item: '3' }, '"3" is only used with remove, e.g. /papers bookmarks remove 2.'],
    [{ format: 'markdown' }, 'A format is only used with export, e.g. /papers bookmarks export bibtex.'],
  ])('refuses %o', async (args, message) => {
    const reply = await dispatch(invocation('bookmarks', args), t.svc);
    expect(reply.visibility).toBe('private');
    expect(textOf(reply)).toBe(message);
  });
});
