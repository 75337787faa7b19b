import { looksLikeArxiv } from './arxiv';
import { looksLikeHfHtml } from './hf-html';
import { looksLikeHfText } from './hf-text';
import type { ListingFormat } from './types';

/**
 * The listing format, judged from content alone (never from a file name or URL): JSON is the HF
 * API, markup is a saved HF page or an arXiv feed, and text with `·` + date lines is a copied HF
 * page. Null when it is none of these.
 */
export function detectFormat(text: string): ListingFormat | null {
  const first = text.match(/\S/)?.[0];
  if (first === '[' || first === '{') return 'hf-api';
  if (first === '<') {
    if (looksLikeHfHtml(text)) return 'hf-html';
    if (looksLikeArxiv(text)) return 'arxiv';
    // Any other web page (an error page, a login wall) is read as a page that lacks the data.
    return /<(!doctype html|html)\b/i.test(text.slice(0, 2048)) ? 'hf-html' : 'arxiv';
  }
  return looksLikeHfText(text) ? 'hf-text' : null;
}
