import { describe, expect, it } from "vitest";
import { evaluate, safeParseOrganizationRecord } from "../src/index.js";
import type { Result } from "../src/index.js";
import { invalidFixtures, organizationFixtures, type ExpectedOutcome } from "./_lib/fixtures.js";

const sorted = <T>(xs: T[]) => [...xs].map((x) => JSON.stringify(x)).sort();

/** The parts of a result that fixtures state, in the fixtures' shape. */
function observed(r: Result): ExpectedOutcome {
  const causesChecked = (id: string) => id.startsWith("propose-");
  return {
    score: r.score,
    scoreLevel: r.scoreLevel,
    grade: r.grade,
    seriouslyDishonest: r.seriouslyDishonest,
    items: Object.fromEntries(r.items.map((i) => [i.id, i.points])),
    deductions: sorted(r.deductions.map((d) => ({ id: d.id, points: d.points, countsUntil: d.countsUntil }))) as never,
    bonuses: sorted(r.bonuses.map((b) => ({ id: b.id, points: b.points }))) as never,
    bonusTotal: r.bonusTotal,
    caps: r.caps.map((c) => c.id).sort(),
    gateHeld: r.gate.held,
    vetoes: r.vetoes.map((v) => v.id).sort(),
    measures: r.measures.map((m) => m.id).sort(),
    spotCheckRate: r.measures.find((m) => m.id === "spot-check-rate")!.params.rate as number,
    listActions: sorted(r.listActions.map((a) => ({ id: a.id, causes: causesChecked(a.id) ? [...a.causes].sort() : [] }))) as never,
    nextLevel: r.nextLevel && { ...r.nextLevel, blockedBy: [...r.nextLevel.blockedBy].sort() },
  };
}

function normalizeExpected(e: ExpectedOutcome): ExpectedOutcome {
  const { reasons: _reasons, ...rest } = e;
  return {
    ...rest,
    deductions: sorted(e.deductions.map((d) => ({ id: d.id, points: d.points, countsUntil: d.countsUntil }))) as never,
    bonuses: sorted(e.bonuses.map((b) => ({ id: b.id, points: b.points }))) as never,
    caps: [...e.caps].sort(),
    vetoes: [...e.vetoes].sort(),
    measures: [...e.measures].sort(),
    listActions: sorted(e.listActions.map((a) => ({ id: a.id, causes: a.id.startsWith("propose-") ? [...a.causes].sort() : [] }))) as never,
    nextLevel: e.nextLevel && { ...e.nextLevel, blockedBy: [...e.nextLevel.blockedBy].sort() },
  };
}

describe("fixture organizations (expected outcomes worked by hand from scheme.md)", () => {
  for (const f of organizationFixtures()) {
    it(`${f.file}`, async () => {
      const result = await evaluate(f.record, { asOf: f.asOf });
      expect(observed(result)).toEqual(normalizeExpected(f.expected));
      if (f.expected.reasons) expect(result.reasons).toEqual(f.expected.reasons);
    });
  }
});

describe("invalid records are refused with every problem's path", () => {
  for (const f of invalidFixtures()) {
    it(`${f.file}`, () => {
      const parsed = safeParseOrganizationRecord(f.record, f.asOf ? { asOf: f.asOf } : {});
      expect(parsed.success).toBe(false);
      if (parsed.success) return;
      expect([...new Set(parsed.error.issues.map((i) => i.path))].sort()).toEqual([...f.expectedErrors].sort());
      for (const issue of parsed.error.issues) {
        expect(issue.expected.length).toBeGreaterThan(0);
        expect(issue.found.length).toBeGreaterThan(0);
        expect(issue.message.zh.length).toBeGreaterThan(0);
      }
    });
  }
});
