import { decodeHTMLAttribute } from 'entities/decode';
import { ParseError } from '../errors';
import { parseHfItems } from './hf-api';
import { describeMarkup, lineAndColumn } from './json';
import { isoDay } from './fields';
import type { ParsedEntries } from './types';

/*
 * A saved huggingface.co/papers page. Its list is not in the markup but in the HTML-escaped JSON of
 * `<div ... data-target="DailyPapers" data-props="{&quot;...">`, the data the page hydrates from.
 * Only that attribute is located here; its content is read as JSON, the same items as the API.
 */
const TARGET = 'data-target="DailyPapers"';
const PROPS = 'data-props="';

/** True when the page embeds the Daily Papers data. */
export function looksLikeHfHtml(text: string): boolean {
  return text.includes(TARGET);
}

export function parseHfHtml(text: string): ParsedEntries {
  const target = text.indexOf(TARGET);
  if (target < 0) {
    const found = text.trim() === '' ? 'the input is empty' : `no Daily Papers data (data-target="DailyPapers") in ${describeMarkup(text)}`;
    throw new ParseError('hf-html', found);
  }
  // The attribute belongs to the same tag: between the tag's `<` and its closing `>`.
  const tagStart = text.lastIndexOf('<', target);
  const tagEnd = text.indexOf('>', target);
  const propsAt = text.indexOf(PROPS, tagStart);
  if (propsAt < 0 || (tagEnd >= 0 && propsAt > tagEnd))
    throw new ParseError('hf-html', 'the DailyPapers element has no data-props attribute', lineAndColumn(text, target));
  const valueStart = propsAt + PROPS.length;
  const valueEnd = text.indexOf('"', valueStart);
  if (valueEnd < 0) throw new ParseError('hf-html', 'the data-props attribute is not closed (truncated?)', lineAndColumn(text, propsAt));

  let props: unknown;
  try {
    props = JSON.parse(decodeHTMLAttribute(text.slice(valueStart, valueEnd)));
  } catch (err) {
    throw new ParseError(
      'hf-html',
      `data-props is not valid JSON: ${err instanceof Error ? err.message.slice(0, 120) : String(err)}`,
      lineAndColumn(text, propsAt),
    );
  }
  const obj = props && typeof props === 'object' ? (props as Record<string, unknown>) : {};
  if (!Array.isArray(obj.dailyPapers)) throw new ParseError('hf-html', 'data-props has no "dailyPapers" array', 'data-props.dailyPapers');
  const listDate = typeof obj.date === 'string' ? (isoDay(obj.date) ?? undefined) : undefined;
  return parseHfItems(obj.dailyPapers, { format: 'hf-html', path: 'data-props.dailyPapers', listDate });
}
