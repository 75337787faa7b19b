import { describe, expect, it } from 'vitest';
import { thrownParseError } from '../helpers/parse-error';
import { parseHfHtml } from '../../src/parse/hf-html';

/** An attribute value as the page writes it: JSON, HTML-escaped. */
const escaped = (value: unknown) => JSON.stringify(value).replaceAll('&', '&amp;').replaceAll('"', '&quot;');

const item = (id: string, extra: Record<string, unknown> = {}) => ({
  paper: { id, title: `Paper ${id}`, summary: 'An abstract & more.', authors: [{ name: 'Ada' }], publishedAt: '2024-07-31T00:00:00.000Z', upvotes: 3 },
  publishedAt: '2024-08-01T12:00:00.000Z',
  ...extra,
});

const page = (props: string, before = '<div class="SVELTE_HYDRATER contents" data-target="DailyPapers" ') =>
  `<!DOCTYPE html>\n<html><head><title>Daily Papers - Hugging Face</title></head>\n<body>\n${before}data-props="${props}"></div>\n</body></html>\n`;

describe('hf-html: the Daily Papers data of a saved page', () => {
  it('reads the escaped items, listed on the page date, as hf-html papers', () => {
    const { papers, errors } = parseHfHtml(page(escaped({ date: '2024-08-02T00:00:00.000Z', dailyPapers: [item('2407.21783'), item('2407.21770')] })));
    expect(errors).toEqual([]);
    expect(papers.map((p) => [p.id, p.title, p.summary, p.listedOn, p.publishedAt, p.source])).toEqual([
      ['2407.21783', 'Paper 2407.21783', 'An abstract & more.', '2024-08-02', '2024-07-31', 'hf-html'],
      ['2407.21770', 'Paper 2407.21770', 'An abstract & more.', '2024-08-02', '2024-07-31', 'hf-html'],
    ]);
  });

  it("takes each item's own list time when the page date is missing or not a date", () => {
    for (const date of [undefined, 'someday', 20240802]) {
      const { papers } = parseHfHtml(page(escaped({ date, dailyPapers: [item('2407.21783')] })));
      expect(papers[0]!.listedOn).toBe('2024-08-01');
    }
  });

  it('finds data-props written before data-target in the same tag', () => {
    const html = `<div data-props="${escaped({ dailyPapers: [item('2407.21783')] })}" data-target="DailyPapers"></div>`;
    expect(parseHfHtml(html).papers.map((p) => p.id)).toEqual(['2407.21783']);
  });

  it('reads the attributes alone, copied from the page source without their tag, in either order', () => {
    const props = escaped({ dailyPapers: [item('2407.21783')] });
    expect(parseHfHtml(`data-target="DailyPapers" data-props="${props}"`).papers.map((p) => p.id)).toEqual(['2407.21783']);
    expect(parseHfHtml(`data-props="${props}" data-target="DailyPapers">`).papers.map((p) => p.id)).toEqual(['2407.21783']);
  });

  it('names bad items by their path in data-props and keeps the good ones', () => {
    const bad = { paper: { id: '2407.00001', title: 'No date' } };
    const { papers, errors } = parseHfHtml(page(escaped({ dailyPapers: [item('2407.21783'), bad] })));
    expect(papers).toHaveLength(1);
    expect(errors).toEqual([{ where: 'data-props.dailyPapers[1].paper.publishedAt', message: 'Invalid input: expected string, received undefined' }]);
  });
});

describe('hf-html: pages it cannot read, each said with where', () => {
  it('says the input is empty, or which page it got instead', () => {
    expect(thrownParseError(() => parseHfHtml(' \n'))).toMatchObject({ format: 'hf-html', detail: 'the input is empty', where: undefined });
    expect(thrownParseError(() => parseHfHtml('<html><title>Login</title></html>')).detail).toBe(
      'no Daily Papers data (data-target="DailyPapers") in an HTML page titled "Login"',
    );
  });

  it('does not take the data-props of another element', () => {
    const html = `<p>x</p>\n<div data-target="DailyPapers"></div>\n<div data-props="${escaped({ dailyPapers: [] })}"></div>`;
    expect(thrownParseError(() => parseHfHtml(html))).toMatchObject({
      detail: 'the DailyPapers element has no data-props attribute',
      where: 'line 2, column 6',
    });
    expect(thrownParseError(() => parseHfHtml('<div data-target="DailyPapers"'))).toMatchObject({
      detail: 'the DailyPapers element has no data-props attribute',
      where: 'line 1, column 6',
    });
  });

  it('reads data-props in a tag cut off before its ">"', () => {
    const html = `<div data-target="DailyPapers" data-props="${escaped({ dailyPapers: [item('2407.21783')] })}"`;
    expect(parseHfHtml(html).papers).toHaveLength(1);
  });

  it('reports an attribute that is not closed, where it starts', () => {
    expect(thrownParseError(() => parseHfHtml('<div\ndata-target="DailyPapers" data-props="{&quot;dailyPapers'))).toMatchObject({
      detail: 'the data-props attribute is not closed (truncated?)',
      where: 'line 2, column 27',
    });
  });

  it('reports data-props that is not JSON, at the attribute', () => {
    const err = thrownParseError(() => parseHfHtml('<div data-target="DailyPapers"\n  data-props="{dailyPapers: []}">'));
    expect(err.where).toBe('line 2, column 3');
    expect(err.detail).toMatch(/^data-props is not valid JSON: Expected property name or '}' in JSON at position 1\b/);
  });

  it('says when data-props holds no dailyPapers array', () => {
    for (const props of ['null', '3', escaped({ dailyPapers: {} }), escaped({ papers: [] })]) {
      expect(thrownParseError(() => parseHfHtml(page(props)))).toMatchObject({
        detail: 'data-props has no "dailyPapers" array',
        where: 'data-props.dailyPapers',
      });
    }
  });
});
