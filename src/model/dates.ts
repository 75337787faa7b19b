/** Calendar dates as the bot stores and names them: `YYYY-MM-DD`, a whole UTC day. */

const DAY_MS = 86_400_000;

/** `date` plus `days` calendar days; negative goes back (`addDays('2026-03-01', -1)` is `2026-02-28`). */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}
