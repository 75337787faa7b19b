import { ParseError } from '../errors';
import { buildPaper, calendarDate, describeError, monthNumber } from './fields';
import type { EntryError, ParsedEntries } from './types';
import type { Paper } from '../model/paper';

/*
 * The text of a Hugging Face Daily Papers page, as copied from a browser. Each paper is
 *
 *   Title
 *   Abstract (one or more lines)
 *   • 6 authors          (or an organization line: `moonshotai Moonshot AI` = slug, display name)
 *   ·
 *   Dec 12, 2022 3       (`Mar 17` without a year; the upvote count is optional)
 *
 * The lone `·` line anchors each entry, so the parser reads lines once, front to back.
 */

const SEPARATOR = '·';
const AUTHORS = /^•\s*(\d+)\s+authors?$/i;
// An organization's slug (`moonshotai`), then its display name.
const ORGANIZATION = /^([A-Za-z0-9][\w.-]{0,95})(?:\s+(\S.{0,118}))?$/;
const DATE_LINE = /^([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:,\s*(\d{4}))?(?:\s+(\d+))?$/;

/** The page's header above the list (badge, subscribe box, heading, byline): no paper. */
const HEADER = [/^new$/i, /^get trending papers in your email inbox!?$/i, /^subscribe$/i, /^daily papers$/i, /^by\s*ak\b/i];
/** The page's own date under the header (`Apr 21`); a paper may be titled the same way (`Mar 3`). */
const PAGE_DATE =
  /^(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t|tember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\s+\d{1,2}(?:,\s*\d{4})?$/i;

/** True when the text has the shape of a Daily Papers listing: a lone `·` line followed by a date. */
export function looksLikeHfText(text: string): boolean {
  return /(?:^|\n)[ \t]*·[ \t]*\r?\n\s*[A-Za-z]{3,9}\.? \d{1,2}\b/.test(text);
}

interface Line {
  no: number;
  text: string;
}

export function parseHfText(text: string, today: string): ParsedEntries {
  const lines = text.split('\n');
  const papers: Paper[] = [];
  const errors: EntryError[] = [];
  let pending: Line[] = [];
  let sawEntry = false;

  for (let i = 0; i < lines.length; i++) {
    const t = lines[i]!.trim();
    if (t === '') continue;
    if (t !== SEPARATOR) {
      pending.push({ no: i + 1, text: t });
      continue;
    }
    // The `·` line: the byline is just before it, the date line just after.
    const sep: Line = { no: i + 1, text: t };
    let j = i + 1;
    while (j < lines.length && lines[j]!.trim() === '') j++;
    const dateLine: Line | null = j < lines.length ? { no: j + 1, text: lines[j]!.trim() } : null;
    i = j;
    const entry = sawEntry ? pending : dropPageHeader(pending);
    pending = [];
    sawEntry = true;
    const result = 'error' in entry ? entry : readEntry(entry, sep, dateLine, today);
    if ('paper' in result) papers.push(result.paper);
    else errors.push(result.error);
  }

  const rest = pending;
  if (rest.length > 0) {
    const first = rest[0]!;
    if (!sawEntry) throw new ParseError('hf-text', 'no paper entries found (each needs a byline, a "·" line and a date line)', `line ${first.no}`);
    errors.push({ where: `line ${first.no}`, message: `entry "${clip(first.text)}" ends without its byline, "·" line and date (truncated?)` });
  }
  return { papers, errors };
}

function readEntry(lines: Line[], sep: Line, dateLine: Line | null, today: string): { paper: Paper } | { error: EntryError } {
  const fail = (line: Line, message: string) => ({ error: { where: `line ${line.no}`, message } });
  const byline = lines.pop();
  const [titleLine, ...abstract] = lines;
  if (!byline || !titleLine) return fail(byline ?? sep, 'entry has no title before its byline and "·" line');
  const name = `"${clip(titleLine.text)}"`;
  if (!dateLine) return fail(sep, `${name}: missing the date line after "·" (truncated?)`);

  const authors = AUTHORS.exec(byline.text);
  const org = authors ? null : ORGANIZATION.exec(byline.text);
  if (!authors && !org) return fail(byline, `${name}: expected "• N authors" or an organization before "·", got "${clip(byline.text)}"`);

  const date = DATE_LINE.exec(dateLine.text);
  const publishedAt = date ? resolveDate(date[1]!, Number(date[2]), date[3] ? Number(date[3]) : null, today) : null;
  if (!date || !publishedAt)
    return fail(dateLine, `${name}: expected a date like "Dec 12, 2022" or "Mar 17" (optionally followed by upvotes), got "${clip(dateLine.text)}"`);

  try {
    const paper = buildPaper({
      arxivId: null,
      title: titleLine.text,
      summary: abstract.map((l) => l.text).join(' '),
      authorCount: authors ? Number(authors[1]) : null,
      organization: org ? (org[2] ?? org[1]!) : null,
      publishedAt,
      upvotes: date[4] ? Number(date[4]) : 0,
      source: 'hf-text',
    });
    return { paper };
  } catch (err) {
    return fail(titleLine, `${name}: ${describeError(err)}`);
  }
}

/** A date from a listing; without a year it is the most recent such day not after `today`. */
function resolveDate(monthName: string, day: number, year: number | null, today: string): string | null {
  const month = monthNumber(monthName);
  if (!month) return null;
  if (year !== null) return calendarDate(year, month, day);
  const thisYear = Number(today.slice(0, 4));
  const candidate = calendarDate(thisYear, month, day);
  if (candidate && candidate <= today) return candidate;
  // Feb 29 may exist only in an earlier year; look back to the last year that has the day.
  for (let y = thisYear - 1; y >= thisYear - 8; y--) {
    const earlier = calendarDate(y, month, day);
    if (earlier) return earlier;
  }
  return null;
}

/**
 * The lines of the first entry without the page header and the page's date above it; later entries
 * keep every line. A line like `Mar 3` or `Llama 3` opening the entry is the page's date only when it
 * is a real date under the header and a title, an abstract and a byline still follow; with no
 * abstract left it is the title. Without the header above it there is no telling, so it is an error.
 */
function dropPageHeader(lines: Line[]): Line[] | { error: EntryError } {
  const k = headerEnd(lines);
  const rest = lines.slice(k);
  const first = rest[0];
  if (!first || !PAGE_DATE.test(first.text) || rest.length < 4) return rest;
  if (k > 0) return rest.slice(1);
  return {
    error: {
      where: `line ${first.no}`,
      message: `"${clip(first.text)}" may be the page's date or the first paper's title; keep the page's header above it, or delete the line if it is the date`,
    },
  };
}

/** How many lines at the start are the page's header. */
function headerEnd(lines: Line[]): number {
  let k = 0;
  while (k < lines.length && HEADER.some((re) => re.test(lines[k]!.text))) k++;
  return k;
}

function clip(s: string, max = 60): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
