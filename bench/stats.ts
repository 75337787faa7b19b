/** Small figures helpers shared by the benches. */

/** The p-th percentile (nearest rank) of samples; sorts a copy. */
export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** The median (nearest rank, the lower middle of an even count). */
export const median = (samples: number[]) => percentile(samples, 50);

export const ms = (n: number) => `${n.toFixed(n < 10 ? 2 : 0)} ms`;
export const ratio = (n: number) => `${n.toFixed(2)}×`;
/** "met" or "MISSED", so a missed target stands out in RESULTS.md. */
export const verdict = (ok: boolean) => (ok ? 'met' : '**MISSED**');

/** A positive whole number from the environment (a scale knob), else the default. */
export function knob(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return value !== undefined && Number.isInteger(n) && n > 0 ? n : fallback;
}
