import { describe, expect, it } from 'vitest';
import { thrownParseError } from '../helpers/parse-error';
import { looksLikeArxiv, parseArxiv } from '../../src/parse/arxiv';

const atom = (...entries: string[]) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">\n<title>q</title>\n${entries.join('\n')}\n</feed>\n`;
const entry = (inner: string) => `<entry>${inner}</entry>`;
const good = (id = '2609.00001v2', rest = '') =>
  entry(`<id>http://arxiv.org/abs/${id}</id><title>A Title</title><summary>An abstract.</summary><published>2026-09-01T10:00:00Z</published>${rest}`);

const rss = (...items: string[]) =>
  `<?xml version="1.0"?>\n<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>cs.LG</title>\n${items.join('\n')}\n</channel></rss>\n`;
const item = (inner: string) => `<item>${inner}</item>`;
const goodItem = (rest = '<dc:creator>Ada Lovelace, Alan Turing</dc:creator>') =>
  item(`<title>An Item</title><link>https://arxiv.org/abs/2609.26811</link><description>arXiv:2609.26811v1 Announce Type: new
Abstract: The abstract itself.</description><pubDate>Thu, 4 Sep 2026 00:00:00 -0400</pubDate><category>cs.LG</category>${rest}`);

describe('looksLikeArxiv', () => {
  it('sees a <feed> or <rss> element in the first 2048 characters only', () => {
    expect(looksLikeArxiv('<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">')).toBe(true);
    expect(looksLikeArxiv('<rss version="2.0">')).toBe(true);
    expect(looksLikeArxiv('<feedback/><rsstuff/>')).toBe(false);
    expect(looksLikeArxiv(`${' '.repeat(2048)}<feed>`)).toBe(false);
    expect(looksLikeArxiv(`${' '.repeat(2042)}<feed>`)).toBe(true);
  });
});

