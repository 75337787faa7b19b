import { words } from './text';

/**
 * The search language, one for both stores: words (every one must match, in any form the engine's
 * stemmer brings together), "quoted phrases" (the words in that order), and -excluded words or
 * -"phrases". Nothing else has a meaning: OR, NEAR, *, ^, column:, parentheses and the like are plain
 * text, and whatever is not a word is dropped. The stores turn a parsed query into their engine's
 * syntax from these word lists alone (src/store/repositories/search.ts), so no user text ever
 * reaches the engine as syntax.
 */
export interface SearchQuery {
  /** Single words that must all match. */
  words: string[];
  /** Runs of two or more words that must match in that order. */
  phrases: string[][];
  /** Words or runs of words that must not match. */
  excluded: string[][];
}

/** Parts of a query past this are dropped: it bounds the engine's work on any input. */
const MAX_PARTS = 16;
/** The words of a phrase past this are dropped. */
const MAX_PHRASE = 8;
/** A word (letters, marks, digits) as a phrase keeps it: stopwords stay, as they hold the words apart. */
const PHRASE_WORD = /[\p{L}\p{M}\p{N}]+/gu;

/** A quoted phrase, a -excluded phrase or word, or a run of other text. Unclosed quotes run to the end. */
const PART = /(-?)"([^"]*)"?|(?:^|(?<=\s))-([^\s"]+)|[^"\s]+/gu;

export function parseQuery(text: string): SearchQuery {
  const query: SearchQuery = { words: [], phrases: [], excluded: [] };
  const seen = new Set<string>();
  /** Adds a part once, while there is room; phrases of one word are that word. */
  const add = (run: string[], excluded: boolean) => {
    const key = `${excluded ? '-' : ''}${run.join(' ')}`;
    if (seen.size >= MAX_PARTS || seen.has(key)) return;
    seen.add(key);
    if (excluded) query.excluded.push(run);
    else if (run.length === 1) query.words.push(run[0]!);
    else query.phrases.push(run);
  };
  for (const [whole, minus, quoted, excludedWord] of text.normalize('NFKC').matchAll(PART)) {
    if (quoted !== undefined) {
      const run = phraseWords(quoted);
      // A phrase of stopwords alone says nothing.
      if (words(run.join(' ')).length > 0) add(run, minus === '-');
    } else if (excludedWord !== undefined) {
      for (const w of words(excludedWord)) add([w], true);
    } else {
      for (const w of words(whole)) add([w], false);
    }
  }
  return query;
}

function phraseWords(text: string): string[] {
  return (text.toLowerCase().match(PHRASE_WORD) ?? []).slice(0, MAX_PHRASE).map((w) => w.slice(0, 40));
}

/** Whether the query can match anything: exclusions alone match nothing, never "everything but". */
export function isEmpty(q: SearchQuery): boolean {
  return q.words.length === 0 && q.phrases.length === 0;
}

/** The query written back in the search language: parsing this gives the same query. */
export function formatQuery(q: SearchQuery): string {
  const phrase = (run: string[]) => (run.length === 1 ? run[0]! : `"${run.join(' ')}"`);
  return [...q.words, ...q.phrases.map(phrase), ...q.excluded.map((run) => `-${phrase(run)}`)].join(' ');
}
