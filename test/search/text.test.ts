import { describe, expect, it } from 'vitest';
import { queryTerms, stem, tokenize, words } from '../../src/search/text';
import { bm25, cosine, idf, statsOf, termCounts, tfidfVector } from '../../src/search/tfidf';

describe('tokenizer', () => {
  it('brings the forms of a word to one stem that is a prefix of each', () => {
    const forms = ['memorize', 'memorizing', 'memorization', 'memorized', 'memorizes'];
    expect(new Set(forms.map(stem))).toEqual(new Set(['memoriz']));
    for (const f of forms) expect(f.startsWith(stem(f))).toBe(true);
    expect(new Set(['recommendation', 'recommendations', 'recommender', 'recommenders', 'recommended'].map(stem))).toEqual(new Set(['recommend']));
    expect(stem('attention')).toBe(stem('attentive'));
    expect(stem('networks')).toBe('network');
  });

  it('leaves short words and words that only look inflected alone', () => {
    expect(stem('process')).toBe('process');
    expect(stem('corpus')).toBe('corpus');
    expect(stem('speed')).toBe('speed');
    expect(stem('key')).toBe('key');
    expect(stem('users')).toBe('user');
  });

  it('splits unicode text into lowercase words and drops stopwords', () => {
    expect(words('Titans: Learning to Memorize at Test-Time')).toEqual(['titans', 'learning', 'memorize', 'test', 'time']);
    expect(words('Ünïcödé naïve 大規模言語モデル Qwen2.5 x')).toEqual(['ünïcödé', 'naïve', '大規模言語モデル', 'qwen2', '5']);
    expect(tokenize('the of and')).toEqual([]);
  });

  it('turns hostile text into plain terms, bounded in number and length', () => {
    const terms = queryTerms(
      `"a" OR b* NEAR(c d) -e '; DROP TABLE papers; -- ${'x'.repeat(10_000)} ${Array.from({ length: 50 }, (_, i) => `w${i}`).join(' ')}`,
    );
    expect(terms.length).toBeLessThanOrEqual(16);
    for (const t of terms) expect(t).toMatch(/^[\p{L}\p{M}\p{N}]{1,40}$/u);
    expect(terms.slice(0, 4)).toEqual(['near', 'drop', stem('table'), stem('papers')]);
  });
});

describe('scoring', () => {
  const docs = [
    tokenize('memorize test time memory'),
    tokenize('test time training'),
    tokenize('time series forecasting'),
    tokenize('image generation diffusion'),
  ];
  const stats = statsOf(docs);

  it('weighs rare terms above common ones', () => {
    expect(idf(stats, 'memoriz')).toBeGreaterThan(idf(stats, 'tim'));
    expect(idf(stats, 'tim')).toBeGreaterThan(0);
  });

  it('scores documents with more and rarer query terms higher', () => {
    const q = tokenize('memorize test time');
    const avg = docs.reduce((s, d) => s + d.length, 0) / docs.length;
    const scores = docs.map((d) => bm25(q, { counts: termCounts(d), length: d.length }, stats, avg));
    expect(scores[0]).toBeGreaterThan(scores[1]!);
    expect(scores[1]).toBeGreaterThan(scores[2]!);
    expect(scores[3]).toBe(0);
  });

  it('gives cosine 1 for the same text, 0 for disjoint texts, and is symmetric', () => {
    const [a, b, c, d] = docs.map((t) => tfidfVector(t, stats)) as [Map<string, number>, Map<string, number>, Map<string, number>, Map<string, number>];
    expect(cosine(a, a)).toBeCloseTo(1);
    expect(cosine(a, d)).toBe(0);
    expect(cosine(a, b)).toBeCloseTo(cosine(b, a));
    expect(cosine(a, b)).toBeGreaterThan(cosine(a, c));
  });
});
