/**
 * The words of a paper or a query: what a query's words are (src/search/query), and the terms that
 * likeness weighs (src/search/document). The full-text engines split text into the same words.
 */

/** A run of letters, combining marks and digits in any script. */
const WORD = /[\p{L}\p{M}\p{N}]+/gu;

/** Frequent English function words that say nothing about a paper's topic. Kept small on purpose. */
const STOPWORDS = new Set(
  `a an and are as at be been but by can do does for from had has have how i if in into is it its
  no not of on or our so such than that the their them then there these they this those to via was
  we were what when where which while who why will with without you your us also about over under`
    .split(/\s+/)
    .filter(Boolean),
);

/** Longest first. Each is stripped only when at least MIN_STEM characters remain. */
const SUFFIXES = [
  'ational',
  'ations',
  'ation',
  'ional',
  'ments',
  'ment',
  'ings',
  'ing',
  'ions',
  'ion',
  'ives',
  'ive',
  'ers',
  'er',
  'ies',
  'ied',
  'es',
  'ed',
  'ly',
  's',
  'e',
  'y',
];
const MIN_STEM = 3;
/** Longer tokens are noise (hashes, run-together URLs); cutting them also bounds work on hostile input. */
const MAX_WORD = 40;

/**
 * A conservative suffix strip, so "memorize", "memorizing" and "memorization" meet at "memoriz".
 * The stem is always a prefix of the word, so a reason can show the word a stem came from.
 */
export function stem(word: string): string {
  let known = stems.get(word);
  if (known === undefined) {
    known = stemOnce(word);
    // Vocabularies are small, but hostile text is not: past the cap, start over rather than grow.
    if (stems.size >= STEM_CACHE) stems.clear();
    stems.set(word, known);
  }
  return known;
}

/**
 * Stemming is most of the cost of indexing a paper, and the same few thousand words recur in
 * every abstract, so each word is stemmed once per process.
 */
const stems = new Map<string, string>();
const STEM_CACHE = 200_000;

function stemOnce(word: string): string {
  if (!/^[a-z]+$/.test(word)) return word;
  for (const suffix of SUFFIXES) {
    if (!word.endsWith(suffix) || word.length - suffix.length < MIN_STEM) continue;
    // "process", "corpus", "analysis", "speed": a final s or ed that is part of the word itself.
    if (suffix === 's' && /(ss|us|is)$/.test(word)) continue;
    if (suffix === 'ed' && word.endsWith('eed')) continue;
    return word.slice(0, -suffix.length);
  }
  return word;
}

/** Lowercased words in text order, without stopwords or single letters, not yet stemmed. */
export function words(text: string): string[] {
  const out: string[] = [];
  // match() rather than matchAll(): no match object per word, several times faster on abstracts.
  for (const raw of text.normalize('NFKC').toLowerCase().match(WORD) ?? []) {
    const word = raw.slice(0, MAX_WORD);
    if (STOPWORDS.has(word) || (word.length === 1 && !/\d/.test(word))) continue;
    out.push(word);
  }
  return out;
}

/** The index terms of a text: its words, stemmed, in text order (repeats kept for term frequency). */
export function tokenize(text: string): string[] {
  return words(text).map(stem);
}
