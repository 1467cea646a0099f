import { describe, expect, it } from "vitest";
import { minusSpan, nextDay, plusSpan } from "../src/_lib/dates.js";
import { referenceRuleSet } from "../src/index.js";
import { organizationFixtures, type OrganizationFixture } from "./_lib/fixtures.js";

// Checks, from the fixture data alone, that the fixtures exercise every id of the scheme both ways and
// every boundary scheme.md names. The ids come from the reference rule files.
const fixtures = organizationFixtures();
const lists = referenceRuleSet.manifest.rules;
const rules = new Map(referenceRuleSet.rules.map((r) => [r.id, r]));

function someAndNot(ids: readonly string[], has: (f: OrganizationFixture, id: string) => boolean) {
  const missing = ids.filter((id) => !fixtures.some((f) => has(f, id)));
  const always = ids.filter((id) => fixtures.every((f) => has(f, id)));
  return { missing, always };
}

describe("fixture coverage of the scheme's ids", () => {
  it("has at least 40 organizations", () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(40);
  });

  it("gives every base item each of its tiers somewhere", () => {
    const gaps: string[] = [];
    for (const id of lists.items) {
      const rule = rules.get(id)!;
      if (rule.kind !== "item") continue;
      const seen = new Set(fixtures.map((f) => f.expected.items[id]));
      const tiers = [...rule.cases.map((c) => c.points), rule.otherwise].filter((p): p is number => typeof p === "number");
      for (const t of tiers) if (!seen.has(t)) gaps.push(`${id}=${t}`);
      if (!seen.has(rule.max) || [...seen].every((p) => p === rule.max)) gaps.push(`${id} full and not full`);
    }
    expect(gaps).toEqual([]);
  });

  it("makes every deduction, bonus, cap and veto apply in one fixture and not in another", () => {
    expect(someAndNot(lists.deductions, (f, id) => f.expected.deductions.some((d) => d.id === id))).toEqual({ missing: [], always: [] });
    expect(someAndNot(lists.bonuses, (f, id) => f.expected.bonuses.some((d) => d.id === id))).toEqual({ missing: [], always: [] });
    expect(someAndNot(lists.caps, (f, id) => f.expected.caps.includes(id))).toEqual({ missing: [], always: [] });
    expect(someAndNot(lists.vetoes, (f, id) => f.expected.vetoes.includes(id))).toEqual({ missing: [], always: [] });
  });

  it("makes every measure and list action apply in one fixture and not in another", () => {
    expect(someAndNot(lists.measures.filter((m) => m !== "spot-check-rate"), (f, id) => f.expected.measures.includes(id))).toEqual({ missing: [], always: [] });
    expect(new Set(fixtures.map((f) => f.expected.spotCheckRate))).toEqual(new Set([0.03, 0.05, 0.1, 0.3, 1]));
    expect(someAndNot(lists.listActions, (f, id) => f.expected.listActions.some((a) => a.id === id))).toEqual({ missing: [], always: [] });
  });

  it("proposes an abnormal listing for each cause, and for several at once", () => {
    const proposals = fixtures.flatMap((f) => f.expected.listActions.filter((a) => a.id === "propose-abnormal-listing"));
    expect(someAndNot(lists.causes, (_f, id) => proposals.some((p) => p.causes.includes(id))).missing).toEqual([]);
    expect(proposals.some((p) => p.causes.length >= 2)).toBe(true);
  });

  it("has the gate hold and fail, and fail at a score of 900 or more (grade B)", () => {
    expect(fixtures.some((f) => f.expected.gateHeld)).toBe(true);
    expect(fixtures.some((f) => !f.expected.gateHeld)).toBe(true);
    expect(fixtures.some((f) => !f.expected.gateHeld && f.expected.score >= 900 && f.expected.grade === "B")).toBe(true);
  });

  it("has a grade held down by several caps at once, and a nextLevel blocked", () => {
    expect(fixtures.some((f) => f.expected.caps.length >= 2 && f.expected.vetoes.length === 0 && f.expected.grade !== f.expected.scoreLevel)).toBe(true);
    expect(fixtures.some((f) => (f.expected.nextLevel?.blockedBy.length ?? 0) > 0)).toBe(true);
  });
});

