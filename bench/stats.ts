/** Small figures helpers shared by the benches. */

/** The p-th percentile (nearest rank) of samples; sorts a copy. */
export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** The arithmetic mean. */
export const mean = (samples: number[]) => samples.reduce((a, b) => a + b, 0) / samples.length;

/** The median (nearest rank, the lower middle of an even count). */
export const median = (samples: number[]) => percentile(samples, 50);

/**
 * An interval that holds the true median with at least `confidence` (distribution-free: the k-th
 * smallest and k-th largest sample, k from the binomial law of how many samples fall below the
 * median), and how often it does. For 90%: with 10 samples the 2nd to the 9th (97.9%; the 3rd to
 * the 8th would be 89%), with 40 the 15th to the 26th. Below 5 samples no interval reaches 90%:
 * the whole range is returned, with what it does hold (75% for 3). For up to 1,000 samples (0.5^n
 * underflows past 1,074; a bench takes tens).
 */
export function medianInterval(samples: number[], confidence = 0.9): { low: number; high: number; holds: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const n = sorted.length;
  // X ~ Binomial(n, 1/2), the samples below the median: the k-th smallest to the k-th largest
  // misses it with P(X ≤ k - 1) on each side. k = 1 is the whole range.
  let term = 0.5 ** n; // P(X = k - 1)
  let tail = term; // P(X ≤ k - 1)
  let k = 1;
  while (k < n / 2) {
    term = (term * (n - k + 1)) / k;
    if (2 * (tail + term) > 1 - confidence) break;
    tail += term;
    k++;
  }
  return { low: sorted[k - 1]!, high: sorted[n - k]!, holds: 1 - 2 * tail };
}

export const ms = (n: number) => `${n.toFixed(n < 10 ? 2 : 0)} ms`;
export const ratio = (n: number) => `${n.toFixed(2)}×`;
/** "met" or "MISSED", so a missed target stands out in RESULTS.md. */
export const verdict = (ok: boolean) => (ok ? 'met' : '**MISSED**');

/** A positive whole number from the environment (a scale knob), else the default. */
export function knob(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return value !== undefined && Number.isInteger(n) && n > 0 ? n : fallback;
}
