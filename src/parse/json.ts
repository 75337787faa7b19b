import { ParseError } from '../errors';
import type { ListingFormat } from './types';

/** JSON.parse with a ParseError that says what was found instead, and where (line:column). */
export function parseJson(text: string, format: ListingFormat): unknown {
  const start = text.search(/\S/);
  if (start < 0) throw new ParseError(format, 'the input is empty');
  if (text[start] === '<') throw new ParseError(format, `expected JSON but got ${describeMarkup(text)}`, 'line 1');
  try {
    return JSON.parse(text);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    const pos = /position (\d+)/.exec(msg);
    const atEnd = /end of (JSON )?input/i.test(msg);
    // V8 gives no position for an unexpected token (it quotes the text instead): then no place is named.
    const where = pos ? lineAndColumn(text, Number(pos[1])) : atEnd ? `end of input (${text.length} characters)` : undefined;
    const truncated = atEnd || /Unterminated/i.test(msg) ? ' (truncated?)' : '';
    throw new ParseError(format, `invalid JSON${truncated}: ${msg.split('\n')[0]!.slice(0, 120)}`, where);
  }
}

/** What markup is, in words: "an HTML page titled "502 Bad Gateway"", "an Atom feed", so misplaced input is recognisable. */
export function describeMarkup(text: string): string {
  const head = text.slice(0, 4096);
  if (/<(!doctype html|html)\b/i.test(head)) {
    const title = /<title[^>]*>([^<]{0,200})/i.exec(head)?.[1]?.trim();
    return title ? `an HTML page titled "${title}"` : 'an HTML page';
  }
  if (/<feed\b/.test(head)) return 'an Atom feed';
  if (/<rss\b/.test(head)) return 'an RSS feed';
  return 'XML/HTML markup';
}

/** `line L, column C` (1-based) of a character offset. */
export function lineAndColumn(text: string, offset: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return `line ${line}, column ${offset - lineStart + 1}`;
}
