import { describe, expect, it } from 'vitest';
import { detectFormat, parseListing } from '../../src/parse/index';
import { listingParseError } from '../helpers/parse-error';
import { readFixture } from '../helpers/fixtures';

const hfText = readFixture('hf-text/daily-papers-search-2026-04-21.txt');
const hfApi = readFixture('hf-api/daily_papers-2025-10-14.json');
const atom = readFixture('arxiv/api-query-all-testing-start0-max10.xml');
const errorPage = '<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head><body><h1>502</h1></body></html>\n';

describe('detectFormat', () => {
  it('judges by content', () => {
    expect(detectFormat(hfText)).toBe('hf-text');
    expect(detectFormat(hfApi)).toBe('hf-api');
    expect(detectFormat(readFixture('hf-html/papers-2024-08-01.html'))).toBe('hf-html');
    expect(detectFormat(atom)).toBe('arxiv');
    expect(detectFormat(readFixture('arxiv/rss-cs.LG+cs.AI+cs.CL+stat.ML-2026-09-24-trimmed.xml'))).toBe('arxiv');
    expect(detectFormat('just some notes\nabout papers\n')).toBeNull();
  });
});

describe('broken input', () => {
  it('empty input, with or without a format', () => {
    expect(listingParseError('')).toMatchObject({ message: 'listing: the input is empty' });
    expect(listingParseError(' \n\t\n', { format: 'hf-api' })).toMatchObject({ message: 'hf-api: the input is empty' });
  });

  it('text in no known format', () => {
    expect(listingParseError('just some notes\nabout papers\n').message).toBe(
      'listing: not a known format (tried hf-api JSON, hf-html page, arXiv Atom/RSS, hf-text listing); it starts with "just some notes" (at line 1)',
    );
  });

  it('an HTML error page where JSON was expected', () => {
    expect(listingParseError(errorPage, { format: 'hf-api' }).message).toBe('hf-api: expected JSON but got an HTML page titled "502 Bad Gateway" (at line 1)');
    expect(listingParseError(errorPage).message).toBe('hf-html: no Daily Papers data (data-target="DailyPapers") in an HTML page titled "502 Bad Gateway"');
  });

  it('a wrong format forced on a real listing', () => {
    expect(listingParseError(hfApi, { format: 'hf-text' }).message).toMatch(
      /^hf-text: no paper entries found \(each needs a byline, a "·" line and a date line\) \(at line 1\)$/,
    );
    expect(listingParseError(hfText, { format: 'arxiv' }).message).toBe("arxiv: invalid XML: char 'n' is not expected. (at line 1, column 1)");
    expect(listingParseError(atom, { format: 'hf-api' }).message).toBe('hf-api: expected JSON but got an Atom feed (at line 1)');
  });

  it('truncated JSON says where it ends', () => {
    const cut = hfApi.slice(0, 5000);
    const err = listingParseError(cut);
    expect(err.format).toBe('hf-api');
    expect(err.detail).toMatch(/^invalid JSON \(truncated\?\): /);
    expect(err.where).toMatch(/^(line \d+, column \d+|end of input \(5000 characters\))$/);
  });

  it('truncated XML says where', () => {
    const err = listingParseError(atom.slice(0, 3000));
    expect(err.format).toBe('arxiv');
    expect(err.detail).toMatch(/^invalid XML: /);
    expect(err.where).toMatch(/^line \d+, column \d+$/);
  });

  it('a truncated hf-text listing keeps the complete entries and reports the cut one', () => {
    const cut = hfText.slice(0, hfText.indexOf('Attention Residuals') + 200);
    const { papers, errors } = parseListing(cut, { today: '2026-04-21' });
    expect(papers).toHaveLength(19);
    expect(errors).toEqual([{ where: 'line 165', message: 'entry "Attention Residuals" ends without its byline, "·" line and date (truncated?)' }]);
  });

  it('hf-text entries with a bad date or byline are reported by line, the rest kept', () => {
    const broken = hfText.replace('Dec 12, 2022', 'Dec 42, 2022').replace('  • 7 authors\n·\nOct 28, 2018', `${'x'.repeat(200)}\n·\nOct 28, 2018`);
    const { papers, errors } = parseListing(broken, { today: '2026-04-21' });
    expect(papers).toHaveLength(35);
    expect(errors).toEqual([
      {
        where: 'line 19',
        message:
          '"Attentive Deep Neural Networks for Legal Document Retrieval": expected a date like "Dec 12, 2022" or "Mar 17" (optionally followed by upvotes), got "Dec 42, 2022"',
      },
      {
        where: 'line 25',
        message: expect.stringMatching(
          /^"AutoInt: Automatic Feature Interaction Learning via Self-At…": expected "• N authors" or an organization before "·", got "x{59}…"$/,
        ),
      },
    ]);
  });

  it('a listing whose every entry is bad is an error naming the first', () => {
    const err = listingParseError('Some Title\n\nAn abstract.\n\n  • 2 authors\n·\nSmarch 3, 2020\n');
    expect(err.message).toBe(
      'hf-text: no usable entry: "Some Title": expected a date like "Dec 12, 2022" or "Mar 17" (optionally followed by upvotes), got "Smarch 3, 2020" (at line 7)',
    );
  });

  it('control characters in untrusted titles are neutralised', () => {
    const { papers } = parseListing('Evil\u001b[31m Title\u0007\n\nAbstract\u0000 here.\n\n  • 1 author\n·\nJan 2, 2024 3\n');
    expect(papers[0]).toMatchObject({ title: 'Evil [31m Title', summary: 'Abstract here.', authorCount: 1, upvotes: 3, publishedAt: '2024-01-02' });
  });
});

