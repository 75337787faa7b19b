import { z } from 'zod';
import { ParseError } from '../errors';
import { normalizeArxivId } from '../model/ids';
import type { Paper } from '../model/paper';
import { buildPaper, describeError, isoDay } from './fields';
import { parseJson } from './json';
import type { EntryError, ListingFormat, ParsedEntries } from './types';

/*
 * Items of Hugging Face's `GET /api/daily_papers` (and `/api/papers/search`, same shape): the paper
 * itself under `paper`, plus list-level fields. Only what we use is declared; the API adds fields
 * every year and older lists lack some, so everything beyond id/title/date is optional.
 */
const Organization = z.object({ name: z.string(), fullname: z.string().nullish() }).nullish();

const HfPaper = z.object({
  id: z.string().min(1),
  title: z.string().min(1),
  summary: z.string().default(''),
  authors: z.array(z.object({ name: z.string() })).default([]),
  publishedAt: z.string().refine((v) => isoDay(v) !== null, 'expected an ISO date'),
  upvotes: z.number().int().nonnegative().default(0),
  submittedOnDailyAt: z.string().nullish(),
  ai_summary: z.string().nullish(),
  ai_keywords: z.array(z.string()).nullish(),
  githubRepo: z.string().nullish(),
  organization: Organization,
});

const HfItem = z.object({
  paper: HfPaper,
  publishedAt: z.string().nullish(),
  thumbnail: z.string().nullish(),
  organization: Organization,
  /** Only search results carry highlights; their outer publishedAt is not a list date. */
  highlightedTitle: z.unknown().optional(),
});

export function parseHfApi(text: string): ParsedEntries {
  const data = parseJson(text, 'hf-api');
  if (Array.isArray(data)) return parseHfItems(data, { format: 'hf-api', path: '$' });
  if (data && typeof data === 'object') {
    const obj = data as Record<string, unknown>;
    if (Array.isArray(obj.dailyPapers)) return parseHfItems(obj.dailyPapers, { format: 'hf-api', path: '$.dailyPapers' });
    if (typeof obj.error === 'string') throw new ParseError('hf-api', `the API answered with an error: ${obj.error.slice(0, 200)}`, '$.error');
    throw new ParseError('hf-api', `expected an array of daily papers, got an object with keys ${Object.keys(obj).slice(0, 5).join(', ') || '(none)'}`, '$');
  }
  throw new ParseError('hf-api', `expected an array of daily papers, got ${data === null ? 'null' : typeof data}`, '$');
}

/**
 * Reads Daily Papers items. `listDate` is the day of the list when the container knows it (the
 * saved page); otherwise each item's `submittedOnDailyAt`, or for pre-2025 lists the outer
 * `publishedAt`, which was then the time the paper was put on the list.
 */
export function parseHfItems(items: unknown[], opts: { format: ListingFormat; path: string; listDate?: string }): ParsedEntries {
  const papers: Paper[] = [];
  const errors: EntryError[] = [];
  const source = opts.format === 'hf-html' ? 'hf-html' : 'hf-api';
  items.forEach((raw, i) => {
    const at = `${opts.path}[${i}]`;
    const parsed = HfItem.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      errors.push({ where: at + issue.path.map((k) => (typeof k === 'number' ? `[${k}]` : `.${String(k)}`)).join(''), message: issue.message });
      return;
    }
    const { paper: p, ...item } = parsed.data;
    const listedOn =
      opts.listDate ??
      (p.submittedOnDailyAt ? isoDay(p.submittedOnDailyAt) : item.highlightedTitle === undefined && item.publishedAt ? isoDay(item.publishedAt) : null);
    const arxivId = normalizeArxivId(p.id);
    const org = p.organization ?? item.organization;
    try {
      papers.push(
        buildPaper({
          arxivId,
          title: p.title,
          summary: p.summary,
          aiSummary: p.ai_summary ?? null,
          authors: p.authors.map((a) => a.name),
          organization: org ? (org.fullname ?? org.name) : null,
          publishedAt: isoDay(p.publishedAt)!,
          listedOn,
          upvotes: p.upvotes,
          url: `https://huggingface.co/papers/${encodeURIComponent(arxivId ?? p.id)}`,
          pdfUrl: arxivId ? `https://arxiv.org/pdf/${arxivId}` : null,
          githubUrl: p.githubRepo ?? undefined,
          keywords: p.ai_keywords ?? [],
          thumbnailUrl: item.thumbnail ?? null,
          source,
        }),
      );
    } catch (err) {
      errors.push({ where: `${at}.paper`, message: describeError(err) });
    }
  });
  return { papers, errors };
}
