import { describe, expect, it } from 'vitest';
import { stem, tokenize, words } from '../../src/search/text';
import { cosine, idf, tfidfVector, type CorpusStats } from '../../src/search/tfidf';

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
});

describe('scoring', () => {
  const docs = [
    tokenize('memorize test time memory'),
    tokenize('test time training'),
    tokenize('time series forecasting'),
    tokenize('image generation diffusion'),
  ];
  /** Document frequencies as the store's engine would give them for these four documents. */
  const df = new Map<string, number>();
  for (const d of docs) for (const t of new Set(d)) df.set(t, (df.get(t) ?? 0) + 1);
  const stats: CorpusStats = { docCount: docs.length, docFreq: (t) => df.get(t) ?? 0 };

  it('weighs rare terms above common ones', () => {
    expect(idf(stats, 'memoriz')).toBeGreaterThan(idf(stats, 'tim'));
    expect(idf(stats, 'tim')).toBeGreaterThan(0);
  });

  it('gives cosine 1 for the same text, 0 for disjoint texts, and is symmetric', () => {
    const [a, b, c, d] = docs.map((t) => tfidfVector(t, stats)) as [Map<string, number>, Map<string, number>, Map<string, number>, Map<string, number>];
    expect(cosine(a, a)).toBeCloseTo(1);
    expect(cosine(a, d)).toBe(0);
    expect(cosine(a, b)).toBeCloseTo(cosine(b, a));
    expect(cosine(a, b)).toBeGreaterThan(cosine(a, c));
  });
});
