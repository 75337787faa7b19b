import { ZodError, z } from 'zod';
import { describe, expect, it } from 'vitest';
import { buildPaper, calendarDate, cleanText, describeError, firstGithubUrl, isoDay, monthNumber } from '../../src/parse/fields';
import { describeMarkup, lineAndColumn, parseJson } from '../../src/parse/json';
import { thrownParseError } from '../helpers/parse-error';

describe('cleanText: untrusted listing text on one line', () => {
  it('turns control characters and line breaks into single spaces and trims the ends', () => {
    expect(cleanText('  \u001b[31mRed\u0000 title\u2028next\t\n\n  line \r\n')).toBe('[31mRed title next line');
    expect(cleanText('a  \t b')).toBe('a b');
    expect(cleanText(' \u0007 ')).toBe('');
  });
});

describe('isoDay: the calendar day of an ISO date or timestamp', () => {
  it.each([
    ['2024-02-29', '2024-02-29'],
    ['2025-10-13T17:59:46.000Z', '2025-10-13'],
    ['  2026-08-17T00:00:00.000Z\n', '2026-08-17'],
  ])('%j is %s', (value, day) => {
    expect(isoDay(value)).toBe(day);
  });

  it.each(['', 'soon', 'x2024-01-02', '2024-1-02', '24-01-02', '20240102', '2024/01/02', '2023-02-29', '2024-13-01', '2024-00-10', '2024-04-31', '0099-01-01'])(
    'refuses %j',
    (value) => {
      expect(isoDay(value)).toBeNull();
    },
  );
});

describe('calendarDate: a day that exists, or null', () => {
  it('gives the day as YYYY-MM-DD', () => {
    expect(calendarDate(2024, 2, 29)).toBe('2024-02-29');
    expect(calendarDate(2026, 1, 1)).toBe('2026-01-01');
    expect(calendarDate(2026, 12, 31)).toBe('2026-12-31');
  });

  it('refuses days that roll over into another month or year instead of moving them', () => {
    expect(calendarDate(2023, 2, 29)).toBeNull();
    expect(calendarDate(2026, 4, 31)).toBeNull();
    expect(calendarDate(2026, 1, 0)).toBeNull();
    expect(calendarDate(2026, 13, 1)).toBeNull();
    expect(calendarDate(2026, 0, 15)).toBeNull();
  });

  it('refuses a two-digit year rather than reading it as 19xx', () => {
    expect(calendarDate(99, 1, 1)).toBeNull();
  });
});

describe('monthNumber', () => {
  it.each([
    ['Jan', 1],
    ['january', 1],
    ['Feb', 2],
    ['SEPT', 9],
    ['September', 9],
    ['dec', 12],
    ['December', 12],
  ])('%s is month %i', (name, n) => {
    expect(monthNumber(name)).toBe(n);
  });

  it.each(['', 'Ja', 'Smarch', 'xyz'])('%j is no month', (name) => {
    expect(monthNumber(name)).toBeNull();
  });
});

describe('firstGithubUrl', () => {
  it('takes the first repository link, without the sentence-ending dots after it', () => {
    expect(firstGithubUrl('Code: https://github.com/icon-lab/ACE-LoRA. Data at https://github.com/other/repo')).toBe('https://github.com/icon-lab/ACE-LoRA');
    expect(firstGithubUrl('see http://github.com/a.b/c.d...')).toBe('http://github.com/a.b/c.d');
    expect(firstGithubUrl('https://github.com/org/repo/tree/main')).toBe('https://github.com/org/repo');
  });

  it('is null without a repository link', () => {
    expect(firstGithubUrl('no code here, see https://github.com/ or https://gitlab.com/a/b')).toBeNull();
  });
});

