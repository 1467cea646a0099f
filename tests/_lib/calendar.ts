// Calendar arithmetic for the tests, written apart from src/_lib/dates.ts so that generated window
// edges do not inherit a bug of the code under test. UTC throughout: no time zone can move a day.

const DAY_MS = 86_400_000;

function parts(iso: string): [number, number, number] {
  return [Number(iso.slice(0, 4)), Number(iso.slice(5, 7)), Number(iso.slice(8, 10))];
}

function format(y: number, m: number, d: number): string {
  return `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
}

/** Days in a month (1-based month). */
export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Whether a year has 29 February. */
export function isLeapYear(year: number): boolean {
  return daysInMonth(year, 2) === 29;
}

/** Moves a date by whole months, clamping the day to the month's end (2024-02-29 − 12 months = 2023-02-28). */
export function addMonths(iso: string, months: number): string {
  const [y, m, d] = parts(iso);
  const index = y * 12 + (m - 1) + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  return format(year, month, Math.min(d, daysInMonth(year, month)));
}

/** Moves a date by whole days. */
export function addDays(iso: string, days: number): string {
  const [y, m, d] = parts(iso);
  const t = new Date(Date.UTC(y, m - 1, d) + days * DAY_MS);
  return format(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate());
}

/** The calendar year of a date. */
export function yearOf(iso: string): number {
  return parts(iso)[0];
}

/** The latest inspection year due on asOf (scheme.md: year Y is due on 31 May of Y+1). */
export function latestDueYear(asOf: string): number {
  return asOf.slice(5) >= "05-31" ? yearOf(asOf) - 1 : yearOf(asOf) - 2;
}

/** A calendar date `YYYY-MM-DD` from its parts, the day clamped to the month. */
export function dateOf(year: number, month: number, day: number): string {
  return format(year, month, Math.min(day, daysInMonth(year, month)));
}
