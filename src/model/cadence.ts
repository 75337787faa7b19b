/**
 * How often a channel gets its post: every day (the default), every weekday (Monday to Friday:
 * Hugging Face lists nothing on Saturday and Sunday), or once a week on a chosen day. Dates are
 * the subscription's local dates (`YYYY-MM-DD`), so the day of the week is the one its clock shows.
 */
import { addDays } from './dates';

export const CADENCES = ['day', 'weekday', 'week'] as const;
export type Cadence = (typeof CADENCES)[number];

/** Monday first, as ISO weeks count. */
export const WEEK_DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type WeekDay = (typeof WEEK_DAYS)[number];

const DAY_NAMES: Record<WeekDay, string> = {
  mon: 'Monday',
  tue: 'Tuesday',
  wed: 'Wednesday',
  thu: 'Thursday',
  fri: 'Friday',
  sat: 'Saturday',
  sun: 'Sunday',
};

export interface Schedule {
  every: Cadence;
  /** The day of a weekly post. */
  weekDay: WeekDay;
}

export function weekDayOf(date: string): WeekDay {
  // getUTCDay: 0 is Sunday.
  return WEEK_DAYS[(new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7]!;
}

/** Whether a subscription with this schedule posts on local `date`. */
export function postsOn(s: Schedule, date: string): boolean {
  const day = weekDayOf(date);
  if (s.every === 'week') return day === s.weekDay;
  if (s.every === 'weekday') return day !== 'sat' && day !== 'sun';
  return true;
}

/** The Monday of the (ISO) week `date` is in. */
export function weekStart(date: string): string {
  return addDays(date, -WEEK_DAYS.indexOf(weekDayOf(date)));
}

/** The list days a weekly post on `date` covers: the seven days ending the day before. */
export function weeklyWindow(date: string): { from: string; to: string } {
  return { from: addDays(date, -7), to: addDays(date, -1) };
}

/** "every day", "every weekday (Monday to Friday)", "every Friday". */
export function describeSchedule(s: Schedule): string {
  if (s.every === 'week') return `every ${DAY_NAMES[s.weekDay]}`;
  if (s.every === 'weekday') return 'every weekday (Monday to Friday)';
  return 'every day';
}
