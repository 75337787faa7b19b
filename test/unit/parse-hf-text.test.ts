import { describe, expect, it } from 'vitest';
import { parseListing } from '../../src/parse/index';
import { PaperSchema } from '../../src/model/paper';
import { readFixture } from '../helpers/fixtures';

const listing = readFixture('hf-text/daily-papers-search-2026-04-21.txt');

describe('hf-text: the copied Daily Papers page', () => {
  const { format, papers, errors } = parseListing(listing, { today: '2026-04-21' });

  it('detects the format and reads all 37 papers, skipping the page chrome', () => {
    expect(format).toBe('hf-text');
    expect(errors).toEqual([]);
    expect(papers).toHaveLength(37);
    expect(papers[0]!.title).toBe('Attentive Deep Neural Networks for Legal Document Retrieval');
    expect(papers[36]!.title).toBe(
      'Deconstructing Recurrence, Attention, and Gating: Investigating the transferability of Transformers and Gated Recurrent Neural Networks in forecasting of dynamical systems',
    );
    for (const p of papers) expect(() => PaperSchema.parse(p)).not.toThrow();
    expect(papers.map((p) => p.title)).not.toContain('Daily Papers');
  });

  it('reads abstracts whole, with whitespace collapsed', () => {
    const first = papers[0]!;
    expect(first.summary.startsWith('Legal text retrieval serves as a key component')).toBe(true);
    expect(first.summary.endsWith('achieving the highest recall and F2 scores in the top-N retrieval task.')).toBe(true);
    expect(papers.every((p) => p.summary.length > 1000 && !/\s{2}/.test(p.summary))).toBe(true);
  });

  it('reads dates with and without a year, and the optional upvote count', () => {
    const byTitle = (t: string) => papers.find((p) => p.title.startsWith(t))!;
    expect(byTitle('Attentive Deep Neural Networks')).toMatchObject({ publishedAt: '2022-12-12', upvotes: 0 });
    expect(byTitle('RP-DNN')).toMatchObject({ publishedAt: '2020-02-28', upvotes: 1 });
    // `Mar 17 2` and `Mar 16 6`: no year, so the most recent such day before Apr 21, 2026.
    expect(byTitle('ACE-LoRA')).toMatchObject({ publishedAt: '2026-03-17', upvotes: 2 });
    expect(byTitle('Attention Residuals')).toMatchObject({ publishedAt: '2026-03-16', upvotes: 6 });
    expect(papers.reduce((sum, p) => sum + p.upvotes, 0)).toBe(24); // 11 date lines carry a count: 1+2+1+2+6+2+2+3+1+2+2
  });

  it('resolves a year-less date to the previous year when it would lie after today', () => {
    const { papers: early } = parseListing(listing, { today: '2026-03-16' });
    expect(early.find((p) => p.title.startsWith('ACE-LoRA'))!.publishedAt).toBe('2025-03-17');
    expect(early.find((p) => p.title === 'Attention Residuals')!.publishedAt).toBe('2026-03-16');
  });

  it('reads author counts (also "1 authors") and the one organization byline', () => {
    expect(papers.map((p) => p.authorCount)).toEqual([
      6,
      7,
      4,
      4,
      4,
      2,
      10,
      5,
      5,
      4,
      2,
      7,
      3,
      7,
      4,
      6,
      3,
      5,
      1,
      null,
      9,
      4,
      8,
      5,
      7,
      3,
      3,
      1,
      4,
      5,
      4,
      4,
      4,
      1,
      9,
      9,
      3,
    ]);
    const withOrg = papers.filter((p) => p.organization !== null);
    expect(withOrg.map((p) => [p.title, p.organization])).toEqual([['Attention Residuals', 'Moonshot AI']]);
  });

  it('gives stable ids from titles (no arXiv id in this format) and the first GitHub link of the abstract', () => {
    const ace = papers.find((p) => p.title.startsWith('ACE-LoRA'))!;
    expect(ace).toMatchObject({ id: 'ace-lora-graph-attentive-context-enhancement-for-parameter-efficient-adaptation', arxivId: null, source: 'hf-text' });
    expect(ace.githubUrl).toBe('https://github.com/icon-lab/ACE-LoRA');
    expect(new Set(papers.map((p) => p.id)).size).toBe(37);
  });
});
