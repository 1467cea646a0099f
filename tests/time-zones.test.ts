// The library's calendar does not depend on the process's time zone, including zones that skipped a whole
// day when they crossed the date line (1994-12-31 never happened in Pacific/Kiritimati, 2011-12-30 never
// happened in Pacific/Apia) and zones with daylight saving. CI also runs the whole suite under four zones.
import { afterAll, describe, expect, it } from "vitest";
import { firstDayOutside, isAtLeastAgo, isIsoDate, isWithin, minusSpan, nextDay, plusSpan } from "../src/_lib/dates.js";
import { evaluate } from "../src/index.js";
import { organizationFixtures } from "./_lib/fixtures.js";

const ZONES = ["UTC", "Asia/Shanghai", "Pacific/Kiritimati", "America/Los_Angeles", "Pacific/Apia", "Pacific/Chatham", "Europe/London"];
const original = process.env.TZ;
afterAll(() => {
  if (original === undefined) delete process.env.TZ;
  else process.env.TZ = original;
});

/** Runs `fn` with the process in a time zone (Node applies a change of TZ at once). */
async function inZone<T>(zone: string, fn: () => T | Promise<T>): Promise<T> {
  process.env.TZ = zone;
  // The zone took effect: the offsets of 1 January and 1 July differ from UTC's where the zone says so.
  if (zone === "Pacific/Kiritimati") expect(new Date(2020, 0, 1).getTimezoneOffset()).toBe(-14 * 60);
  return fn();
}

/** The calendar facts of the days around the skipped ones and around DST changes, as plain data. */
function calendar() {
  const days = ["1994-12-30", "1994-12-31", "1995-01-01", "2011-12-29", "2011-12-30", "2011-12-31", "2023-03-12", "2023-03-26", "2023-11-05", "2024-02-29"];
  return days.map((d) => ({
    d,
    valid: isIsoDate(d),
    next: nextDay(d),
    plus12: plusSpan(d, { months: 12 }),
    minus12: minusSpan(d, { months: 12 }),
    until3y: firstDayOutside(d, { years: 3 }),
    within: isWithin(d, plusSpan(d, { years: 1 }), { years: 1 }),
    atLeast: isAtLeastAgo(d, plusSpan(d, { months: 6 }), { months: 6 }),
  }));
}

describe("calendar arithmetic in every time zone", () => {
  it("accepts the days some zones skipped and steps through them one day at a time", async () => {
    for (const zone of ZONES) {
      await inZone(zone, () => {
        expect(isIsoDate("1994-12-31"), zone).toBe(true);
        expect(isIsoDate("2011-12-30"), zone).toBe(true);
        expect(nextDay("1994-12-30"), zone).toBe("1994-12-31");
        expect(nextDay("2011-12-29"), zone).toBe("2011-12-30");
        expect(plusSpan("1993-12-31", { years: 1 }), zone).toBe("1994-12-31");
        expect(minusSpan("2012-12-30", { months: 12 }), zone).toBe("2011-12-30");
      });
    }
  });

  it("gives the same answers in all seven zones", async () => {
    const utc = await inZone("UTC", calendar);
    for (const zone of ZONES) expect(await inZone(zone, calendar), zone).toEqual(utc);
  });

  it("gives byte-identical results for a record dated on the skipped days, in every zone", async () => {
    const clean = organizationFixtures().find((f) => f.file.startsWith("01-"))!;
    const record = {
      ...clean.record,
      registeredOn: "1990-03-01",
      penalties: [{ on: "1994-12-31", kind: "warning", amountYuan: null }],
      activities: [{ on: "1994-12-31", kind: "public_welfare" }, { on: "1995-01-01", kind: "service" }],
      listings: [{ list: "abnormal", cause: "other", listedOn: "1994-12-30", removedOn: "1994-12-31" }],
      honours: [{ on: "1994-12-31", kind: "integrity_model" }],
      evaluation: null,
    };
    const results = [];
    for (const zone of ZONES) results.push(await inZone(zone, async () => JSON.stringify(await evaluate(record, { asOf: "1995-12-31" }))));
    for (const [i, r] of results.entries()) expect(r, ZONES[i]).toBe(results[0]);
    // Hand-checked: the warning of 1994-12-31 counts for 3 years, until 1997-12-31.
    expect(JSON.parse(results[0]!).deductions).toContainEqual(expect.objectContaining({ id: "X1", countsUntil: "1997-12-31" }));
  });
});
