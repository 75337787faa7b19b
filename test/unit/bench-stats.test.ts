import { describe, expect, it } from 'vitest';
import { medianInterval } from '../../bench/stats';

/** 1, 2, …, n, shuffled: the interval is read off the sorted samples. */
const samples = (n: number) => Array.from({ length: n }, (_, i) => i + 1).sort((a, b) => ((a * 7) % 5) - ((b * 7) % 5));

describe("the bench's interval for a median", () => {
  it('is the k-th smallest to the k-th largest sample, k from the binomial law', () => {
    // Binomial(n, 1/2): P(X ≤ 1) = 1.1% for 10 samples, P(X ≤ 10) = 4.9% for 30, P(X ≤ 14) = 4.0% for 40.
    expect(medianInterval(samples(10))).toEqual([2, 9]);
    expect(medianInterval(samples(30))).toEqual([11, 20]);
    expect(medianInterval(samples(40))).toEqual([15, 26]);
  });

  it('narrows as the confidence asked for falls', () => {
    expect(medianInterval(samples(10), 0.8)).toEqual([3, 8]);
  });

  it('is the whole range when too few samples reach the confidence', () => {
    expect(medianInterval(samples(4))).toEqual([1, 4]);
    expect(medianInterval([7])).toEqual([7, 7]);
  });
});
