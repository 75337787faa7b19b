import type { Paper } from '../model/paper';

/** Titles compared without case, punctuation or spacing, so copies from two sources match. */
function normalizeTitle(title: string): string {
  return title
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/**
 * One paper per arXiv id or normalized title, in first-seen order. Two records with different
 * arXiv ids are different papers even when their titles agree (e.g. "Technical Report").
 */
export function mergePapers(papers: Paper[]): Paper[] {
  const merged: Paper[] = [];
  const byKey = new Map<string, number>();
  for (const p of papers) {
    const byId = p.arxivId ? byKey.get(`id:${p.arxivId}`) : undefined;
    const byTitle = byKey.get(`title:${normalizeTitle(p.title)}`);
    const conflicting = byTitle !== undefined && p.arxivId !== null && merged[byTitle]!.arxivId !== null && merged[byTitle]!.arxivId !== p.arxivId;
    const at = byId ?? (conflicting ? undefined : byTitle);
    let index: number;
    if (at === undefined) index = merged.push(p) - 1;
    else {
      index = at;
      merged[at] = mergeTwo(merged[at]!, p);
    }
    const m = merged[index]!;
    if (m.arxivId) byKey.set(`id:${m.arxivId}`, index);
    if (!conflicting) byKey.set(`title:${normalizeTitle(m.title)}`, index);
  }
  return merged;
}

/** The richer of each field: known over unknown, longer text and lists, more upvotes, the latest list date. */
function mergeTwo(a: Paper, b: Paper): Paper {
  const arxivId = a.arxivId ?? b.arxivId;
  const keywords = [...a.keywords];
  for (const k of b.keywords) if (!keywords.some((x) => x.toLowerCase() === k.toLowerCase())) keywords.push(k);
  // Only arXiv names them, so an HF record merged with its arXiv one keeps arXiv's.
  const categories = a.categories?.length ? a.categories : b.categories;
  return {
    id: arxivId ?? a.id,
    arxivId,
    title: a.title,
    summary: b.summary.length > a.summary.length ? b.summary : a.summary,
    aiSummary: a.aiSummary ?? b.aiSummary,
    authors: b.authors.length > a.authors.length ? b.authors : a.authors,
    authorCount: a.authorCount ?? b.authorCount,
    organization: a.organization ?? b.organization,
    // The earlier date is the first publication; later ones are revisions or re-listings.
    publishedAt: a.publishedAt <= b.publishedAt ? a.publishedAt : b.publishedAt,
    listedOn: a.listedOn && b.listedOn ? (a.listedOn >= b.listedOn ? a.listedOn : b.listedOn) : (a.listedOn ?? b.listedOn),
    upvotes: Math.max(a.upvotes, b.upvotes),
    url: a.url ?? b.url,
    pdfUrl: a.pdfUrl ?? b.pdfUrl,
    githubUrl: a.githubUrl ?? b.githubUrl,
    keywords,
    thumbnailUrl: a.thumbnailUrl ?? b.thumbnailUrl,
    source: a.source,
    ...(categories ? { categories } : {}),
  };
}
