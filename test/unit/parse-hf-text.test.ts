import { describe, expect, it } from 'vitest';
import { ParseError } from '../../src/errors';
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

  it('resolves a year-less Feb 29 to the last leap year, however many years back', () => {
    const entry = 'Leap Paper\n\nAn abstract.\n\n  • 2 authors\n·\nFeb 29\n';
    const dateOn = (today: string) => parseListing(entry, { today }).papers[0]!.publishedAt;
    expect(dateOn('2028-03-01')).toBe('2028-02-29');
    expect(dateOn('2026-04-21')).toBe('2024-02-29');
    expect(dateOn('2027-02-28')).toBe('2024-02-29');
    // 2100 is no leap year: eight years back.
    expect(dateOn('2104-01-10')).toBe('2096-02-29');
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

describe('hf-text: short titles that look like page chrome', () => {
  const retitle = (from: string, to: string) => listing.replace(`\n${from}\n`, `\n${to}\n`);
  const first = 'Attentive Deep Neural Networks for Legal Document Retrieval';
  const second = 'AutoInt: Automatic Feature Interaction Learning via Self-Attentive Neural Networks';
  const body = listing.slice(listing.indexOf(first));
  const abstractOf = (text: string, title: string) => text.split('\n\n')[text.split('\n\n').indexOf(title) + 1]!;

  it.each(['Llama 3', 'Mar 3', 'March 3, 2024', '2025', 'Subscribe'])('keeps a first paper titled "%s" under the page header, abstract and all', (title) => {
    const { papers, errors } = parseListing(retitle(first, title), { today: '2026-04-21' });
    expect(errors).toEqual([]);
    expect(papers).toHaveLength(37);
    expect(papers[0]).toMatchObject({ title, publishedAt: '2022-12-12', authorCount: 6 });
    expect(papers[0]!.summary.startsWith('Legal text retrieval serves')).toBe(true);
  });

  it.each(['Llama 3', 'Mar 3', 'Subscribe', 'Daily Papers', 'new'])('keeps a later paper titled "%s"', (title) => {
    const { papers, errors } = parseListing(retitle(second, title), { today: '2026-04-21' });
    expect(errors).toEqual([]);
    expect(papers[1]).toMatchObject({ title, publishedAt: '2018-10-28', authorCount: 7 });
    expect(papers[1]!.summary.startsWith('Click-through rate (CTR) prediction')).toBe(true);
  });

  it('keeps a title "Llama 3" on a listing copied without the page header', () => {
    const { papers, errors } = parseListing(body.replace(first, 'Llama 3'), { today: '2026-04-21' });
    expect(errors).toEqual([]);
    expect(papers[0]!.title).toBe('Llama 3');
  });

  it('takes a date-like line as the title when no abstract would be left without it', () => {
    const page = listing.replace(`Apr 21\n\n${first}\n\n${abstractOf(listing, first)}`, 'Apr 21\n\nLegal text retrieval.');
    const { papers, errors } = parseListing(page, { today: '2026-04-21' });
    expect(errors).toEqual([]);
    expect(papers[0]).toMatchObject({ title: 'Apr 21', summary: 'Legal text retrieval.' });
  });

  it('says it cannot tell a date-like first line without the header above it, naming the line, and keeps the rest', () => {
    const { papers, errors } = parseListing(`Apr 21\n\n${body}`, { today: '2026-04-21' });
    expect(papers).toHaveLength(36);
    expect(papers.map((p) => p.title)).not.toContain(first);
    expect(errors).toEqual([
      {
        where: 'line 1',
        message: `"Apr 21" may be the page's date or the first paper's title; keep the page's header above it, or delete the line if it is the date`,
      },
    ]);
  });
});

describe('hf-text: entries cut short or odd, each said by line', () => {
  const entry = (title: string, byline = '  • 2 authors', date = 'Mar 3, 2025 4') => `${title}\n\nAn abstract.\n\n${byline}\n·\n${date}\n\n`;

  it('reports a listing cut right after its last "·" line, keeping the entries before it', () => {
    const { papers, errors } = parseListing(`${entry('First')}Second\n\nAbstract.\n\n  • 1 author\n·\n`, { today: '2026-04-21' });
    expect(papers.map((p) => p.title)).toEqual(['First']);
    expect(errors).toEqual([{ where: 'line 14', message: '"Second": missing the date line after "·" (truncated?)' }]);
  });

  it('reports an entry that is only a byline', () => {
    const { papers, errors } = parseListing(`${entry('First')}  • 3 authors\n·\nMar 4, 2025\n`, { today: '2026-04-21' });
    expect(papers.map((p) => p.title)).toEqual(['First']);
    expect(errors).toEqual([{ where: 'line 9', message: 'entry has no title before its byline and "·" line' }]);
  });

  it('reads an organization byline as its display name, or its slug alone', () => {
    const { papers } = parseListing(`${entry('A', 'moonshotai Moonshot AI')}${entry('B', 'openbmb')}`, { today: '2026-04-21' });
    expect(papers.map((p) => [p.title, p.organization, p.authorCount])).toEqual([
      ['A', 'Moonshot AI', null],
      ['B', 'openbmb', null],
    ]);
  });

  it('reads month names long, short and with a dot', () => {
    const { papers } = parseListing(
      `${entry('A', undefined, 'September 3, 2024')}${entry('B', undefined, 'Sept. 4, 2024 7')}${entry('C', undefined, 'mar 5')}`,
      {
        today: '2026-04-21',
      },
    );
    expect(papers.map((p) => [p.publishedAt, p.upvotes])).toEqual([
      ['2024-09-03', 0],
      ['2024-09-04', 7],
      ['2026-03-05', 0],
    ]);
  });

  it('quotes a title of up to 60 characters whole in an error, and cuts a longer one', () => {
    const sixty = 'T'.repeat(60);
    const { errors } = parseListing(`${entry(sixty, '  • 2 authors', 'Smarch 3')}${entry(`${sixty}U`, '  • 2 authors', 'Smarch 3')}${entry('Good')}`);
    expect(errors.map((e) => e.message.split(':')[0])).toEqual([`"${sixty}"`, `"${'T'.repeat(59)}…"`]);
  });

  it('reads a listing whose "·" lines are indented or padded, with blank or blank-looking lines around the date and a multi-line abstract', () => {
    const text = 'Title\n\nLine one.\nLine two.\n\n  • 2 authors\n  · \n  \t\nMar 3, 2025 4  \n';
    const { format, papers, errors } = parseListing(text, { today: '2026-04-21' });
    expect([format, errors]).toEqual(['hf-text', []]);
    expect(papers[0]).toMatchObject({ title: 'Title', summary: 'Line one. Line two.', publishedAt: '2025-03-03', upvotes: 4 });
  });

  it('says the first entry has no title when it is only page-header lines, instead of failing on them', () => {
    expect(() => parseListing('Daily Papers\n\nnew\n·\nApr 21, 2026\n', { today: '2026-04-21' })).toThrow(
      new ParseError('hf-text', 'no usable entry: entry has no title before its byline and "·" line', 'line 4'),
    );
  });

  it('reads a listing copied from its first "·" line as hf-text, and says that entry has no title', () => {
    expect(() => parseListing('·\nMar 3, 2025 4\n', { today: '2026-04-21' })).toThrow(
      new ParseError('hf-text', 'no usable entry: entry has no title before its byline and "·" line', 'line 1'),
    );
  });

  it('says a page with only its header has no entries, naming its first line', () => {
    expect(() => parseListing('Daily Papers\n\nbyAK and the research community\n\nApr 21\n', { format: 'hf-text' })).toThrow(
      'hf-text: no paper entries found (each needs a byline, a "·" line and a date line) (at line 1)',
    );
  });
});
