import { describe, expect, it } from 'vitest';
import { thrownParseError } from '../helpers/parse-error';
import { parseHfApi } from '../../src/parse/hf-api';

const paper = (extra: Record<string, unknown> = {}) => ({
  id: '2510.11696',
  title: 'QeRL',
  summary: 'Code: https://github.com/from/summary',
  authors: [{ name: 'Ada' }, { name: 'Alan' }],
  publishedAt: '2025-10-13T17:59:46.000Z',
  upvotes: 75,
  ...extra,
});
const parse = (items: unknown[]) => parseHfApi(JSON.stringify(items));

describe('hf-api: what the response holds', () => {
  it('reads the items of a {"dailyPapers": [...]} object, naming bad ones by that path', () => {
    const { papers, errors } = parseHfApi(JSON.stringify({ dailyPapers: [{ paper: paper() }, { paper: paper({ id: '' }) }] }));
    expect(papers.map((p) => p.id)).toEqual(['2510.11696']);
    expect(errors).toEqual([{ where: '$.dailyPapers[1].paper.id', message: 'Too small: expected string to have >=1 characters' }]);
  });

  it('says which object it got instead of a list, naming at most five keys', () => {
    expect(thrownParseError(() => parseHfApi('{"a":1,"b":2,"c":3,"d":4,"e":5,"f":6}'))).toMatchObject({
      format: 'hf-api',
      detail: 'expected an array of daily papers, got an object with keys a, b, c, d, e',
      where: '$',
    });
    expect(thrownParseError(() => parseHfApi('{}')).detail).toBe('expected an array of daily papers, got an object with keys (none)');
    expect(thrownParseError(() => parseHfApi('{"error": 404}')).detail).toBe('expected an array of daily papers, got an object with keys error');
    expect(thrownParseError(() => parseHfApi('{"dailyPapers": {}}')).detail).toBe('expected an array of daily papers, got an object with keys dailyPapers');
  });

  it('says what else it got: null, a number, a string', () => {
    for (const [json, got] of [
      ['null', 'null'],
      ['42', 'number'],
      ['"papers"', 'string'],
      ['true', 'boolean'],
    ]) {
      expect(thrownParseError(() => parseHfApi(json!))).toMatchObject({ detail: `expected an array of daily papers, got ${got}`, where: '$' });
    }
  });

  it("quotes at most 200 characters of the API's error", () => {
    expect(thrownParseError(() => parseHfApi(JSON.stringify({ error: 'E'.repeat(300) }))).detail).toBe(`the API answered with an error: ${'E'.repeat(200)}`);
  });
});

describe('hf-api: each item', () => {
  it('names a bad item by its JSON path, array indexes in brackets', () => {
    const { errors } = parse([{ paper: paper() }, { paper: paper({ authors: [{ name: 'Ada' }, { name: 7 }] }) }, 'not an item']);
    expect(errors).toEqual([
      { where: '$[1].paper.authors[1].name', message: 'Invalid input: expected string, received number' },
      { where: '$[2]', message: 'Invalid input: expected object, received string' },
    ]);
  });

  it('reports an item whose title cleans to nothing at its paper, and keeps the rest', () => {
    const { papers, errors } = parse([{ paper: paper({ title: '\u0007 \n' }) }, { paper: paper() }]);
    expect(papers).toHaveLength(1);
    expect(errors).toEqual([{ where: '$[0].paper', message: 'title: Too small: expected string to have >=1 characters' }]);
  });

  it('takes the list day from submittedOnDailyAt before the outer publishedAt', () => {
    const { papers } = parse([
      { paper: paper({ submittedOnDailyAt: '2025-10-14T07:00:00.000Z' }), publishedAt: '2025-10-20T00:00:00.000Z' },
      { paper: paper(), publishedAt: '2025-10-15T09:00:00.000Z' },
      { paper: paper() },
      { paper: paper(), publishedAt: null },
    ]);
    expect(papers.map((p) => p.listedOn)).toEqual(['2025-10-14', '2025-10-15', null, null]);
  });

  it("does not take a search result's outer publishedAt as a list day", () => {
    const { papers } = parse([
      { paper: paper(), publishedAt: '2025-10-15T09:00:00.000Z', highlightedTitle: [] },
      { paper: paper({ submittedOnDailyAt: '2025-10-14T07:00:00.000Z' }), publishedAt: '2025-10-15T09:00:00.000Z', highlightedTitle: [] },
    ]);
    expect(papers.map((p) => p.listedOn)).toEqual([null, '2025-10-14']);
  });

  it("names the paper's organization before the item's, by its full name, else its short name", () => {
    const { papers } = parse([
      { paper: paper({ organization: { name: 'nvidia', fullname: 'NVIDIA' } }), organization: { name: 'other', fullname: 'Other' } },
      { paper: paper(), organization: { name: 'moonshotai', fullname: null } },
      { paper: paper({ organization: null }), organization: { name: 'qwen' } },
      { paper: paper() },
    ]);
    expect(papers.map((p) => p.organization)).toEqual(['NVIDIA', 'moonshotai', 'qwen', null]);
  });

  it('gives a paper without an arXiv id a title slug, an escaped Hugging Face link and no PDF', () => {
    const { papers } = parse([{ paper: paper({ id: 'my paper/1', title: 'My Paper' }) }]);
    expect(papers[0]).toMatchObject({
      id: 'my-paper',
      arxivId: null,
      url: 'https://huggingface.co/papers/my%20paper%2F1',
      pdfUrl: null,
    });
  });

  it('gives a paper with an arXiv id its links, the repository, keywords and thumbnail', () => {
    const { papers } = parse([
      {
        paper: paper({ id: '2510.11696v2', githubRepo: 'https://github.com/NVlabs/QeRL', ai_keywords: ['RL', 'LoRA'], ai_summary: 'Short.' }),
        thumbnail: 'https://cdn/t.png',
      },
      { paper: paper({ githubRepo: null, ai_keywords: null }) },
    ]);
    expect(papers[0]).toMatchObject({
      id: '2510.11696',
      url: 'https://huggingface.co/papers/2510.11696',
      pdfUrl: 'https://arxiv.org/pdf/2510.11696',
      githubUrl: 'https://github.com/NVlabs/QeRL',
      keywords: ['RL', 'LoRA'],
      aiSummary: 'Short.',
      thumbnailUrl: 'https://cdn/t.png',
      authors: ['Ada', 'Alan'],
      upvotes: 75,
      publishedAt: '2025-10-13',
      source: 'hf-api',
    });
    expect(papers[1]).toMatchObject({ githubUrl: 'https://github.com/from/summary', keywords: [], aiSummary: null, thumbnailUrl: null });
  });
});