describe('arXiv Atom entries', () => {
  it('reads an entry: id without version, its own links, source arxiv, no list day', () => {
    const { papers, errors } = parseArxiv(atom(good()));
    expect(errors).toEqual([]);
    expect(papers[0]).toMatchObject({
      id: '2609.00001',
      arxivId: '2609.00001',
      title: 'A Title',
      summary: 'An abstract.',
      authors: [],
      authorCount: null,
      publishedAt: '2026-09-01',
      listedOn: null,
      url: 'https://arxiv.org/abs/2609.00001',
      pdfUrl: 'https://arxiv.org/pdf/2609.00001',
      categories: [],
      keywords: [],
      source: 'arxiv',
    });
  });

  it('dates an entry without <published> by its <updated>, and one with neither is an error', () => {
    const updatedOnly = entry('<id>http://arxiv.org/abs/2609.00002</id><title>U</title><updated>2026-09-03T00:00:00Z</updated>');
    const undated = entry('<id>http://arxiv.org/abs/2609.00003</id><title>N</title>');
    const { papers, errors } = parseArxiv(atom(updatedOnly, undated));
    expect(papers.map((p) => [p.id, p.publishedAt, p.summary])).toEqual([['2609.00002', '2026-09-03', '']]);
    expect(errors).toEqual([{ where: 'feed.entry[1].published', message: 'missing or invalid publication date' }]);
  });

  it('puts the primary category first, each category once, and drops terms that are not categories', () => {
    const rest =
      '<arxiv:primary_category term="cs.LG"/><category term="cs.AI"/><category term="cs.LG"/><category term=" stat.ML "/><category term="I.2.7; F.1"/><category term="&lt;b&gt;"/>';
    const { papers } = parseArxiv(atom(good(undefined, rest)));
    expect(papers[0]!.categories).toEqual(['cs.LG', 'cs.AI', 'stat.ML']);
    expect(papers[0]!.keywords).toEqual(['cs.AI', 'cs.LG', 'stat.ML', 'I.2.7; F.1', '<b>']);
  });

  it('reports an entry whose id is not an arXiv id, quoting at most 80 characters of it', () => {
    const long = `https://example.org/${'x'.repeat(100)}`;
    const bad = entry(`<id>${long}</id><title>T</title><published>2026-09-01</published>`);
    const { papers, errors } = parseArxiv(atom(good(), bad));
    expect(papers).toHaveLength(1);
    expect(errors).toEqual([{ where: 'feed.entry[1].id', message: `not an arXiv id: "${long.slice(0, 80)}"` }]);
  });

  it('reports an entry missing its id or title, and one whose title cleans to nothing, by position', () => {
    const noId = entry('<title>T</title><published>2026-09-01</published>');
    const blankTitle = entry('<id>http://arxiv.org/abs/2609.00004</id><title>  </title><published>2026-09-01</published>');
    const { papers, errors } = parseArxiv(atom(noId, good(), blankTitle));
    expect(papers).toHaveLength(1);
    expect(errors).toEqual([
      { where: 'feed.entry[0]', message: 'id: Invalid input' },
      { where: 'feed.entry[2]', message: 'title: Too small: expected string to have >=1 characters' },
    ]);
  });

  it('reads an element that carries attributes by its text', () => {
    const withAttrs = entry(
      '<id>http://arxiv.org/abs/2609.00005</id><title type="text">Typed Title</title><summary type="text">Typed.</summary><published>2026-09-01</published>',
    );
    expect(parseArxiv(atom(withAttrs)).papers[0]).toMatchObject({ title: 'Typed Title', summary: 'Typed.' });
  });

  it('reads a lone author, link and category as one of each, and an empty element with attributes as empty text', () => {
    const lone = entry(
      '<id>http://arxiv.org/abs/2609.00006</id><title>Lone</title><summary type="text"/><published>2026-09-01</published>' +
        '<author><name>Ada Lovelace</name></author><link href="https://arxiv.org/abs/2609.00006"/><category term="cs.CL"/>',
    );
    const { papers, errors } = parseArxiv(atom(lone));
    expect(errors).toEqual([]);
    expect(papers[0]).toMatchObject({ summary: '', authors: ['Ada Lovelace'], authorCount: 1, keywords: ['cs.CL'], categories: ['cs.CL'] });
  });

  it("turns the API's error entry into an error, with its summary or else its title", () => {
    const err = (inner: string) => entry(`<id>http://arxiv.org/api/errors#incorrect_id_format_for_abc</id><title>Error</title>${inner}`);
    expect(thrownParseError(() => parseArxiv(atom(err('<summary>incorrect id format for abc</summary>'))))).toMatchObject({
      format: 'arxiv',
      detail: 'the arXiv API answered with an error: incorrect id format for abc',
      where: 'feed.entry[0]',
    });
    expect(thrownParseError(() => parseArxiv(atom(good(), err('<summary> </summary>'))))).toMatchObject({
      detail: 'the arXiv API answered with an error: Error',
      where: 'feed.entry[1]',
    });
    // The XML parser trims text, but not a CDATA section.
    expect(thrownParseError(() => parseArxiv(atom(err('<summary><![CDATA[  \n ]]></summary>')))).detail).toBe('the arXiv API answered with an error: Error');
  });

  it('reads a feed with no entries as no papers', () => {
    expect(parseArxiv(atom())).toEqual({ papers: [], errors: [] });
  });
});

