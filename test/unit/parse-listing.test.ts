import { describe, expect, it } from 'vitest';
import { detectFormat, parseListing } from '../../src/parse/index';
import { listingParseError } from '../helpers/parse-error';

const hfItem = (id: string) => ({ paper: { id, title: `Paper ${id}`, publishedAt: '2025-10-13T00:00:00.000Z' } });
const hfText = (title: string, date = 'Mar 3, 2025 4') => `${title}\n\nAn abstract.\n\n  • 2 authors\n·\n${date}\n\n`;
const atom = '<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom"><title>q</title></feed>';
const hfPage = '<html><div data-target="DailyPapers" data-props="{&quot;dailyPapers&quot;:[]}"></div></html>';

describe('detectFormat: the format from the content alone', () => {
  it('reads JSON, an array or an object, after leading whitespace, as the HF API', () => {
    expect(detectFormat(' \n\t[]')).toBe('hf-api');
    expect(detectFormat('\n{"dailyPapers": []}')).toBe('hf-api');
  });

  it('tells an HF page from an arXiv feed, and reads other web pages as pages lacking the data', () => {
    expect(detectFormat(`  ${hfPage}`)).toBe('hf-html');
    expect(detectFormat(atom)).toBe('arxiv');
    expect(detectFormat('<rss version="2.0"><channel/></rss>')).toBe('arxiv');
    expect(detectFormat('<!DOCTYPE html><html><title>502</title></html>')).toBe('hf-html');
    expect(detectFormat('<HTML lang="en"><body>login</body></HTML>')).toBe('hf-html');
    expect(detectFormat('<?xml version="1.0"?><note>hi</note>')).toBe('arxiv');
    expect(detectFormat('<htmlish/>')).toBe('arxiv');
  });

  it('prefers the HF data over a feed element, and a feed over the HTML fallback', () => {
    expect(detectFormat(`<html><rss/>${hfPage}</html>`)).toBe('hf-html');
    expect(detectFormat('<!DOCTYPE html><html><feed></feed></html>')).toBe('arxiv');
  });

  it('looks for the HTML fallback in the first 2048 characters only', () => {
    expect(detectFormat(`<!-- ${'x'.repeat(2048)} --><html></html>`)).toBe('arxiv');
    expect(detectFormat(`<!-- ${'x'.repeat(2030)} --><html></html>`)).toBe('hf-html');
  });

  it('reads text with a "·" line and a date as an HF listing, and other text as nothing', () => {
    expect(detectFormat(hfText('A Title'))).toBe('hf-text');
    expect(detectFormat('A Title\n·\nnot a date\n')).toBeNull();
    expect(detectFormat('')).toBeNull();
  });
});

describe('parseListing: any listing, or a ParseError saying what is wrong', () => {
  it('reads a listing after a byte-order mark', () => {
    expect(parseListing(`\ufeff${JSON.stringify([hfItem('2510.11696')])}`).papers.map((p) => p.id)).toEqual(['2510.11696']);
    expect(parseListing(`\ufeff${hfText('After a BOM')}`, { today: '2026-04-21' }).papers.map((p) => p.title)).toEqual(['After a BOM']);
  });

  it('reads each format when it is named, and says the format it read', () => {
    expect(parseListing('[]', { format: 'hf-api' })).toEqual({ format: 'hf-api', papers: [], errors: [] });
    expect(parseListing(hfPage, { format: 'hf-html' })).toEqual({ format: 'hf-html', papers: [], errors: [] });
    expect(parseListing(atom, { format: 'arxiv' })).toEqual({ format: 'arxiv', papers: [], errors: [] });
    expect(parseListing(hfText('T'), { format: 'hf-text', today: '2026-04-21' })).toMatchObject({ format: 'hf-text', errors: [] });
    expect(parseListing(hfText('T'), { format: 'auto', today: '2026-04-21' }).format).toBe('hf-text');
  });

  it('names the requested format, or "listing", for empty input', () => {
    expect(listingParseError('\ufeff \n')).toMatchObject({ format: 'listing', detail: 'the input is empty' });
    expect(listingParseError('', { format: 'auto' })).toMatchObject({ format: 'listing', detail: 'the input is empty' });
    expect(listingParseError('  ', { format: 'arxiv' })).toMatchObject({ format: 'arxiv', detail: 'the input is empty' });
  });

  it('quotes at most 40 characters of the first line of text in no known format', () => {
    const err = listingParseError(`  ${'w'.repeat(50)}\nsecond line`);
    expect(err).toMatchObject({ format: 'listing', where: 'line 1' });
    expect(err.detail).toBe(`not a known format (tried hf-api JSON, hf-html page, arXiv Atom/RSS, hf-text listing); it starts with "${'w'.repeat(40)}"`);
  });

  it('resolves year-less dates against today (UTC) when no day is given', () => {
    const before = new Date().toISOString().slice(0, 4);
    const { papers } = parseListing(hfText('New Year', 'Jan 1'));
    const after = new Date().toISOString().slice(0, 4);
    // Jan 1 is never after today, so it is this year's.
    expect([`${before}-01-01`, `${after}-01-01`]).toContain(papers[0]!.publishedAt);
  });

  it('keeps the good entries of a listing with bad ones', () => {
    const { papers, errors } = parseListing(`${hfText('Good')}${hfText('Bad', 'Smarch 3')}`, { today: '2026-04-21' });
    expect(papers.map((p) => p.title)).toEqual(['Good']);
    expect(errors).toHaveLength(1);
  });

  it('fails a listing with only bad entries, naming the first and counting the others', () => {
    const err = listingParseError(`${hfText('One', 'Smarch 3')}${hfText('Two', 'Smarch 4')}${hfText('Three', 'Smarch 5')}`, { today: '2026-04-21' });
    expect(err).toMatchObject({ format: 'hf-text', where: 'line 7' });
    expect(err.detail).toBe(
      'no usable entry: "One": expected a date like "Dec 12, 2022" or "Mar 17" (optionally followed by upvotes), got "Smarch 3" (and 2 more bad entries)',
    );
  });

  it('fails a JSON list whose items are all bad, at the first bad item', () => {
    const err = listingParseError(JSON.stringify([{ paper: { id: '1' } }]));
    expect(err).toMatchObject({ format: 'hf-api', where: '$[0].paper.title' });
    expect(err.detail).toMatch(/^no usable entry: Invalid input: expected string, received undefined$/);
  });
});
