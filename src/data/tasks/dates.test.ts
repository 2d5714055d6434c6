import { describe, it, expect } from 'vitest';
import {
  DATE_FORMATS,
  FIRST_YEAR,
  LAST_YEAR,
  MONTHS,
  MONTHS_SHORT,
  WEEKDAYS,
  WEEKDAYS_SHORT,
  dateFromIndex,
  expandTwoDigitYear,
  generateDates,
  isoDate,
  ordinal,
  twoDigitYear,
  weekdayOf,
} from './dates';

const NOV_23_2026 = { year: 2026, month: 11, day: 23 };

describe('date formats', () => {
  it('writes 2026-11-23 (a Monday) in every format', () => {
    expect(weekdayOf(NOV_23_2026)).toBe(1);
    expect(DATE_FORMATS.map((f) => f(NOV_23_2026))).toEqual([
      '23 november 2026',
      '23 nov 2026',
      'november 23, 2026',
      'nov 23, 2026',
      'november 23rd, 2026',
      'the 23rd of november 2026',
      '23rd november 2026',
      'monday, november 23, 2026',
      'mon 23 nov 2026',
      'monday the 23rd of november 2026',
      '2026 november 23',
      "23 nov '26",
      '11/23/26',
      '11/23/2026',
      '2026/11/23',
      '23.11.2026',
      '23.11.26',
      '23-nov-2026',
      '20261123',
    ]);
    expect(isoDate(NOV_23_2026)).toBe('2026-11-23');
    expect(isoDate({ year: 1950, month: 1, day: 5 })).toBe('1950-01-05');
  });

  it('ordinals', () => {
    expect([1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 24, 30, 31].map(ordinal)).toEqual(['1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '22nd', '23rd', '24th', '30th', '31st']);
  });

  it('maps two-digit years onto 1950–2049 both ways', () => {
    expect(twoDigitYear(1950)).toBe('50');
    expect(twoDigitYear(2007)).toBe('07');
    expect(expandTwoDigitYear(50)).toBe(1950);
    expect(expandTwoDigitYear(99)).toBe(1999);
    expect(expandTwoDigitYear(0)).toBe(2000);
    expect(expandTwoDigitYear(49)).toBe(2049);
    for (let y = FIRST_YEAR; y <= LAST_YEAR; y++) expect(expandTwoDigitYear(Number(twoDigitYear(y)))).toBe(y);
  });

  it('covers 1950-01-01 to 2049-12-31 with leap days', () => {
    expect(dateFromIndex(0)).toEqual({ year: 1950, month: 1, day: 1 });
    expect(dateFromIndex(36524)).toEqual({ year: 2049, month: 12, day: 31 });
    // 2000 is a leap year (divisible by 400): 2000-02-29 exists
    const feb29 = Array.from({ length: 36525 }, (_, i) => dateFromIndex(i)).filter((d) => d.month === 2 && d.day === 29);
    expect(feb29.length).toBe(25);
    expect(feb29.some((d) => d.year === 2000)).toBe(true);
    expect(weekdayOf({ year: 2000, month: 2, day: 29 })).toBe(2); // a Tuesday
  });
});

/** Reads a generated source back to a date, following the conventions stated in dates.ts. */
function parseSource(src: string): { year: number; month: number; day: number; weekday?: number } | undefined {
  const month = (m: string) => {
    const i = MONTHS.indexOf(m);
    return i >= 0 ? i + 1 : MONTHS_SHORT.indexOf(m) + 1;
  };
  const wd = (w: string) => (WEEKDAYS.includes(w) ? WEEKDAYS.indexOf(w) : WEEKDAYS_SHORT.indexOf(w));
  const year = (y: string) => (y.length === 2 ? expandTwoDigitYear(Number(y)) : Number(y));
  const M = '([a-z]+)';
  const D = '(\\d{1,2})(?:st|nd|rd|th)?';
  const rules: [RegExp, (m: RegExpMatchArray) => ReturnType<typeof parseSource>][] = [
    [new RegExp(`^${D} ${M} '?(\\d{2}|\\d{4})$`), (m) => ({ day: +m[1], month: month(m[2]), year: year(m[3]) })],
    [new RegExp(`^${M} ${D}, (\\d{4})$`), (m) => ({ month: month(m[1]), day: +m[2], year: +m[3] })],
    [new RegExp(`^the ${D} of ${M} (\\d{4})$`), (m) => ({ day: +m[1], month: month(m[2]), year: +m[3] })],
    [new RegExp(`^${M}, ${M} ${D}, (\\d{4})$`), (m) => ({ weekday: wd(m[1]), month: month(m[2]), day: +m[3], year: +m[4] })],
    [new RegExp(`^${M} ${D} ${M} (\\d{4})$`), (m) => ({ weekday: wd(m[1]), day: +m[2], month: month(m[3]), year: +m[4] })],
    [new RegExp(`^${M} the ${D} of ${M} (\\d{4})$`), (m) => ({ weekday: wd(m[1]), day: +m[2], month: month(m[3]), year: +m[4] })],
    [new RegExp(`^(\\d{4}) ${M} ${D}$`), (m) => ({ year: +m[1], month: month(m[2]), day: +m[3] })],
    [/^(\d{4})\/(\d{2})\/(\d{2})$/, (m) => ({ year: +m[1], month: +m[2], day: +m[3] })],
    [/^(\d{1,2})\/(\d{1,2})\/(\d{2}|\d{4})$/, (m) => ({ month: +m[1], day: +m[2], year: year(m[3]) })],
    [/^(\d{1,2})\.(\d{1,2})\.(\d{2}|\d{4})$/, (m) => ({ day: +m[1], month: +m[2], year: year(m[3]) })],
    [/^(\d{2})-([a-z]+)-(\d{4})$/, (m) => ({ day: +m[1], month: month(m[2]), year: +m[3] })],
    [/^(\d{4})(\d{2})(\d{2})$/, (m) => ({ year: +m[1], month: +m[2], day: +m[3] })],
  ];
  for (const [re, f] of rules) {
    const m = src.match(re);
    if (m) return f(m);
  }
  return undefined;
}

describe('dates task', () => {
  const splits = generateDates(3);
  const all = [...splits.train, ...splits.valid, ...splits.test];

  it('has the default sizes, deterministic and disjoint', () => {
    expect([splits.train.length, splits.valid.length, splits.test.length]).toEqual([10_000, 500, 500]);
    expect(generateDates(3, { train: 50, valid: 5, test: 5 })).toEqual(generateDates(3, { train: 50, valid: 5, test: 5 }));
    const train = new Set(splits.train.map((p) => p.src));
    for (const p of [...splits.valid, ...splits.test]) expect(train.has(p.src)).toBe(false);
  });

  it('every source reads back unambiguously to its ISO target, with real weekdays', () => {
    const formatsSeen = new Set<string>();
    for (const { src, tgt } of all) {
      const d = parseSource(src);
      expect(d, src).toBeDefined();
      expect(isoDate(d!), src).toBe(tgt);
      if (d!.weekday !== undefined) expect(d!.weekday, src).toBe(weekdayOf(d!));
      const year = Number(tgt.slice(0, 4));
      expect(year >= FIRST_YEAR && year <= LAST_YEAR).toBe(true);
      // the target is a real calendar date
      const t = new Date(`${tgt}T00:00:00Z`);
      expect(t.toISOString().slice(0, 10)).toBe(tgt);
      expect(src).toBe(src.toLowerCase());
      formatsSeen.add(src.replace(/\d/g, '9').replace(/[a-z]+/g, 'w'));
    }
    expect(formatsSeen.size).toBeGreaterThanOrEqual(15);
  });
});
