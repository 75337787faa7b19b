import { ZodError } from 'zod';
import { PaperSchema, type Paper, type PaperSource } from '../model/paper';
import { slugify } from '../model/ids';

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it removes.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/**
 * Listing text is untrusted: control characters (terminal escapes, NULs) become spaces and runs of
 * whitespace collapse to one, so titles print safely on one line anywhere.
 */
export function cleanText(text: string): string {
  return text.replace(CONTROL_CHARACTERS, ' ').replace(/\s+/g, ' ').trim();
}

/** `YYYY-MM-DD` from an ISO timestamp or date, or null when it is not a real calendar date. */
export function isoDay(value: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(value.trim());
  if (!m) return null;
  return calendarDate(Number(m[1]), Number(m[2]), Number(m[3]));
}

/** `YYYY-MM-DD` for a year, month (1-12) and day, or null when that day does not exist. */
export function calendarDate(year: number, month: number, day: number): string | null {
  const d = new Date(Date.UTC(year, month - 1, day));
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return null;
  return d.toISOString().slice(0, 10);
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** Month number (1-12) from an English month name or its three-letter abbreviation, else null. */
export function monthNumber(name: string): number | null {
  const i = MONTHS.indexOf(name.slice(0, 3).toLowerCase());
  return i < 0 ? null : i + 1;
}

const GITHUB_REPO = /https?:\/\/github\.com\/[\w.-]+\/[\w.-]+/;

/** The first GitHub repository linked in a text, without trailing punctuation. */
export function firstGithubUrl(text: string): string | null {
  const m = GITHUB_REPO.exec(text);
  return m ? m[0].replace(/[.]+$/, '') : null;
}

/** What a parser knows about a paper; buildPaper fills the rest. */
export interface PaperDraft {
  arxivId: string | null;
  title: string;
  summary: string;
  aiSummary?: string | null;
  authors?: string[];
  authorCount?: number | null;
  organization?: string | null;
  publishedAt: string;
  listedOn?: string | null;
  upvotes?: number;
  url?: string | null;
  pdfUrl?: string | null;
  githubUrl?: string | null;
  keywords?: string[];
  thumbnailUrl?: string | null;
  categories?: string[];
  source: PaperSource;
}

/** A validated Paper from a draft: id from the arXiv id or the title, text cleaned, defaults filled. Throws ZodError. */
export function buildPaper(d: PaperDraft): Paper {
  const title = cleanText(d.title);
  const summary = cleanText(d.summary);
  const authors = (d.authors ?? []).map(cleanText).filter(Boolean);
  return PaperSchema.parse({
    id: d.arxivId ?? slugify(title),
    arxivId: d.arxivId,
    title,
    summary,
    aiSummary: d.aiSummary ? cleanText(d.aiSummary) || null : null,
    authors,
    authorCount: d.authorCount ?? (authors.length > 0 ? authors.length : null),
    organization: d.organization ? cleanText(d.organization) || null : null,
    publishedAt: d.publishedAt,
    listedOn: d.listedOn ?? null,
    upvotes: d.upvotes ?? 0,
    url: d.url ?? null,
    pdfUrl: d.pdfUrl ?? null,
    githubUrl: d.githubUrl ?? firstGithubUrl(summary),
    keywords: (d.keywords ?? []).map(cleanText).filter(Boolean),
    thumbnailUrl: d.thumbnailUrl ?? null,
    source: d.source,
    ...(d.categories ? { categories: d.categories } : {}),
  });
}

/** The first issue of a zod error (or any error) as one readable line. */
export function describeError(err: unknown): string {
  if (err instanceof ZodError) {
    const issue = err.issues[0];
    if (issue) return issue.path.length ? `${issue.path.map(String).join('.')}: ${issue.message}` : issue.message;
  }
  return err instanceof Error ? err.message : String(err);
}
