import { describe, expect, it } from 'vitest';
import { PaperSchema } from '../../src/model/paper';
import { papersOf } from '../../src/chat/reply';
import { digestHeader, digestPaperMessage, emptyDigestNote } from '../../src/digest/messages';

const paper = PaperSchema.parse({
  id: '2510.11693',
  arxivId: '2510.11693',
  title: 'Scaling Language-Centric\n  Omnimodal Representation Learning',
  summary: 'Abstract.',
  aiSummary: null,
  authors: ['A. Author'],
  authorCount: 1,
  organization: null,
  publishedAt: '2025-10-13',
  listedOn: '2025-10-14',
  upvotes: 12,
  url: 'https://huggingface.co/papers/2510.11693',
  pdfUrl: null,
  githubUrl: null,
  keywords: [],
  thumbnailUrl: null,
  source: 'hf-api',
});

describe('digest messages', () => {
  it('header names the list date and the count, publicly', () => {
    const r = digestHeader({ listDate: '2025-10-14', count: 5 });
    expect(r.visibility).toBe('public');
    expect(r.fallback).toBe('Top 5 papers from Hugging Face Daily Papers, 2025-10-14');
    expect(papersOf(r)).toEqual([]);
  });

  it('header says how old the data is when the source is down', () => {
    const r = digestHeader({ listDate: '2025-10-14', count: 1, stale: { lastRefreshedAt: new Date('2025-10-14T07:49:00Z') } });
    expect(r.fallback).toBe('Top paper from Hugging Face Daily Papers, 2025-10-14 (from data last refreshed at 2025-10-14 07:49 UTC)');
  });

  it('one paper per message, so a reaction means that paper; fallback is one line', () => {
    const r = digestPaperMessage({ rank: 2, paper, score: 1, reason: '12 upvotes' });
    expect(papersOf(r)).toEqual([paper]);
    expect(r.fallback).toBe('2. Scaling Language-Centric Omnimodal Representation Learning');
  });

  it('empty note is one line saying why', () => {
    expect(emptyDigestNote('2025-10-14').fallback).toMatch(/^No new papers today: .*2025-10-14/);
    expect(emptyDigestNote(null).fallback).not.toContain('\n');
  });
});
