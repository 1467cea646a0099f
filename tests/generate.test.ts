import { describe, expect, it } from "vitest";
import { generatePopulation } from "../src/audit/generate.js";
import { createEvaluator, safeParseOrganizationRecord } from "../src/index.js";
import type { OrganizationRecord } from "../src/index.js";

// Quzhou's register at the end of May 2023 (shared/data/quzhou-2023.json), copied here.
const QUZHOU = {
  asOf: "2023-05-31",
  total: 3424,
  types: { social_group: 1273, social_service_agency: 2133, foundation: 18 },
  evaluationGrade3AOrBetter: 270,
  everOnAbnormalList: 270,
  onDishonestListRevoked: 52,
  dormantOrganizationsTargeted: 614,
};

/** Stated tolerance of the "about" figures: within 5% of the register's number. */
const ABOUT = 0.05;

/** A grade is valid when awarded on or before asOf and asOf is before its expiry (5 years, 29 Feb clamped). */
function hasValidGrade3AOrBetter(r: OrganizationRecord, asOf: string): boolean {
  const e = r.evaluation;
  if (!e || !["3A", "4A", "5A"].includes(e.grade)) return false;
  let expires = e.expiresOn;
  if (expires === null) {
    const md = e.awardedOn.slice(5) === "02-29" ? "02-28" : e.awardedOn.slice(5);
    expires = `${Number(e.awardedOn.slice(0, 4)) + 5}-${md}`;
  }
  return e.awardedOn <= asOf && asOf < expires;
}

function marginals(records: OrganizationRecord[], asOf: string) {
  const types: Record<string, number> = {};
  for (const r of records) types[r.type] = (types[r.type] ?? 0) + 1;
  return {
    types,
    validGrade: records.filter((r) => hasValidGrade3AOrBetter(r, asOf)).length,
    everAbnormal: records.filter((r) => r.listings.some((l) => l.list === "abnormal" && l.listedOn <= asOf)).length,
    dishonest: records.filter((r) => r.listings.some((l) => l.list === "dishonest" && l.listedOn <= asOf && (l.removedOn === null || l.removedOn > asOf))).length,
  };
}

const within = (found: number, target: number) => Math.abs(found - target) <= Math.round(target * ABOUT);

describe("generatePopulation", () => {
  it("follows Quzhou's 2023 register for 3,424 organizations, seed 2023: types and dishonest listings exact, the rest within 5%, dormancy by cap K3", async () => {
    const records = [...generatePopulation({ count: QUZHOU.total, seed: 2023, asOf: QUZHOU.asOf })];
    expect(records).toHaveLength(QUZHOU.total);
    const m = marginals(records, QUZHOU.asOf);
    expect(m.types).toEqual(QUZHOU.types);
    expect(m.dishonest).toBe(QUZHOU.onDishonestListRevoked);
    expect(within(m.validGrade, QUZHOU.evaluationGrade3AOrBetter), `valid 3A+ ${m.validGrade}`).toBe(true);
    expect(within(m.everAbnormal, QUZHOU.everOnAbnormalList), `ever abnormal ${m.everAbnormal}`).toBe(true);

    const evaluator = createEvaluator();
    let dormant = 0;
    for (const r of records) if ((await evaluator.evaluate(r, { asOf: QUZHOU.asOf })).caps.some((c) => c.id === "K3")) dormant++;
    expect(within(dormant, QUZHOU.dormantOrganizationsTargeted), `K3 holds for ${dormant}`).toBe(true);
  });

  it("keeps the record-level shares for another seed (2024) and another size (1,000: types 372 / 623 / 5)", () => {
    const m = marginals([...generatePopulation({ count: QUZHOU.total, seed: 2024, asOf: QUZHOU.asOf })], QUZHOU.asOf);
    expect(m.types).toEqual(QUZHOU.types);
    expect(m.dishonest).toBe(QUZHOU.onDishonestListRevoked);
    expect(within(m.validGrade, QUZHOU.evaluationGrade3AOrBetter)).toBe(true);
    expect(within(m.everAbnormal, QUZHOU.everOnAbnormalList)).toBe(true);
    // 1000 × 1273/3424 = 371.8, 1000 × 2133/3424 = 622.9, 1000 × 18/3424 = 5.3: largest remainders.
    const small = marginals([...generatePopulation({ count: 1000, seed: 5, asOf: QUZHOU.asOf })], QUZHOU.asOf);
    expect(small.types).toEqual({ social_group: 372, social_service_agency: 623, foundation: 5 });
  });

  it("gives valid records, the same for the same seed and different for another seed", () => {
    const a = [...generatePopulation({ count: 300, seed: 11, asOf: "2024-02-29" })];
    const b = [...generatePopulation({ count: 300, seed: 11, asOf: "2024-02-29" })];
    const c = [...generatePopulation({ count: 300, seed: 12, asOf: "2024-02-29" })];
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    expect(JSON.stringify(c)).not.toBe(JSON.stringify(a));
    for (const r of a) {
      const parsed = safeParseOrganizationRecord(r, { asOf: "2024-02-29" });
      expect(parsed.success ? [] : parsed.error.issues, r.id).toEqual([]);
    }
    expect(new Set(a.map((r) => r.id)).size).toBe(a.length);
  });
});
