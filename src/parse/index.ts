import { ParseError } from '../errors';
import { parseArxiv } from './arxiv';
import { detectFormat } from './detect';
import { parseHfApi } from './hf-api';
import { parseHfHtml } from './hf-html';
import { parseHfText } from './hf-text';
import type { ListingFormat, ParseResult } from './types';

export { detectFormat } from './detect';
export type { EntryError, ListingFormat, ParseResult } from './types';
export { LISTING_FORMATS } from './types';

export interface ParseOptions {
  /** `auto` (default) detects the format from the content. */
  format?: 'auto' | ListingFormat;
  /** `YYYY-MM-DD`: year-less dates (`Mar 17`) are the most recent such day not after it. Default: today (UTC). */
  today?: string;
}

/**
 * Reads a paper listing in any supported format. Keeps every good entry and reports each bad one
 * in `errors`; throws ParseError (format, what, where) when the input yields no usable entry.
 * A well-formed listing with no entries (an empty arXiv result) is not an error.
 */
export function parseListing(text: string, opts: ParseOptions = {}): ParseResult {
  const input = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const requested = opts.format ?? 'auto';
  if (input.trim() === '') throw new ParseError(requested === 'auto' ? 'listing' : requested, 'the input is empty');

  const format = requested === 'auto' ? detectFormat(input) : requested;
  if (!format) {
    const start = input.trim().slice(0, 40).split('\n')[0];
    throw new ParseError(
      'listing',
      `not a known format (tried hf-api JSON, hf-html page, arXiv Atom/RSS, hf-text listing); it starts with "${start}"`,
      'line 1',
    );
  }
  const today = opts.today ?? new Date().toISOString().slice(0, 10);
  const { papers, errors } = parseAs(format, input, today);
  if (papers.length === 0 && errors.length > 0) {
    const first = errors[0]!;
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more bad entries)` : '';
    throw new ParseError(format, `no usable entry: ${first.message}${more}`, first.where);
  }
  return { format, papers, errors };
}

function parseAs(format: ListingFormat, text: string, today: string) {
  switch (format) {
    case 'hf-text':
      return parseHfText(text, today);
    case 'hf-api':
      return parseHfApi(text);
    case 'hf-html':
      return parseHfHtml(text);
    case 'arxiv':
      return parseArxiv(text);
  }
}