// Not under mutation (`npm run mutate`): they take seconds each, and would run for nearly every
// parser mutant; the behaviour they read on 10 MB is asserted on small inputs in the other files.
describe.skipIf(process.env.PAPERS_MUTATE === '1')('10 MB inputs are read in linear time', () => {
  const TEN_MB = 10 * 1024 * 1024;
  const repeat = (unit: string) => unit.repeat(Math.ceil(TEN_MB / unit.length));

  it('hf-text: thousands of entries', () => {
    const entry = 'A Title\n\nAn abstract about attention.\n\n  • 3 authors\n·\nMar 3, 2025 4\n\n';
    const { papers, errors } = parseListing(repeat(entry));
    expect(errors).toEqual([]);
    expect(papers.length).toBe(Math.ceil(TEN_MB / entry.length));
  });

  it('hf-text: one 10 MB line with no structure', () => {
    expect(listingParseError(repeat('a ')).message).toMatch(/^listing: not a known format/);
    expect(listingParseError(repeat('a '), { format: 'hf-text' }).message).toBe(
      'hf-text: no paper entries found (each needs a byline, a "·" line and a date line) (at line 1)',
    );
  });

  it('hf-api: a 10 MB array and a 10 MB unterminated string', () => {
    const item = JSON.parse(hfApi)[0];
    const items = Array.from({ length: Math.ceil(TEN_MB / JSON.stringify(item).length) }, () => item);
    expect(parseListing(JSON.stringify(items)).papers).toHaveLength(items.length);
    expect(listingParseError(`["${'x'.repeat(TEN_MB)}`).detail).toMatch(/^invalid JSON \(truncated\?\)/);
  });

  it('arxiv: a 10 MB feed', () => {
    const entry = atom.slice(atom.indexOf('<entry>'), atom.indexOf('</entry>') + '</entry>'.length);
    const n = Math.ceil(TEN_MB / entry.length);
    const feed = `${atom.slice(0, atom.indexOf('<entry>'))}${entry.repeat(n)}</feed>`;
    expect(parseListing(feed).papers).toHaveLength(n);
  });

  it('hf-html: a 10 MB page without the data', () => {
    expect(listingParseError(`<html><title>t</title>${repeat('<div data-x="&quot;">')}`).message).toBe(
      'hf-html: no Daily Papers data (data-target="DailyPapers") in an HTML page titled "t"',
    );
  });
});
