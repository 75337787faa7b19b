import type { Paper } from '../../src/model/paper';

/**
 * BibTeX for bookmarked papers, in the form arXiv itself suggests (@misc with eprint and
 * archivePrefix), so Zotero, JabRef and BibDesk import it. Field values are untrusted text: LaTeX
 * specials are escaped, which also keeps a stray brace from closing the field early.
 */
const LATEX_SPECIALS: Record<string, string> = {
  '\\': '\\textbackslash{}',
  '{': '\\{',
  '}': '\\}',
  '&': '\\&',
  '%': '\\%',
  $: '\\$',
  '#': '\\#',
  _: '\\_',
  '~': '\\textasciitilde{}',
  '^': '\\textasciicircum{}',
};

export function escapeBibtex(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[\\{}&%$#_~^]/g, (c) => LATEX_SPECIALS[c]!);
}

/** `vaswani2017attention`: first author's family name, year, first significant title word; ASCII only. */
function baseKey(paper: Paper): string {
  const ascii = (s: string) =>
    s
      .normalize('NFKD')
      .replace(/[^A-Za-z0-9\s-]/g, '')
      .toLowerCase();
  const family =
    ascii(paper.authors[0] ?? paper.organization ?? '')
      .trim()
      .split(/\s+/)
      .pop() || 'paper';
  const word =
    ascii(paper.title)
      .split(/[\s-]+/)
      .find((w) => w.length > 3 && !['with', 'from', 'that', 'this', 'towards'].includes(w)) ?? '';
  return `${family}${paper.publishedAt.slice(0, 4)}${word}`;
}

function entry(paper: Paper, key: string): string {
  const fields: [string, string][] = [['title', `{${escapeBibtex(paper.title)}}`]];
  const authors = paper.authors.length ? paper.authors.map(escapeBibtex).join(' and ') : paper.organization ? `{${escapeBibtex(paper.organization)}}` : null;
  if (authors) fields.push(['author', authors]);
  fields.push(['year', paper.publishedAt.slice(0, 4)]);
  if (paper.arxivId) fields.push(['eprint', paper.arxivId], ['archivePrefix', 'arXiv']);
  const primary = paper.categories?.[0];
  if (paper.arxivId && primary) fields.push(['primaryClass', escapeBibtex(primary)]);
  const url = paper.arxivId ? `https://arxiv.org/abs/${paper.arxivId}` : paper.url;
  if (url) fields.push(['url', url]);
  const width = Math.max(...fields.map(([name]) => name.length));
  return `@misc{${key},\n${fields.map(([name, value]) => `  ${name.padEnd(width)} = {${value}},`).join('\n')}\n}`;
}

/** One entry per paper; citation keys are unique within the file (`…a`, `…b` on collisions). */
export function toBibtex(papers: Paper[]): string {
  const used = new Map<string, number>();
  const entries = papers.map((paper) => {
    const base = baseKey(paper);
    const seen = used.get(base) ?? 0;
    used.set(base, seen + 1);
    return entry(paper, seen === 0 ? base : `${base}${String.fromCharCode(96 + seen)}`);
  });
  return `${entries.join('\n\n')}\n`;
}