describe("fixture coverage of the scheme's boundaries", () => {
  const scores = new Set(fixtures.map((f) => f.expected.score));

  it("has each level threshold as a score, and the nearest reachable score below it", () => {
    // Every point value of the reference scheme is a multiple of 5 except R2's losses of 14 and 27
    // (floor(40 x 2/3) = 26, floor(40 x 1/3) = 13), so scores end in 0, 1, 3, 5, 6 or 8: 899, 799,
    // 649 and 399 cannot occur, and 898, 798, 648 and 398 are the nearest scores below each threshold.
    for (const s of [900, 898, 800, 798, 650, 648, 400, 398]) expect(scores.has(s), `score ${s}`).toBe(true);
  });

  it("has the floor at 0 and the +50 bonus cap", () => {
    const raw = (f: OrganizationFixture) =>
      Object.values(f.expected.items).reduce((a, b) => a + b, 0) + f.expected.deductions.reduce((a, d) => a + d.points, 0) + f.expected.bonusTotal;
    expect(fixtures.some((f) => f.expected.score === 0 && raw(f) < 0)).toBe(true);
    expect(fixtures.some((f) => f.expected.bonuses.reduce((a, b) => a + b.points, 0) > 50 && f.expected.bonusTotal === 50)).toBe(true);
  });

  const eventDates = (f: OrganizationFixture): string[] => {
    const r = f.record as Record<string, Array<Record<string, unknown>>>;
    return ["activities", "complaints", "penalties", "violations", "honours"].flatMap((k) => r[k]!.map((e) => String(e.on)));
  };
  const hasEventAt = (span: { years?: number; months?: number }, dayAfter: boolean) =>
    fixtures.some((f) => {
      const edge = minusSpan(f.asOf, span);
      return eventDates(f).includes(dayAfter ? nextDay(edge) : edge);
    });

  it("has events exactly 3 years and 12 months before asOf, and a day later", () => {
    for (const span of [{ years: 3 }, { months: 12 }]) {
      expect(hasEventAt(span, false), `${JSON.stringify(span)} exactly`).toBe(true);
      expect(hasEventAt(span, true), `${JSON.stringify(span)} a day later`).toBe(true);
    }
  });

  it("has a clamped window (asOf on 29 February or a 31st)", () => {
    expect(fixtures.some((f) => /-(02-29|03-31|05-31|08-31|10-31|12-31)$/.test(f.asOf) && minusSpan(f.asOf, { months: 12 }).slice(8) !== f.asOf.slice(8))).toBe(true);
  });

  it("has an event dated after asOf", () => {
    expect(fixtures.some((f) => eventDates(f).some((d) => d > f.asOf))).toBe(true);
  });

  it("has asOf on 31 May and on 30 May", () => {
    expect(fixtures.some((f) => f.asOf.endsWith("-05-31"))).toBe(true);
    expect(fixtures.some((f) => f.asOf.endsWith("-05-30"))).toBe(true);
  });

  it("has organizations registered on 30 June and on 1 July", () => {
    expect(fixtures.some((f) => String(f.record.registeredOn).endsWith("-06-30"))).toBe(true);
    expect(fixtures.some((f) => String(f.record.registeredOn).endsWith("-07-01"))).toBe(true);
  });

  it("has an evaluation grade seen on its expiry day and the day before", () => {
    const expiry = (f: OrganizationFixture) => {
      const e = f.record.evaluation as { awardedOn: string; expiresOn: string | null } | null;
      return e ? (e.expiresOn ?? plusSpan(e.awardedOn, { years: 5 })) : null;
    };
    expect(fixtures.some((f) => expiry(f) === f.asOf)).toBe(true);
    expect(fixtures.some((f) => expiry(f) === nextDay(f.asOf))).toBe(true);
  });

  const listedAt = (list: string, span: { years?: number; months?: number }, dayAfter: boolean) =>
    fixtures.some((f) => {
      const edge = minusSpan(f.asOf, span);
      const listings = f.record.listings as Array<{ list: string; listedOn: string; removedOn: string | null }>;
      return listings.some((l) => l.list === list && l.removedOn === null && l.listedOn === (dayAfter ? nextDay(edge) : edge));
    });

  it("has abnormal listings begun exactly 6 months and 2 years before asOf, and a day later", () => {
    for (const span of [{ months: 6 }, { years: 2 }]) {
      expect(listedAt("abnormal", span, false), `${JSON.stringify(span)} exactly`).toBe(true);
      expect(listedAt("abnormal", span, true), `${JSON.stringify(span)} a day later`).toBe(true);
    }
  });

  it("has a dishonest listing begun exactly 2 years before asOf", () => {
    expect(listedAt("dishonest", { years: 2 }, false)).toBe(true);
  });

  it("has a deduction for an event of 29 February counting until 1 March", () => {
    expect(fixtures.some((f) => f.expected.deductions.some((d) => d.countsUntil?.endsWith("-03-01")) && JSON.stringify(f.record).includes("-02-29"))).toBe(true);
  });
});