describe('buildPaper: a validated paper from what a parser read', () => {
  it('fills every field a draft leaves out with its default, and gives no categories key', () => {
    const paper = buildPaper({ arxivId: null, title: '  A  Title\n', summary: ' The abstract. ', publishedAt: '2026-03-03', source: 'hf-text' });
    expect(paper).toStrictEqual({
      id: 'a-title',
      arxivId: null,
      title: 'A Title',
      summary: 'The abstract.',
      aiSummary: null,
      authors: [],
      authorCount: null,
      organization: null,
      publishedAt: '2026-03-03',
      listedOn: null,
      upvotes: 0,
      url: null,
      pdfUrl: null,
      githubUrl: null,
      keywords: [],
      thumbnailUrl: null,
      source: 'hf-text',
    });
  });

  it('keeps every field a draft gives, cleaned, with the arXiv id as the id', () => {
    const paper = buildPaper({
      arxivId: '2510.11696',
      title: 'QeRL',
      summary: 'Abstract with https://github.com/from/summary.',
      aiSummary: ' An\nAI summary ',
      authors: [' Ada  Lovelace ', '', '\u0007', 'Alan Turing'],
      authorCount: 14,
      organization: ' NVIDIA\n',
      publishedAt: '2025-10-13',
      listedOn: '2025-10-14',
      upvotes: 75,
      url: 'https://huggingface.co/papers/2510.11696',
      pdfUrl: 'https://arxiv.org/pdf/2510.11696',
      githubUrl: 'https://github.com/NVlabs/QeRL',
      keywords: [' NVFP4\tquantization ', ' ', 'LoRA'],
      thumbnailUrl: 'https://example.org/t.png',
      categories: ['cs.LG'],
      source: 'hf-api',
    });
    expect(paper).toStrictEqual({
      id: '2510.11696',
      arxivId: '2510.11696',
      title: 'QeRL',
      summary: 'Abstract with https://github.com/from/summary.',
      aiSummary: 'An AI summary',
      authors: ['Ada Lovelace', 'Alan Turing'],
      authorCount: 14,
      organization: 'NVIDIA',
      publishedAt: '2025-10-13',
      listedOn: '2025-10-14',
      upvotes: 75,
      url: 'https://huggingface.co/papers/2510.11696',
      pdfUrl: 'https://arxiv.org/pdf/2510.11696',
      githubUrl: 'https://github.com/NVlabs/QeRL',
      keywords: ['NVFP4 quantization', 'LoRA'],
      thumbnailUrl: 'https://example.org/t.png',
      source: 'hf-api',
      categories: ['cs.LG'],
    });
  });

  it('counts the named authors when no count is given, and keeps a count of 0', () => {
    const base = { arxivId: null, title: 'T', summary: '', publishedAt: '2026-03-03', source: 'arxiv' } as const;
    expect(buildPaper({ ...base, authors: ['A', ' ', 'B'] }).authorCount).toBe(2);
    expect(buildPaper({ ...base, authors: ['A'], authorCount: 0 }).authorCount).toBe(0);
    expect(buildPaper({ ...base, authors: [' '] }).authorCount).toBeNull();
  });

  it('makes an AI summary or organization that cleans to nothing null, not an empty string', () => {
    const paper = buildPaper({
      arxivId: null,
      title: 'T',
      summary: '',
      aiSummary: ' \u0000 ',
      organization: '\t',
      publishedAt: '2026-03-03',
      source: 'hf-api',
    });
    expect([paper.aiSummary, paper.organization]).toEqual([null, null]);
  });

  it('takes the repository from the abstract when none is given', () => {
    const paper = buildPaper({
      arxivId: null,
      title: 'T',
      summary: 'Code at https://github.com/org/repo.',
      githubUrl: undefined,
      publishedAt: '2026-03-03',
      source: 'hf-api',
    });
    expect(paper.githubUrl).toBe('https://github.com/org/repo');
  });

  it('refuses a title that cleans to nothing, naming the field', () => {
    const run = () => buildPaper({ arxivId: '2510.11696', title: ' \u0007\n', summary: '', publishedAt: '2026-03-03', source: 'arxiv' });
    expect(run).toThrow(ZodError);
    let message = '';
    try {
      run();
    } catch (err) {
      message = describeError(err);
    }
    expect(message).toBe('title: Too small: expected string to have >=1 characters');
  });
});

describe('describeError: one readable line', () => {
  const zodError = (schema: z.ZodType, value: unknown) => schema.safeParse(value).error!;

  it('names the path of the first zod issue, joined with dots', () => {
    expect(describeError(zodError(z.object({ a: z.array(z.object({ n: z.string() })) }), { a: [{ n: 'x' }, { n: 1 }] }))).toBe(
      'a.1.n: Invalid input: expected string, received number',
    );
  });

  it('gives the bare message of an issue at the top level', () => {
    expect(describeError(zodError(z.string(), 3))).toBe('Invalid input: expected string, received number');
  });

  it('gives the message of any other error, and a thrown value as text', () => {
    expect(describeError(new ZodError([]))).toBe('[]');
    expect(describeError(new RangeError('too far'))).toBe('too far');
    expect(describeError('plain')).toBe('plain');
    expect(describeError(undefined)).toBe('undefined');
  });
});

