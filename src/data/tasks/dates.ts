// Date normalisation: a date written by a human in one of many formats → ISO 8601 (YYYY-MM-DD).
// Character level on both sides; everything lower-case.
//
// Dates are drawn uniformly from 1950-01-01 to 2049-12-31 (proleptic Gregorian calendar, leap
// years included). Two-digit years map to that century window: 50–99 → 1950–1999 and
// 00–49 → 2000–2049, so "11/23/26" is 2026 and "11/23/56" is 1956. Numeric formats use one
// convention per separator so that no source string is ambiguous: "/" is month/day/year (US)
// unless the 4-digit year comes first (2026/11/23), "." is day.month.year (European), "-" with a
// month name is day-month-year. A weekday, when written, is the real weekday of the date.

import type { Pair, SplitSizes, Splits } from '../pair';
import type { Rng } from '../rng';
import { generateSplits, resolveSizes } from './generate';

export const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
export const MONTHS_SHORT = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
/** Indexed like Date.getUTCDay(): 0 is Sunday. */
export const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
export const WEEKDAYS_SHORT = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

export const FIRST_YEAR = 1950;
export const LAST_YEAR = 2049;

export interface CalendarDate {
  year: number;
  /** 1–12 */
  month: number;
  /** 1–31 */
  day: number;
}

const DAY_MS = 86_400_000;
const FIRST_DAY = Date.UTC(FIRST_YEAR, 0, 1) / DAY_MS;
const DAY_COUNT = Date.UTC(LAST_YEAR + 1, 0, 1) / DAY_MS - FIRST_DAY;

/** Day 0 is 1950-01-01. */
export function dateFromIndex(i: number): CalendarDate {
  const d = new Date((FIRST_DAY + i) * DAY_MS);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

export function weekdayOf(date: CalendarDate): number {
  return new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay();
}

/** 1st, 2nd, 3rd, 4th, ..., 11th, 12th, 13th, ..., 21st, 22nd, 23rd, ..., 31st. */
export function ordinal(n: number): string {
  const teen = n % 100 >= 11 && n % 100 <= 13;
  const suffix = teen ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}

/** The two-digit year of the 1950–2049 window (see the note at the top). */
export function twoDigitYear(year: number): string {
  return String(year % 100).padStart(2, '0');
}

/** Reads a two-digit year back: 50–99 → 19xx, 00–49 → 20xx. */
export function expandTwoDigitYear(yy: number): number {
  return yy >= 50 ? 1900 + yy : 2000 + yy;
}

export function isoDate(date: CalendarDate): string {
  return `${date.year}-${String(date.month).padStart(2, '0')}-${String(date.day).padStart(2, '0')}`;
}

const p2 = (n: number) => String(n).padStart(2, '0');

/** Every source format, as a function of the date. */
export const DATE_FORMATS: readonly ((d: CalendarDate) => string)[] = [
  (d) => `${d.day} ${MONTHS[d.month - 1]} ${d.year}`, // 23 november 2026
  (d) => `${d.day} ${MONTHS_SHORT[d.month - 1]} ${d.year}`, // 23 nov 2026
  (d) => `${MONTHS[d.month - 1]} ${d.day}, ${d.year}`, // november 23, 2026
  (d) => `${MONTHS_SHORT[d.month - 1]} ${d.day}, ${d.year}`, // nov 23, 2026
  (d) => `${MONTHS[d.month - 1]} ${ordinal(d.day)}, ${d.year}`, // november 23rd, 2026
  (d) => `the ${ordinal(d.day)} of ${MONTHS[d.month - 1]} ${d.year}`, // the 23rd of november 2026
  (d) => `${ordinal(d.day)} ${MONTHS[d.month - 1]} ${d.year}`, // 23rd november 2026
  (d) => `${WEEKDAYS[weekdayOf(d)]}, ${MONTHS[d.month - 1]} ${d.day}, ${d.year}`, // monday, november 23, 2026
  (d) => `${WEEKDAYS_SHORT[weekdayOf(d)]} ${d.day} ${MONTHS_SHORT[d.month - 1]} ${d.year}`, // mon 23 nov 2026
  (d) => `${WEEKDAYS[weekdayOf(d)]} the ${ordinal(d.day)} of ${MONTHS[d.month - 1]} ${d.year}`, // monday the 23rd of november 2026
  (d) => `${d.year} ${MONTHS[d.month - 1]} ${d.day}`, // 2026 november 23
  (d) => `${d.day} ${MONTHS_SHORT[d.month - 1]} '${twoDigitYear(d.year)}`, // 23 nov '26
  (d) => `${p2(d.month)}/${p2(d.day)}/${twoDigitYear(d.year)}`, // 11/23/26
  (d) => `${d.month}/${d.day}/${d.year}`, // 11/23/2026
  (d) => `${d.year}/${p2(d.month)}/${p2(d.day)}`, // 2026/11/23
  (d) => `${p2(d.day)}.${p2(d.month)}.${d.year}`, // 23.11.2026
  (d) => `${d.day}.${d.month}.${twoDigitYear(d.year)}`, // 23.11.26
  (d) => `${p2(d.day)}-${MONTHS_SHORT[d.month - 1]}-${d.year}`, // 23-nov-2026
  (d) => `${d.year}${p2(d.month)}${p2(d.day)}`, // 20261123
];

export function sampleDatePair(rng: Rng): Pair {
  const date = dateFromIndex(rng.int(DAY_COUNT));
  const format = rng.pick(DATE_FORMATS);
  return { src: format(date), tgt: isoDate(date) };
}

export const DATES_DEFAULT_SIZES: SplitSizes = { train: 10_000, valid: 500, test: 500 };

export function generateDates(seed: number, sizes?: Partial<SplitSizes>): Splits {
  return generateSplits('dates', seed, resolveSizes('dates', DATES_DEFAULT_SIZES, sizes), sampleDatePair);
}
