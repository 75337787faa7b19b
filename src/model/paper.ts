import { z } from 'zod';

/** `YYYY-MM-DD`, a calendar date with no zone. */
export const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD');

export const PaperSource = z.enum(['hf-api', 'hf-html', 'hf-text', 'arxiv']);
export type PaperSource = z.infer<typeof PaperSource>;

/** One paper as every part of the bot sees it, whichever listing it came from. */
export const PaperSchema = z.object({
  /** arXiv id without version when known (`2212.06336`), else a stable slug of the title. */
  id: z.string().min(1),
  arxivId: z.string().nullable(),
  title: z.string().min(1),
  summary: z.string(),
  aiSummary: z.string().nullable(),
  authors: z.array(z.string()),
  authorCount: z.number().int().nonnegative().nullable(),
  organization: z.string().nullable(),
  /** The paper's own publication date. */
  publishedAt: IsoDate,
  /** The day of the Daily Papers list it came from, when known. */
  listedOn: IsoDate.nullable(),
  upvotes: z.number().int().nonnegative(),
  url: z.string().nullable(),
  pdfUrl: z.string().nullable(),
  githubUrl: z.string().nullable(),
  keywords: z.array(z.string()),
  thumbnailUrl: z.string().nullable(),
  source: PaperSource,
  /** arXiv categories, primary first (`cs.LG`, `stat.ML`), when the listing names them (arXiv does, Hugging Face does not). */
  categories: z.array(z.string()).optional(),
});
export type Paper = z.infer<typeof PaperSchema>;

/** A paper placed by the ranker: its score and a reason a person can read. */
export interface RankedPaper {
  rank: number;
  paper: Paper;
  score: number;
  reason: string;
}
