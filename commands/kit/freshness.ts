import type { SourceStatus } from '../../src/chat/command';

/** "3 hours", "2 days": how long ago, in words. */
export function formatAge(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  if (minutes < 60) return `${minutes} minute${minutes === 1 ? '' : 's'}`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} hour${hours === 1 ? '' : 's'}`;
  return `${Math.round(hours / 24)} days`;
}

/**
 * A line saying how old the data is when that matters: the store was filled from somewhere other
 * than the live source (the bundled listing), or the source has been failing. Null when all is well.
 */
export function freshnessNote(status: SourceStatus, now: Date): string | null {
  const notes: string[] = [];
  if (status.note) notes.push(status.note);
  if (status.lastError) {
    const error = status.lastError.length > 160 ? `${status.lastError.slice(0, 159)}…` : status.lastError;
    notes.push(
      status.lastSuccessAt
        ? `The paper source is failing (${error}); these papers were last refreshed ${formatAge(now.getTime() - status.lastSuccessAt.getTime())} ago.`
        : `The paper source could not be reached (${error}); showing what the store already holds.`,
    );
  }
  return notes.length ? notes.join(' ') : null;
}

/** Built once: constructing an Intl formatter takes about half a millisecond, formatting with it microseconds. */
const listDateFormat = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', weekday: 'short', month: 'short', day: 'numeric', year: 'numeric' });

/** `Tue, Oct 14, 2025` for a `YYYY-MM-DD` list date. */
export function formatListDate(date: string): string {
  return listDateFormat.format(new Date(`${date}T00:00:00Z`));
}
