import { describe, expect, it } from "vitest";
import { dateOfDayNumber, dayNumber, firstDayOutside, isAtLeastAgo, isIsoDate, isWithin, minusSpan, plusSpan } from "../src/_lib/dates.js";

describe("isIsoDate", () => {
  it("accepts 29 February of a leap year and refuses it otherwise", () => {
    expect(isIsoDate("2024-02-29")).toBe(true);
    expect(isIsoDate("2023-02-29")).toBe(false);
    expect(isIsoDate("1900-02-29")).toBe(false);
    expect(isIsoDate("2000-02-29")).toBe(true);
  });
  it("refuses other spellings and impossible days", () => {
    for (const bad of ["2023/05/01", "2023-5-1", "20230501", "2023-13-01", "2023-04-31", "2023-00-10", " 2023-05-01", "2023-05-01T00:00"]) {
      expect(isIsoDate(bad), bad).toBe(false);
    }
  });
  it("refuses dates outside 1900-01-01..2199-12-31", () => {
    expect(isIsoDate("1899-12-31")).toBe(false);
    expect(isIsoDate("1900-01-01")).toBe(true);
    expect(isIsoDate("2199-12-31")).toBe(true);
    expect(isIsoDate("2200-01-01")).toBe(false);
  });
});

describe("calendar arithmetic (scheme.md time rules)", () => {
  it("clamps the day when subtracting: 2024-02-29 minus 12 months is 2023-02-28", () => {
    expect(minusSpan("2024-02-29", { months: 12 })).toBe("2023-02-28");
    expect(minusSpan("2023-03-31", { months: 1 })).toBe("2023-02-28");
    expect(minusSpan("2023-05-31", { years: 3 })).toBe("2020-05-31");
  });
  it("clamps the day when adding: 2020-02-29 plus 5 years is 2025-02-28", () => {
    expect(plusSpan("2020-02-29", { years: 5 })).toBe("2025-02-28");
    expect(plusSpan("2024-02-29", { years: 4 })).toBe("2028-02-29");
  });
  it("treats the day exactly N years back as outside the window and the day after as inside", () => {
    expect(isWithin("2020-05-31", "2023-05-31", { years: 3 })).toBe(false);
    expect(isWithin("2020-06-01", "2023-05-31", { years: 3 })).toBe(true);
  });
  it("treats asOf itself as inside and the day after asOf as outside", () => {
    expect(isWithin("2023-05-31", "2023-05-31", { months: 12 })).toBe(true);
    expect(isWithin("2023-06-01", "2023-05-31", { months: 12 })).toBe(false);
  });
  it("counts a listing begun exactly 6 months before asOf as 6 months old, not a day later", () => {
    expect(isAtLeastAgo("2023-11-30", "2024-05-31", { months: 6 })).toBe(true);
    expect(isAtLeastAgo("2023-12-01", "2024-05-31", { months: 6 })).toBe(false);
    expect(isAtLeastAgo("2024-02-29", "2024-08-31", { months: 6 })).toBe(true);
    expect(isAtLeastAgo("2024-03-01", "2024-08-31", { months: 6 })).toBe(false);
  });
});

describe("firstDayOutside (countsUntil)", () => {
  it("gives the anniversary for an ordinary date", () => {
    expect(firstDayOutside("2022-08-01", { years: 3 })).toBe("2025-08-01");
    expect(isWithin("2022-08-01", "2025-07-31", { years: 3 })).toBe(true);
    expect(isWithin("2022-08-01", "2025-08-01", { years: 3 })).toBe(false);
  });
  it("gives 1 March for an event of 29 February seen in a non-leap year", () => {
    expect(firstDayOutside("2020-02-29", { years: 3 })).toBe("2023-03-01");
    expect(isWithin("2020-02-29", "2023-02-28", { years: 3 })).toBe(true);
  });
  it("gives the first of the next month for a day the target month lacks", () => {
    expect(firstDayOutside("2023-03-31", { months: 1 })).toBe("2023-05-01");
    expect(isWithin("2023-03-31", "2023-04-30", { months: 1 })).toBe(true);
  });
  it("agrees with isWithin on every day of a leap cycle", () => {
    let d = "2019-01-01";
    for (let i = 0; i < 4 * 366; i++) {
      for (const span of [{ years: 3 }, { months: 12 }, { months: 1 }, { years: 2 }]) {
        const until = firstDayOutside(d, span);
        expect(isWithin(d, until, span), `${d} ${JSON.stringify(span)} at ${until}`).toBe(false);
        // The day before countsUntil still counts.
        const prev = new Date(`${until}T12:00:00Z`);
        prev.setUTCDate(prev.getUTCDate() - 1);
        expect(isWithin(d, prev.toISOString().slice(0, 10), span), `${d} ${JSON.stringify(span)}`).toBe(true);
      }
      const next = new Date(`${d}T12:00:00Z`);
      next.setUTCDate(next.getUTCDate() + 1);
      d = next.toISOString().slice(0, 10);
    }
  });
});

describe("day numbers", () => {
  it("count days from 1970-01-01 as Date.UTC does, and back, for every day from 1899 to 2200", () => {
    let checked = 0;
    for (let t = Date.UTC(1899, 0, 1); t <= Date.UTC(2200, 11, 31); t += 86_400_000) {
      const iso = new Date(t).toISOString().slice(0, 10);
      expect(dayNumber(iso)).toBe(t / 86_400_000);
      expect(dateOfDayNumber(t / 86_400_000)).toBe(iso);
      checked++;
    }
    expect(checked).toBeGreaterThan(110_000);
  });
});
