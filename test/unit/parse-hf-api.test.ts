import { describe, expect, it } from 'vitest';
import { parseListing } from '../../src/parse/index';
import { ParseError } from '../../src/errors';
import { readFixture } from '../helpers/fixtures';

describe('hf-api: GET /api/daily_papers and /api/papers/search', () => {
  it.each([
    ['daily_papers-2024-10-14.json', 16, '2024-10-14'],
    ['daily_papers-2025-10-14.json', 39, '2025-10-14'],
    ['daily_papers-2026-07-31.json', 30, '2026-07-31'],
    ['daily_papers-2026-08-17.json', 23, '2026-08-17'],
    ['papers_search-kazakh.json', 9, null],
  ])('%s has %i papers listed on %s', (file, count, listedOn) => {
    const { format, papers, errors } = parseListing(readFixture(`hf-api/${file}`));
    expect(format).toBe('hf-api');
    expect(errors).toEqual([]);
    expect(papers).toHaveLength(count);
    expect(new Set(papers.map((p) => p.listedOn))).toEqual(new Set([listedOn]));
    expect(papers.every((p) => p.source === 'hf-api' && p.id === p.arxivId)).toBe(true);
  });

  it('maps the 2025 schema: AI summary and keywords, repository, organization, thumbnail', () => {
    const { papers } = parseListing(readFixture('hf-api/daily_papers-2025-10-14.json'));
    expect(papers[0]).toMatchObject({
      id: '2510.11696',
      arxivId: '2510.11696',
      title: 'QeRL: Beyond Efficiency -- Quantization-enhanced Reinforcement Learning for LLMs',
      upvotes: 75,
      authorCount: 14,
      organization: 'NVIDIA',
      publishedAt: '2025-10-13',
      listedOn: '2025-10-14',
      url: 'https://huggingface.co/papers/2510.11696',
      pdfUrl: 'https://arxiv.org/pdf/2510.11696',
      githubUrl: 'https://github.com/NVlabs/QeRL',
      thumbnailUrl: 'https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/2510.11696.png',
    });
    expect(papers[0]!.aiSummary).toMatch(/^QeRL, a quantization-enhanced reinforcement learning framework/);
    expect(papers[0]!.keywords.slice(0, 2)).toEqual(['NVFP4 quantization', 'Low-Rank Adaptation (LoRA)']);
    expect(papers[0]!.summary).not.toContain('\n');
  });

  it('takes the list date of an older list from the outer publishedAt, and the paper date from the paper', () => {
    const { papers } = parseListing(readFixture('hf-api/daily_papers-2024-10-14.json'));
    expect(papers[0]).toMatchObject({ id: '2410.08565', publishedAt: '2024-10-11', listedOn: '2024-10-14', aiSummary: null, organization: null, upvotes: 54 });
  });

  it('keeps the good items of a partly broken list and names each bad one by JSON path', () => {
    const items = JSON.parse(readFixture('hf-api/daily_papers-2026-08-17.json')) as { paper: Record<string, unknown> }[];
    delete items[2]!.paper.title;
    items[5]!.paper.publishedAt = 'someday';
    items[7]!.paper.upvotes = -3;
    const { papers, errors } = parseListing(JSON.stringify(items));
    expect(papers).toHaveLength(20);
    expect(errors).toEqual([
      { where: '$[2].paper.title', message: expect.stringMatching(/expected string/) },
      { where: '$[5].paper.publishedAt', message: 'expected an ISO date' },
      { where: '$[7].paper.upvotes', message: expect.stringMatching(/>=0/) },
    ]);
  });

  it('reports an API error object instead of papers', () => {
    expect(() => parseListing('{"error":"Invalid date"}')).toThrow(new ParseError('hf-api', 'the API answered with an error: Invalid date', '$.error'));
  });

  it('accepts an empty list (a day without papers)', () => {
    expect(parseListing('[]')).toEqual({ format: 'hf-api', papers: [], errors: [] });
  });
});

describe('hf-html: a saved huggingface.co/papers page', () => {
  const html = readFixture('hf-html/papers-2024-08-01.html');

  it('reads the 13 papers embedded in the DailyPapers data-props', () => {
    const { format, papers, errors } = parseListing(html);
    expect(format).toBe('hf-html');
    expect(errors).toEqual([]);
    expect(papers).toHaveLength(13);
    expect(papers[0]).toMatchObject({
      id: '2407.21783',
      title: 'The Llama 3 Herd of Models',
      listedOn: '2024-08-01',
      publishedAt: '2024-07-31',
      upvotes: 94,
      source: 'hf-html',
    });
    expect(papers.every((p) => p.listedOn === '2024-08-01')).toBe(true);
  });

  it('says what is missing in a page without the data', () => {
    const page = '<!DOCTYPE html><html><head><title>Daily Papers - Hugging Face</title></head><body></body></html>';
    expect(() => parseListing(page)).toThrow(
      new ParseError('hf-html', 'no Daily Papers data (data-target="DailyPapers") in an HTML page titled "Daily Papers - Hugging Face"'),
    );
  });

  it('reports a page cut off inside the data', () => {
    const cut = html.slice(0, html.indexOf('data-props="{&quot;canSubmit') + 5000);
    expect(() => parseListing(cut)).toThrow(/^hf-html: the data-props attribute is not closed \(truncated\?\) \(at line \d+, column \d+\)$/);
  });
});
