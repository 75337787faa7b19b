import type { Paper } from '../../src/model/paper';

/** Escapes Markdown so an untrusted title shows as text, not as links or emphasis. */
function escapeMarkdown(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/([\\`*_{}[\]()<>#+!|~-])/g, '\\$1');
}

/** A Markdown reading list: one bullet per paper with its link, authors and year. */
export function toMarkdown(papers: Paper[]): string {
  const lines = papers.map((p) => {
    const url = p.arxivId ? `https://arxiv.org/abs/${p.arxivId}` : p.url;
    const title = url ? `[${escapeMarkdown(p.title)}](${url})` : escapeMarkdown(p.title);
    const by = p.authors.length ? p.authors.slice(0, 3).join(', ') + (p.authors.length > 3 ? ' et al.' : '') : p.organization;
    return `- ${title}${by ? ` — ${escapeMarkdown(by)}` : ''} (${p.publishedAt.slice(0, 4)})${p.arxivId ? ` arXiv:${p.arxivId}` : ''}`;
  });
  return `# Bookmarked papers\n\n${lines.join('\n')}\n`;
}
