import { describe, expect, it } from 'vitest';
import { medianInterval as interval } from '../../bench/stats';

/** The interval's ends, and how often it holds the median in percent, to one decimal. */
const medianInterval = (samples: number[], confidence?: number) => {
  const { low, high, holds } = interval(samples, confidence);
  return [low, high, Math.round(holds * 1000) / 10];
};

/** 1, 2, …, n, shuffled: the interval is read off the sorted samples. */
const samples = (n: number) => Array.from({ length: n }, (_, i) => i + 1).sort((a, b) => ((a * 7) % 5) - ((b * 7) % 5));

describe("the bench's interval for a median", () => {
  it('is the k-th smallest to the k-th largest sample, k from the binomial law', () => {
    // Binomial(n, 1/2): P(X ≤ 1) = 1.1% for 10 samples, P(X ≤ 10) = 4.9% for 30, P(X ≤ 14) = 4.0% for 40.
    expect(medianInterval(samples(10))).toEqual([2, 9, 97.9]);
    expect(medianInterval(samples(30))).toEqual([11, 20, 90.1]);
    expect(medianInterval(samples(40))).toEqual([15, 26, 91.9]);
  });

  it('narrows as the confidence asked for falls', () => {
    expect(medianInterval(samples(10), 0.8)).toEqual([3, 8, 89.1]);
  });

  it('is the whole range when too few samples reach the confidence, and says how rarely it holds', () => {
    expect(medianInterval(samples(4))).toEqual([1, 4, 87.5]);
    expect(medianInterval(samples(3))).toEqual([1, 3, 75]);
    expect(medianInterval([7])).toEqual([7, 7, 0]);
  });
});
