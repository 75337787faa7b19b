import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { z } from 'zod';
import { ARXIV_CATEGORY } from '../config/schema';
import { ParseError } from '../errors';
import { normalizeArxivId } from '../model/ids';
import type { Paper } from '../model/paper';
import { buildPaper, calendarDate, describeError, isoDay, monthNumber } from './fields';
import { describeMarkup } from './json';
import type { EntryError, ParsedEntries } from './types';

/*
 * arXiv's two listing formats: the API's Atom feed (`/api/query`) and the daily RSS feed
 * (`rss.arxiv.org/rss/cs.LG`). Ids lose their version so the same paper matches across sources.
 */

const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  trimValues: true,
  isArray: (name) => ['entry', 'item', 'author', 'link', 'category'].includes(name),
});

/** Text content of an element that may carry attributes (then the text is under `#text`). */
const Text = z.union([z.string(), z.object({ '#text': z.string().optional() }).transform((o) => o['#text'] ?? '')]);

const AtomEntry = z.object({
  id: Text,
  title: Text,
  summary: Text.default(''),
  published: Text.optional(),
  updated: Text.optional(),
  author: z.array(z.object({ name: Text })).default([]),
  link: z.array(z.object({ '@href': z.string(), '@title': z.string().optional() })).default([]),
  category: z.array(z.object({ '@term': z.string() })).default([]),
  'arxiv:primary_category': z.object({ '@term': z.string() }).optional(),
});

const RssItem = z.object({
  title: Text,
  // `link` is listed as an array element name for Atom; in RSS it holds one URL.
  link: z
    .array(Text)
    .min(1)
    .transform((links) => links[0]!),
  description: Text.default(''),
  pubDate: Text.optional(),
  category: z.array(Text).default([]),
  'dc:creator': Text.optional(),
});

/** True when the text is an Atom or RSS feed. */
export function looksLikeArxiv(text: string): boolean {
  const head = text.slice(0, 2048);
  return /<(feed|rss)\b/.test(head);
}

export function parseArxiv(text: string): ParsedEntries {
  if (text.trim() === '') throw new ParseError('arxiv', 'the input is empty');
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new ParseError('arxiv', `invalid XML: ${valid.err.msg}`, `line ${valid.err.line}, column ${valid.err.col}`);
  const doc = xml.parse(text) as Record<string, unknown>;
  const feed = doc.feed as Record<string, unknown> | undefined;
  if (feed && typeof feed === 'object') return parseAtom(feed);
  const channel = (doc.rss as Record<string, unknown> | undefined)?.channel as Record<string, unknown> | undefined;
  if (channel && typeof channel === 'object') return parseRss(channel);
  throw new ParseError('arxiv', `expected an Atom <feed> or an RSS <rss><channel>, got ${describeMarkup(text)}`, 'line 1');
}

function parseAtom(feed: Record<string, unknown>): ParsedEntries {
  const entries = (feed.entry as unknown[] | undefined) ?? [];
  const papers: Paper[] = [];
  const errors: EntryError[] = [];
  for (const [i, raw] of entries.entries()) {
    const where = `feed.entry[${i}]`;
    const parsed = AtomEntry.safeParse(raw);
    if (!parsed.success) {
      errors.push({ where, message: describeError(parsed.error) });
      continue;
    }
    const e = parsed.data;
    // The API reports errors (HTTP 400) as a feed with one entry pointing at its errors page.
    if (e.id.includes('/api/errors')) throw new ParseError('arxiv', `the arXiv API answered with an error: ${e.summary.trim() || e.title}`, where);
    const arxivId = normalizeArxivId(e.id);
    const publishedAt = isoDay(e.published ?? e.updated ?? '');
    if (!arxivId) {
      errors.push({ where: `${where}.id`, message: `not an arXiv id: "${e.id.slice(0, 80)}"` });
      continue;
    }
    if (!publishedAt) {
      errors.push({ where: `${where}.published`, message: 'missing or invalid publication date' });
      continue;
    }
    try {
      papers.push(
        buildPaper({
          arxivId,
          title: e.title,
          summary: e.summary,
          authors: e.author.map((a) => a.name),
          publishedAt,
          url: `https://arxiv.org/abs/${arxivId}`,
          pdfUrl: `https://arxiv.org/pdf/${arxivId}`,
          keywords: e.category.map((c) => c['@term']),
          categories: categoriesOf([e['arxiv:primary_category']?.['@term'], ...e.category.map((c) => c['@term'])]),
          source: 'arxiv',
        }),
      );
    } catch (err) {
      errors.push({ where, message: describeError(err) });
    }
  }
  return { papers, errors };
}

function parseRss(channel: Record<string, unknown>): ParsedEntries {
  const items = (channel.item as unknown[] | undefined) ?? [];
  const papers: Paper[] = [];
  const errors: EntryError[] = [];
  for (const [i, raw] of items.entries()) {
    const where = `rss.channel.item[${i}]`;
    const parsed = RssItem.safeParse(raw);
    if (!parsed.success) {
      errors.push({ where, message: describeError(parsed.error) });
      continue;
    }
    const it = parsed.data;
    const arxivId = normalizeArxivId(it.link);
    const day = rfc822Day(it.pubDate ?? '');
    if (!arxivId) {
      errors.push({ where: `${where}.link`, message: `not an arXiv abs link: "${it.link.slice(0, 80)}"` });
      continue;
    }
    if (!day) {
      errors.push({ where: `${where}.pubDate`, message: 'missing or invalid pubDate' });
      continue;
    }
    // "arXiv:2609.26811v1 Announce Type: new \nAbstract: ..." — the abstract follows its label.
    const abstractAt = it.description.indexOf('Abstract:');
    try {
      papers.push(
        buildPaper({
          arxivId,
          title: it.title,
          summary: abstractAt >= 0 ? it.description.slice(abstractAt + 'Abstract:'.length) : it.description,
          authors: (it['dc:creator'] ?? '').split(','),
          publishedAt: day,
          // The feed is the day's announcement list.
          listedOn: day,
          url: `https://arxiv.org/abs/${arxivId}`,
          pdfUrl: `https://arxiv.org/pdf/${arxivId}`,
          keywords: it.category,
          // The feed lists the primary category first.
          categories: categoriesOf(it.category),
          source: 'arxiv',
        }),
      );
    } catch (err) {
      errors.push({ where, message: describeError(err) });
    }
  }
  return { papers, errors };
}

/** Category names, primary first, each once; anything not shaped like one (untrusted feed text) is dropped. */
function categoriesOf(terms: (string | undefined)[]): string[] {
  const names = terms.map((t) => t?.trim() ?? '').filter((t) => ARXIV_CATEGORY.test(t));
  return [...new Set(names)];
}

/** The calendar day as written in an RFC 822 date (`Thu, 24 Sep 2026 00:00:00 -0400`). */
function rfc822Day(value: string): string | null {
  const m = /(\d{1,2}) ([A-Za-z]{3}) (\d{4})/.exec(value);
  const month = m ? monthNumber(m[2]!) : null;
  return m && month ? calendarDate(Number(m[3]), month, Number(m[1])) : null;
}
