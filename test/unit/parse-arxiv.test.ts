import { describe, expect, it } from 'vitest';
import { parseListing } from '../../src/parse/index';
import { ParseError } from '../../src/errors';
import { readFixture } from '../helpers/fixtures';

describe('arxiv: API Atom and RSS', () => {
  it.each([
    ['api-query-cat-cs.AI-OR-cs.LG-OR-cs.CL-2026-08-02.xml', 25],
    ['api-query-all-testing-start0-max10.xml', 10],
    ['api-id_list-1605.08386.xml', 1],
    ['api-id_list-0000.0000-empty.xml', 0],
    ['rss-cs.LG+cs.AI+cs.CL+stat.ML-2026-09-24-trimmed.xml', 4],
  ])('%s has %i papers', (file, count) => {
    const { format, papers, errors } = parseListing(readFixture(`arxiv/${file}`));
    expect(format).toBe('arxiv');
    expect(errors).toEqual([]);
    expect(papers).toHaveLength(count);
    for (const p of papers) {
      expect(p.id).toMatch(/^\d{4}\.\d{4,5}$/);
      expect(p.title).not.toMatch(/\s{2}|\n/);
      expect(p.summary).not.toMatch(/\s{2}|\n/);
    }
  });

  it('reads an Atom entry: id without version, authors, categories, links', () => {
    const { papers } = parseListing(readFixture('arxiv/api-id_list-1605.08386.xml'));
    expect(papers[0]).toEqual({
      id: '1605.08386',
      arxivId: '1605.08386',
      title: 'Heat-bath random walks with Markov bases',
      summary: expect.stringMatching(/^Graphs on lattice points are studied .* is an expander in fixed dimension\.$/),
      aiSummary: null,
      authors: ['Caprice Stanley', 'Tobias Windisch'],
      authorCount: 2,
      organization: null,
      publishedAt: '2016-05-26',
      listedOn: null,
      upvotes: 0,
      url: 'https://arxiv.org/abs/1605.08386',
      pdfUrl: 'https://arxiv.org/pdf/1605.08386',
      githubUrl: null,
      keywords: ['math.CO', 'math.ST'],
      thumbnailUrl: null,
      source: 'arxiv',
      categories: ['math.CO', 'math.ST'],
    });
  });

  it('reads RSS items: the abstract after its label, comma-separated creators, the announce day', () => {
    const { papers } = parseListing(readFixture('arxiv/rss-cs.LG+cs.AI+cs.CL+stat.ML-2026-09-24-trimmed.xml'));
    expect(papers[0]).toMatchObject({
      id: '2609.26811',
      title: 'The Drift Contract: Spectral Updates for Depth-Robust Local Learning',
      authors: ['Fabien Polly'],
      publishedAt: '2026-09-24',
      listedOn: '2026-09-24',
      keywords: ['cs.LG'],
    });
    expect(papers[0]!.summary).toMatch(/^Local learning trains each layer/);
    expect(papers[2]!.authors).toEqual(['Pritam Dey', 'Zhengwu Zhang', 'David B. Dunson']);
  });

  it('turns the API error feed (HTTP 400) into a clear error', () => {
    expect(() => parseListing(readFixture('arxiv/api-id_list-abc-http400-error.xml'))).toThrow(
      new ParseError('arxiv', 'the arXiv API answered with an error: incorrect id format for abc', 'feed.entry[0]'),
    );
  });

  it('keeps good entries and reports a bad one by its position', () => {
    const feed = readFixture('arxiv/api-query-all-testing-start0-max10.xml');
    const broken = feed.replace(/<published>[^<]*<\/published>/, '<published>soon</published>');
    const { papers, errors } = parseListing(broken);
    expect(papers).toHaveLength(9);
    expect(errors).toEqual([{ where: 'feed.entry[0].published', message: 'missing or invalid publication date' }]);
  });
});
