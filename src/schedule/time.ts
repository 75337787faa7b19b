/**
 * Wall-clock time in an IANA zone, with Intl only (no date library): what a subscription's
 * "09:00 Europe/Berlin" means on a given day, including the two DST days a year.
 */
import { addDays } from '../model/dates';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, f);
  }
  return f;
}

export function isValidTimeZone(zone: string): boolean {
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

export interface LocalDateTime {
  /** YYYY-MM-DD */
  date: string;
  /** HH:MM */
  time: string;
}

/** The date and time a clock in `zone` shows at `instant`. */
export function localDateTime(instant: Date, zone: string): LocalDateTime {
  const p = Object.fromEntries(
    formatter(zone)
      .formatToParts(instant)
      .map((x) => [x.type, x.value]),
  );
  return { date: `${p.year}-${p.month}-${p.day}`, time: `${p.hour}:${p.minute}` };
}

export function localDate(instant: Date, zone: string): string {
  return localDateTime(instant, zone).date;
}

/** The zone's offset from UTC at `instantMs`, in ms (whole minutes). */
function offsetAt(instantMs: number, zone: string): number {
  const { date, time } = localDateTime(new Date(instantMs), zone);
  const wall = Date.parse(`${date}T${time}:00Z`);
  return wall - Math.floor(instantMs / MINUTE) * MINUTE;
}

/** A local date and time as one comparable string. */
const wallKey = (l: LocalDateTime) => `${l.date}T${l.time}`;

/**
 * The instant a subscription at `time` posts on local `date`:
 * - a normal day: when the clock shows that time;
 * - fall-back day, time repeated: the first of the two instants (so it posts once);
 * - spring-forward day, time skipped: the first valid minute after it (02:30 → 03:00 in Berlin).
 */
export function occurrenceOn(date: string, time: string, zone: string): Date {
  // Pure but costly (several Intl calls); the scheduler asks for the same few again and again.
  const key = `${date}T${time} ${zone}`;
  let ms = occurrences.get(key);
  if (ms === undefined) {
    if (occurrences.size >= 10_000) occurrences.clear();
    ms = computeOccurrence(date, time, zone);
    occurrences.set(key, ms);
  }
  return new Date(ms);
}

const occurrences = new Map<string, number>();

function computeOccurrence(date: string, time: string, zone: string): number {
  const target = `${date}T${time}`;
  const naive = Date.parse(`${target}:00Z`);
  // Any transition near this day lies between these two offsets.
  const offsets = [...new Set([offsetAt(naive - DAY, zone), offsetAt(naive, zone), offsetAt(naive + DAY, zone)])];
  const exact = offsets
    .map((off) => naive - off)
    .filter((t) => wallKey(localDateTime(new Date(t), zone)) === target)
    .sort((a, b) => a - b);
  if (exact.length > 0) return exact[0]!;

  // The time falls in a gap: search (by minute) for the first instant whose wall clock is past it.
  let lo = naive - Math.max(...offsets); // the clock shows before the target here
  let hi = naive - Math.min(...offsets); // and after it here
  while (hi - lo > MINUTE) {
    const mid = lo + Math.floor((hi - lo) / 2 / MINUTE) * MINUTE;
    if (wallKey(localDateTime(new Date(mid), zone)) < target) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** The first posting instant strictly after `after`. */
export function nextOccurrence(time: string, zone: string, after: Date): Date {
  const today = localDate(after, zone);
  for (let d = 0; ; d++) {
    const at = occurrenceOn(addDays(today, d), time, zone);
    if (at > after) return at;
  }
}

/** The latest posting instant at or before `now`, and the local date it belongs to. */
export function latestOccurrence(time: string, zone: string, now: Date): { date: string; at: Date } {
  const today = localDate(now, zone);
  for (let d = 0; ; d--) {
    const date = addDays(today, d);
    const at = occurrenceOn(date, time, zone);
    if (at <= now) return { date, at };
  }
}

const transitionsCache = new Map<string, { from: string; dates: string[] }>();

/** Local dates in the `days` after `from` on which the zone's UTC offset changes (DST days). */
function offsetChangeDates(zone: string, from: Date, days: number): string[] {
  const key = `${zone}|${days}`;
  const fromDate = from.toISOString().slice(0, 10);
  const cached = transitionsCache.get(key);
  if (cached?.from === fromDate) return cached.dates;
  const dates: string[] = [];
  const start = Date.parse(`${fromDate}T12:00:00Z`);
  let prev = offsetAt(start, zone);
  for (let d = 1; d <= days; d++) {
    const off = offsetAt(start + d * DAY, zone);
    if (off !== prev) dates.push(localDate(new Date(start + d * DAY), zone));
    prev = off;
  }
  transitionsCache.set(key, { from: fromDate, dates });
  return dates;
}

/**
 * Every wall-clock time at which a subscription at `time` posts in the coming `days`: `time`
 * itself, plus where a DST gap moves it (02:30 → 03:00 on Berlin's spring-forward day).
 * A cron task per returned time makes sure the scheduler wakes up on those days too.
 */
export function postingTimesOfDay(time: string, zone: string, from: Date, days = 400): string[] {
  const key = `${time} ${zone} ${from.toISOString().slice(0, 10)} ${days}`;
  let times = postingTimes.get(key);
  if (!times) {
    if (postingTimes.size >= 10_000) postingTimes.clear();
    times = computePostingTimes(time, zone, from, days);
    postingTimes.set(key, times);
  }
  return times;
}

const postingTimes = new Map<string, string[]>();

function computePostingTimes(time: string, zone: string, from: Date, days: number): string[] {
  const times = new Set([time]);
  for (const changed of offsetChangeDates(zone, from, days)) {
    // The change may fall on either side of local midnight of the sampled day.
    for (const date of [addDays(changed, -1), changed, addDays(changed, 1)]) {
      times.add(localDateTime(occurrenceOn(date, time, zone), zone).time);
    }
  }
  return [...times].sort();
}
