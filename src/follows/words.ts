/**
 * Words as follows compare them: accents and case do not count (`Schölkopf` = `scholkopf`), and
 * neither does a plural s (`transformers` = `transformer`). Anything but letters and digits separates
 * words, so `vision-language` is two words and `GPT-4o` is `gpt 4o`.
 */
export function foldedWords(text: string): string[] {
  const words = text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u);
  const out: string[] = [];
  for (const w of words) if (w !== '') out.push(fold(w));
  return out;
}

/** Drops a plural s from words of 4 letters or more (`models`, not `gas`, `glass` or `analysis`'s own s twice). */
function fold(word: string): string {
  return word.length >= 4 && word.endsWith('s') && !word.endsWith('ss') ? word.slice(0, -1) : word;
}
