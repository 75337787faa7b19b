import type { Paper } from '../../src/model/paper';

/** mulberry32: a seeded generator, so every run builds the same corpus. */
export function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/**
 * Papers made of the real papers' words, drawn with their real frequencies (a word drawn at random
 * is as common as it is in real text), in random combinations: a large store's vocabulary and
 * document frequencies without a large download. Paper `i` is the same on every call with the same
 * seed, so a corpus can be made in slices.
 */
export function syntheticPapers(real: Paper[], opts: { from: number; count: number; summaryWords: [number, number]; seed?: number }): Paper[] {
  const titleWords = real.flatMap((p) => p.title.split(/\s+/));
  const summaryWords = real.flatMap((p) => p.summary.split(/\s+/));
  const keywords = real.flatMap((p) => p.keywords);
  const template = real[0]!;
  const [minWords, maxWords] = opts.summaryWords;
  return Array.from({ length: opts.count }, (_, k) => {
    const i = opts.from + k;
    const rand = seeded((opts.seed ?? 42) * 1_000_003 + i);
    const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
    const draw = <T>(xs: T[], n: number) => Array.from({ length: n }, () => pick(xs));
    return {
      ...template,
      id: `9${String(i).padStart(8, '0')}`,
      arxivId: null,
      aiSummary: null,
      categories: undefined,
      title: draw(titleWords, 6 + Math.floor(rand() * 8)).join(' '),
      summary: draw(summaryWords, minWords + Math.floor(rand() * (maxWords - minWords + 1))).join(' '),
      keywords: keywords.length > 0 ? draw(keywords, Math.floor(rand() * 6)) : [],
      upvotes: Math.floor(rand() * 200),
      listedOn: `2025-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`,
    };
  });
}
