import { UTCDate } from "@date-fns/utc";
import { addMonths } from "date-fns";

/** A calendar date as `YYYY-MM-DD`; these compare correctly as strings. */
export type IsoDate = string;

/** A calendar span: whole years and/or months. */
export interface Span {
  years?: number;
  months?: number;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Earliest and latest calendar dates accepted anywhere (records and asOf). */
export const MIN_DATE = "1900-01-01";
export const MAX_DATE = "2199-12-31";

// Calendar dates are UTC dates, and date-fns computes on them in UTC: in local time a zone's rules could
// move or lose a day (1994-12-31 never happened in Pacific/Kiritimati, 2011-12-30 in Pacific/Apia).
function toDate(iso: IsoDate): UTCDate {
  const m = ISO_DATE.exec(iso)!;
  const d = new UTCDate(2000, 0, 1);
  d.setFullYear(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return d;
}

function fromDate(d: Date): IsoDate {
  const y = String(d.getUTCFullYear()).padStart(4, "0");
  const m = String(d.getUTCMonth() + 1).padStart(2, "0");
  const day = String(d.getUTCDate()).padStart(2, "0");
  return `${y}-${m}-${day}`;
}

/**
 * Tells whether a string is a real calendar date written `YYYY-MM-DD` within the accepted range.
 *
 * @param value - the string to check
 * @returns true for a real date such as "2024-02-29"; false for "2023-02-29" or "2023/05/01"
 * @example
 * isIsoDate("2023-02-29"); // false
 */
export function isIsoDate(value: string): boolean {
  const m = ISO_DATE.exec(value);
  if (!m) return false;
  // Arithmetic rather than a local-time Date: the same answer, and it runs for every date of every record.
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month) && value >= MIN_DATE && value <= MAX_DATE;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function spanMonths(span: Span): number {
  return (span.years ?? 0) * 12 + (span.months ?? 0);
}

/**
 * Moves a date back by a calendar span, clamping the day to the month's end (2020-02-29 − 1 year = 2019-02-28).
 *
 * @param iso - the date
 * @param span - years and months to go back
 * @returns the earlier date
 * @example
 * minusSpan("2024-02-29", { months: 12 }); // "2023-02-28"
 */
export function minusSpan(iso: IsoDate, span: Span): IsoDate {
  return monthsLater(iso, -spanMonths(span));
}

// Date objects are slow to build; the windows of a batch recur (same asOf, same spans), so
// results are remembered, in a bounded table that is simply emptied when full.
const shifted = new Map<IsoDate, Map<number, IsoDate>>();
function monthsLater(iso: IsoDate, months: number): IsoDate {
  let byMonths = shifted.get(iso);
  if (byMonths === undefined) {
    if (shifted.size >= 10_000) shifted.clear();
    shifted.set(iso, (byMonths = new Map()));
  }
  let date = byMonths.get(months);
  if (date === undefined) {
    date = fromDate(addMonths(toDate(iso), months));
    byMonths.set(months, date);
  }
  return date;
}

/**
 * Moves a date forward by a calendar span, clamping the day to the month's end.
 *
 * @param iso - the date
 * @param span - years and months to go forward
 * @returns the later date
 * @example
 * plusSpan("2020-02-29", { years: 5 }); // "2025-02-28"
 */
export function plusSpan(iso: IsoDate, span: Span): IsoDate {
  return monthsLater(iso, spanMonths(span));
}

/**
 * The day after a date.
 *
 * @param iso - the date
 * @returns the next calendar day
 * @example
 * nextDay("2023-02-28"); // "2023-03-01"
 */
export function nextDay(iso: IsoDate): IsoDate {
  return dateOfDayNumber(dayNumber(iso) + 1);
}

/**
 * Tells whether a date lies within a span before asOf: `asOf − span < date <= asOf`.
 *
 * @param date - the event date
 * @param asOf - the evaluation date
 * @param span - the window length
 * @returns true inside the window
 * @example
 * isWithin("2020-05-31", "2023-05-31", { years: 3 }); // false: exactly 3 years back is outside
 */
export function isWithin(date: IsoDate, asOf: IsoDate, span: Span): boolean {
  return date <= asOf && date > minusSpan(asOf, span);
}

/**
 * Tells whether a date lies a span or more before asOf: `date <= asOf − span`.
 *
 * @param date - the event date
 * @param asOf - the evaluation date
 * @param span - how long ago at least
 * @returns true when the date is at least that long ago
 * @example
 * isAtLeastAgo("2022-11-30", "2023-05-31", { months: 6 }); // true
 */
export function isAtLeastAgo(date: IsoDate, asOf: IsoDate, span: Span): boolean {
  return date <= minusSpan(asOf, span);
}

/**
 * The first day on which an event falls outside a window of the given span (it counts until the day before).
 *
 * @param date - the event date
 * @param span - the window length
 * @returns the first asOf for which `isWithin(date, asOf, span)` is false
 * @example
 * firstDayOutside("2020-02-29", { years: 3 }); // "2023-03-01"
 */
export function firstDayOutside(date: IsoDate, span: Span): IsoDate {
  const candidate = plusSpan(date, span);
  // When the day was clamped (29 Feb, 31st), the candidate still sees the event inside; the next day does not.
  return minusSpan(candidate, span) >= date ? candidate : nextDay(candidate);
}

/** The calendar year of a date. */
export function yearOf(iso: IsoDate): number {
  return Number(iso.slice(0, 4));
}

/**
 * The number of days from 1970-01-01 to a date (negative before it): proleptic Gregorian arithmetic on
 * integers, the same count as `Date.UTC(...) / 86_400_000`, without a Date object.
 *
 * @param iso - a date YYYY-MM-DD
 * @returns days since 1970-01-01
 * @example
 * dayNumber("1970-01-02"); // 1
 */
export function dayNumber(iso: IsoDate): number {
  // The digits read in place: YYYY-MM-DD.
  const digit = (i: number) => iso.charCodeAt(i) - 48;
  let y = digit(0) * 1000 + digit(1) * 100 + digit(2) * 10 + digit(3);
  const m = digit(5) * 10 + digit(6);
  const d = digit(8) * 10 + digit(9);
  // Days from civil (H. Hinnant): years start in March, so the leap day ends a year.
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/**
 * The date a number of days from 1970-01-01: the inverse of `dayNumber`, for years 0 to 9999.
 *
 * @param n - days since 1970-01-01
 * @returns the date YYYY-MM-DD
 * @example
 * dateOfDayNumber(19_508); // "2023-05-31"
 */
export function dateOfDayNumber(n: number): IsoDate {
  const z = n + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return `${String(y).padStart(4, "0")}-${m < 10 ? "0" : ""}${m}-${d < 10 ? "0" : ""}${d}` as IsoDate;
}