describe('parseJson: JSON, or a ParseError saying what and where', () => {
  it('parses JSON after leading whitespace', () => {
    expect(parseJson('\n  [1, {"a": null}]', 'hf-api')).toEqual([1, { a: null }]);
  });

  it('says the input is empty', () => {
    expect(thrownParseError(() => parseJson(' \n\t', 'hf-api'))).toMatchObject({ format: 'hf-api', detail: 'the input is empty', where: undefined });
  });

  it('says what markup it got instead of JSON, at line 1', () => {
    expect(thrownParseError(() => parseJson('\n <feed xmlns="http://www.w3.org/2005/Atom"></feed>', 'hf-api'))).toMatchObject({
      detail: 'expected JSON but got an Atom feed',
      where: 'line 1',
    });
  });

  it('names the line and column of a syntax error', () => {
    const err = thrownParseError(() => parseJson('[\n  1,\n  2 3\n]', 'hf-api'));
    expect(err).toMatchObject({ format: 'hf-api', where: 'line 3, column 5' });
    expect(err.detail).toMatch(/^invalid JSON: Expected ',' or '\]' after array element in JSON at position 11\b/);
  });

  it('calls an unterminated string or input that stops short truncated', () => {
    const unterminated = thrownParseError(() => parseJson('["abc', 'hf-api'));
    expect(unterminated.detail).toMatch(/^invalid JSON \(truncated\?\): Unterminated string in JSON at position 5\b/);
    expect(unterminated.where).toBe('line 1, column 6');
    expect(thrownParseError(() => parseJson('[', 'hf-api'))).toMatchObject({
      detail: 'invalid JSON (truncated?): Unexpected end of JSON input',
      where: 'end of input (1 characters)',
    });
  });

  it('does not place an error that has no position at the end of the input, and keeps the message on one line', () => {
    // V8 quotes the text around an unexpected token, line break included, and gives no position.
    const err = thrownParseError(() => parseJson('{"a":1,"b":tru}\n', 'hf-api'));
    expect(err.detail).toMatch(/^invalid JSON: Unexpected token '}', "\{"a":1,"b":tru}$/);
    expect(err.where).toBeUndefined();
  });
});

describe('describeMarkup: misplaced input in words', () => {
  it('names an HTML page by its trimmed title, or without one', () => {
    expect(describeMarkup('<!DOCTYPE html><html><head><title lang="en">\n 502 Bad Gateway \n</title>')).toBe('an HTML page titled "502 Bad Gateway"');
    expect(describeMarkup('<HTML><body>no title</body></HTML>')).toBe('an HTML page');
    expect(describeMarkup('<html><title>  </title></html>')).toBe('an HTML page');
  });

  it('keeps at most 200 characters of a title, and reads only the first 4096 characters', () => {
    expect(describeMarkup(`<html><title>${'T'.repeat(300)}</title>`)).toBe(`an HTML page titled "${'T'.repeat(200)}"`);
    expect(describeMarkup(`<html>${' '.repeat(4096)}<title>Late</title>`)).toBe('an HTML page');
    expect(describeMarkup(`<?xml version="1.0"?>${' '.repeat(4096)}<html>`)).toBe('XML/HTML markup');
  });

  it('tells an Atom feed from an RSS feed from other markup', () => {
    expect(describeMarkup('<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom">')).toBe('an Atom feed');
    expect(describeMarkup('<?xml version="1.0"?>\n<rss version="2.0">')).toBe('an RSS feed');
    expect(describeMarkup('<feeds><rsss/></feeds>')).toBe('XML/HTML markup');
    expect(describeMarkup('<htmlx><title>t</title></htmlx>')).toBe('XML/HTML markup');
  });
});

describe('lineAndColumn: 1-based, from a character offset', () => {
  it.each([
    [0, 'line 1, column 1'],
    [1, 'line 1, column 2'],
    [2, 'line 1, column 3'],
    [3, 'line 2, column 1'],
    [5, 'line 2, column 3'],
    [6, 'line 3, column 1'],
    [7, 'line 4, column 1'],
    [8, 'line 4, column 2'],
  ])('offset %i of "ab\\ncd\\n\\nef" is %s', (offset, where) => {
    expect(lineAndColumn('ab\ncd\n\nef', offset)).toBe(where);
  });
});
