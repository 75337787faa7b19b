/** Small figures helpers shared by the benches. */

/** The p-th percentile (nearest rank) of samples; sorts a copy. */
export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** The median (nearest rank, the lower middle of an even count). */
export const median = (samples: number[]) => percentile(samples, 50);

/**
 * An interval that holds the true median with at least `confidence` (distribution-free: the k-th
 * smallest and k-th largest sample, k from the binomial law of how many samples fall below the
 * median). For 90%: with 10 samples the 2nd to the 9th (which hold it 97.9% of the time; the 3rd to
 * the 8th, 89%), with 40 the 15th to the 26th. Below 5 samples no interval reaches 90%, and the
 * whole range is returned.
 */
export function medianInterval(samples: number[], confidence = 0.9): [number, number] {
  const sorted = [...samples].sort((a, b) => a - b);
  const n = sorted.length;
  // P(X ≤ j) for X ~ Binomial(n, 1/2), j = 0, 1, …, while both tails stay within the miss allowed.
  let below = 0;
  let k = 0;
  for (let j = 0, term = 0.5 ** n; j < n / 2; j++) {
    below += term;
    if (2 * below > 1 - confidence) break;
    k = j + 1;
    term = (term * (n - j)) / (j + 1);
  }
  return [sorted[Math.max(k - 1, 0)]!, sorted[n - Math.max(k, 1)]!];
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