describe('arXiv RSS items', () => {
  it('reads an item: the abstract after its label, the creators, the announce day as both dates', () => {
    const { papers, errors } = parseArxiv(rss(goodItem()));
    expect(errors).toEqual([]);
    expect(papers[0]).toMatchObject({
      id: '2609.26811',
      title: 'An Item',
      summary: 'The abstract itself.',
      authors: ['Ada Lovelace', 'Alan Turing'],
      authorCount: 2,
      publishedAt: '2026-09-04',
      listedOn: '2026-09-04',
      url: 'https://arxiv.org/abs/2609.26811',
      pdfUrl: 'https://arxiv.org/pdf/2609.26811',
      keywords: ['cs.LG'],
      categories: ['cs.LG'],
      source: 'arxiv',
    });
  });

  it('keeps a description without the label whole, and an item without creators has no authors', () => {
    const plain = item(
      '<title>Plain</title><link>https://arxiv.org/abs/2609.26812</link><description>Just text.</description><pubDate>Fri, 25 Sep 2026 00:00:00 -0400</pubDate>',
    );
    const { papers } = parseArxiv(rss(plain));
    expect(papers[0]).toMatchObject({ summary: 'Just text.', authors: [], authorCount: null, publishedAt: '2026-09-25', categories: [] });
  });

  it('takes the abstract after its label also when the description starts with it', () => {
    const labelled = item(
      '<title>L</title><link>https://arxiv.org/abs/2609.26815</link><description>Abstract: Only this.</description><pubDate>Thu, 24 Sep 2026 00:00:00 -0400</pubDate>',
    );
    expect(parseArxiv(rss(labelled)).papers[0]!.summary).toBe('Only this.');
  });

  it('lists categories in feed order, primary first, each once', () => {
    const { papers } = parseArxiv(rss(goodItem('<category>stat.ML</category><category>cs.LG</category><category>not a category</category>')));
    expect(papers[0]!.categories).toEqual(['cs.LG', 'stat.ML']);
  });

  it('reports an item whose link is not an arXiv abstract, quoting at most 80 characters', () => {
    const link = `https://example.org/${'y'.repeat(100)}`;
    const bad = item(`<title>B</title><link>${link}</link><pubDate>Thu, 24 Sep 2026 00:00:00 -0400</pubDate>`);
    const { papers, errors } = parseArxiv(rss(goodItem(), bad));
    expect(papers).toHaveLength(1);
    expect(errors).toEqual([{ where: 'rss.channel.item[1].link', message: `not an arXiv abs link: "${link.slice(0, 80)}"` }]);
  });

  it.each(['', '<pubDate>sometime</pubDate>', '<pubDate>Thu, 31 Sep 2026 00:00:00 -0400</pubDate>', '<pubDate>Thu, 24 Sem 2026 00:00:00 -0400</pubDate>'])(
    'reports an item with a missing or invalid pubDate: %s',
    (pubDate) => {
      const bad = item(`<title>B</title><link>https://arxiv.org/abs/2609.26813</link>${pubDate}`);
      expect(parseArxiv(rss(bad)).errors).toEqual([{ where: 'rss.channel.item[0].pubDate', message: 'missing or invalid pubDate' }]);
    },
  );

  it('reports an item without a link, and one whose title cleans to nothing, by position', () => {
    const noLink = item('<title>B</title><pubDate>Thu, 24 Sep 2026 00:00:00 -0400</pubDate>');
    const blank = item('<title> </title><link>https://arxiv.org/abs/2609.26814</link><pubDate>Thu, 24 Sep 2026 00:00:00 -0400</pubDate>');
    const { errors } = parseArxiv(rss(noLink, blank));
    expect(errors).toEqual([
      { where: 'rss.channel.item[0]', message: 'link: Invalid input: expected array, received undefined' },
      { where: 'rss.channel.item[1]', message: 'title: Too small: expected string to have >=1 characters' },
    ]);
  });

  it('reads a channel with no items as no papers', () => {
    expect(parseArxiv(rss())).toEqual({ papers: [], errors: [] });
  });
});

describe('arXiv input it cannot read', () => {
  it('says the input is empty', () => {
    expect(thrownParseError(() => parseArxiv(' \n'))).toMatchObject({ format: 'arxiv', detail: 'the input is empty', where: undefined });
  });

  it('names the line and column of invalid XML', () => {
    const err = thrownParseError(() => parseArxiv('<feed>\n  <entry><id>x</entry>\n</feed>'));
    expect(err.detail).toMatch(/^invalid XML: /);
    expect(err.where).toBe('line 2, column 15');
  });

  it('says what other markup it got', () => {
    expect(thrownParseError(() => parseArxiv('<html><title>Oops</title></html>'))).toMatchObject({
      detail: 'expected an Atom <feed> or an RSS <rss><channel>, got an HTML page titled "Oops"',
      where: 'line 1',
    });
    expect(thrownParseError(() => parseArxiv('<rss version="2.0"></rss>')).detail).toBe('expected an Atom <feed> or an RSS <rss><channel>, got an RSS feed');
    expect(thrownParseError(() => parseArxiv('<feed>text</feed>')).detail).toBe('expected an Atom <feed> or an RSS <rss><channel>, got an Atom feed');
    expect(thrownParseError(() => parseArxiv('<rss version="2.0"><channel>text</channel></rss>')).detail).toBe(
      'expected an Atom <feed> or an RSS <rss><channel>, got an RSS feed',
    );
  });
});
