import type { Paper } from '../../src/model/paper';

/**
 * Plain-text helpers every chat renderer shares. They never escape: each renderer escapes for its
 * own markup after using them.
 */

/** Cuts text to at most max characters, at a word boundary when there is one nearby, with `…`. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${space > max * 0.6 ? cut.slice(0, space) : cut}…`;
}

/** Folds line breaks and runs of white space, for titles and abstracts shown on one line. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Who wrote it, short: the organization, else up to three authors, else the author count. */
export function byline(paper: Paper): string | null {
  if (paper.organization) return paper.organization;
  if (paper.authors.length > 0) {
    const shown = paper.authors.slice(0, 3).join(', ');
    return paper.authors.length > 3 ? `${shown} et al.` : shown;
  }
  return paper.authorCount ? `${paper.authorCount} authors` : null;
}

/**
 * An untrusted URL, normalized, when it is http(s); null for anything else (javascript:, data:,
 * garbage), so it never becomes a link, image or button. Parsing also percent-encodes spaces, `<`
 * and `>`; renderers encode what else their markup reads (Slack `|`, Discord `)`).
 */
export function httpUrl(url: string | null): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : null;
  } catch {
    return null;
  }
}
