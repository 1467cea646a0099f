// Invariants of scheme.md checked on generated valid records (tests/_lib/arbitraries.ts). Expected values
// are recomputed from each result's own fields and the manifest's data, never by calling the assembly code.
// Runs are seeded (FC_SEED overrides) so that CI is reproducible; fast-check prints the seed of a failure.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { generateOrganization } from "../src/audit/generate.js";
import { SeededRandom } from "../src/_lib/random.js";
import { createEvaluator, evaluate, parseOrganizationRecord, type Result } from "../src/index.js";
import {
  asOfArb,
  negativeEntryArbs,
  recordCaseArb,
  withNegativeEntry,
  type NegativeEntry,
  type RecordCase,
  type RecordData,
} from "./_lib/arbitraries.js";
import { deepShuffle } from "./_lib/shuffle.js";

const SEED = Number(process.env.FC_SEED ?? 20230531);
const RUNS = {
  scoreRange: 300,
  gradeFromParts: 300,
  addNegativeEntry: 150, // per kind of entry, five kinds
  removeNegativeEntries: 200,
  shuffle: 200,
  twice: 100,
  veto: 300,
  currentListing: 300,
  generatedPopulation: 200,
} as const;

interface ManifestData {
  maxScore: number;
  bonusCap: number;
  vetoLevel: string;
  levels: Array<{ id: string; minScore: number }>;
}
const manifest = JSON.parse(readFileSync(join(import.meta.dirname, "..", "rules", "quzhou-reference", "manifest.json"), "utf8")) as ManifestData;
const levelIds = manifest.levels.map((l) => l.id);
/** 0 for the best level (A), larger for worse ones. */
const rank = (level: string): number => {
  const i = levelIds.indexOf(level);
  if (i < 0) throw new Error(`unknown level ${level}`);
  return i;
};
const worse = (a: string, b: string) => (rank(a) >= rank(b) ? a : b);
const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);

/** The four exclusions that scheme.md triggers on "currently on either list", besides exclude-grade-evaluation. */
const LIST_EXCLUSIONS = ["exclude-government-purchase", "exclude-venture-philanthropy", "exclude-brand-selection", "exclude-awards"];

const evaluator = createEvaluator();
const run = (c: { asOf: string; record: unknown }) => evaluator.evaluate(c.record, { asOf: c.asOf });
const property = <T>(arb: fc.Arbitrary<T>, numRuns: number, check: (value: T) => Promise<void>) =>
  fc.assert(fc.asyncProperty(arb, check), { numRuns, seed: SEED });

/** A listing is current on asOf: listedOn <= asOf and (removedOn null or after asOf). */
function currentLists(c: RecordCase): Set<string> {
  const listings = c.record.listings as Array<{ list: string; listedOn: string; removedOn: string | null }>;
  return new Set(listings.filter((l) => l.listedOn <= c.asOf && (l.removedOn === null || l.removedOn > c.asOf)).map((l) => l.list));
}

describe("generated records", () => {
  it("are valid records (100 runs)", () => {
    fc.assert(
      fc.property(recordCaseArb, (c) => {
        parseOrganizationRecord(c.record, { asOf: c.asOf });
      }),
      { numRuns: 100, seed: SEED },
    );
  });
});

describe("score", () => {
  it(`is an integer in 0..maxScore equal to clamp(base + deductions + min(bonuses, cap)) (${RUNS.scoreRange} runs)`, async () => {
    await property(recordCaseArb, RUNS.scoreRange, async (c) => {
      const r = await run(c);
      expect(Number.isInteger(r.score)).toBe(true);
      expect(r.score).toBeGreaterThanOrEqual(0);
      expect(r.score).toBeLessThanOrEqual(manifest.maxScore);
      expect(r.baseScore).toBe(sum(r.items.map((i) => i.points)));
      expect(r.deductionTotal).toBe(sum(r.deductions.map((d) => d.points)));
      expect(r.bonusTotal).toBe(Math.min(sum(r.bonuses.map((b) => b.points)), manifest.bonusCap));
      expect(r.score).toBe(Math.max(0, Math.min(manifest.maxScore, r.baseScore + r.deductionTotal + r.bonusTotal)));
      for (const d of r.dimensions) expect(d.score).toBe(sum(r.items.filter((i) => i.dimension === d.id).map((i) => i.points)));
      for (const i of r.items) expect(i.points >= 0 && i.points <= i.max && Number.isInteger(i.points)).toBe(true);
      for (const d of r.deductions) expect(d.points).toBeLessThan(0);
    });
  });
});

describe("grade", () => {
  it(`follows from the score, the gate, the caps and the vetoes (${RUNS.gradeFromParts} runs)`, async () => {
    await property(recordCaseArb, RUNS.gradeFromParts, async (c) => {
      const r = await run(c);
      const byScore = manifest.levels.find((l) => r.score >= l.minScore)!.id;
      expect(r.scoreLevel).toBe(byScore);
      // A failed gate moves a score at the gated level or better to the level just below it.
      let level = byScore;
      if (r.gate.level !== null && !r.gate.held && rank(level) <= rank(r.gate.level)) level = levelIds[rank(r.gate.level) + 1]!;
      for (const cap of r.caps) level = worse(level, cap.atBest);
      if (r.vetoes.length > 0) level = worse(level, manifest.vetoLevel);
      expect(r.grade).toBe(level);
      expect(r.seriouslyDishonest).toBe(r.vetoes.length > 0);
      // nextLevel: null at the best level; otherwise the next better one and the points the score lacks for it.
      if (rank(r.grade) === 0) expect(r.nextLevel).toBeNull();
      else {
        const target = manifest.levels[rank(r.grade) - 1]!;
        expect(r.nextLevel).toMatchObject({ level: target.id, pointsNeeded: Math.max(0, target.minScore - r.score) });
      }
    });
  });
});

describe("monotonicity", () => {
  // scheme.md: a penalty feeds C1, X1/X2/X12, V3/V4 (and causes, list actions, exclusions); a violation X4–X7 and
  // K6; a verified complaint C2; an overdue notice X3 (and a cause); a listing X9/X10, K1, V1/V2. None of these
  // raises a point or lifts a cap or veto, so one more such entry can only lower the score or worsen the grade.
  // (It can remove a list action, e.g. a new listing ends propose-abnormal-listing; that is not a score or grade.)
  for (const field of Object.keys(negativeEntryArbs) as Array<keyof typeof negativeEntryArbs>) {
    it(`adding one entry to ${field} never raises the score or improves the grade (${RUNS.addNegativeEntry} runs)`, async () => {
      let lowered = 0;
      await property(fc.tuple(recordCaseArb, negativeEntryArbs[field] as fc.Arbitrary<NegativeEntry>), RUNS.addNegativeEntry, async ([c, entry]) => {
        const before = await run(c);
        const after = await run({ asOf: c.asOf, record: withNegativeEntry(c, entry) });
        expect(after.score).toBeLessThanOrEqual(before.score);
        expect(rank(after.grade)).toBeGreaterThanOrEqual(rank(before.grade));
        if (after.score < before.score || rank(after.grade) > rank(before.grade)) lowered++;
      });
      // Not vacuous: a good share of the added entries fall in their windows and cost something.
      expect(lowered).toBeGreaterThan(RUNS.addNegativeEntry / 10);
    });
  }

  it(`removing every negative entry never lowers the score or worsens the grade (${RUNS.removeNegativeEntries} runs)`, async () => {
    let raised = 0;
    await property(recordCaseArb, RUNS.removeNegativeEntries, async (c) => {
      const clean: RecordData = { ...c.record, penalties: [], violations: [], complaints: [], rectificationNotices: [], listings: [] };
      const before = await run(c);
      const after = await run({ asOf: c.asOf, record: clean });
      expect(after.score).toBeGreaterThanOrEqual(before.score);
      expect(rank(after.grade)).toBeLessThanOrEqual(rank(before.grade));
      // Only X8 and X11 (flags and inspections, not entries) can remain among the deductions.
      expect(after.deductions.map((d) => d.id).filter((id) => id !== "X8" && id !== "X11")).toEqual([]);
      expect(after.vetoes.map((v) => v.id).filter((id) => id !== "V5")).toEqual([]);
      if (after.score > before.score || rank(after.grade) < rank(before.grade)) raised++;
    });
    expect(raised).toBeGreaterThan(RUNS.removeNegativeEntries / 10);
  });
});

describe("determinism", () => {
  it(`gives the same result and digest whatever the order of arrays and object keys (${RUNS.shuffle} runs)`, async () => {
    await property(fc.tuple(recordCaseArb, fc.integer()), RUNS.shuffle, async ([c, seed]) => {
      const a = await run(c);
      const b = await run({ asOf: c.asOf, record: deepShuffle(c.record, seed) });
      expect(b.digest).toBe(a.digest);
      expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    });
  });

  it(`gives byte-identical JSON when evaluated twice, by one evaluator or a new one, without changing the record (${RUNS.twice} runs)`, async () => {
    await property(recordCaseArb, RUNS.twice, async (c) => {
      const copy = structuredClone(c.record);
      const first = JSON.stringify(await run(c));
      expect(JSON.stringify(await run(c))).toBe(first);
      expect(JSON.stringify(await evaluate(c.record, { asOf: c.asOf }))).toBe(first);
      expect(JSON.stringify(await createEvaluator().evaluate(c.record, { asOf: c.asOf }))).toBe(first);
      expect(c.record).toEqual(copy);
    });
  });
});

describe("vetoes and listings", () => {
  it(`any veto gives grade E, seriously dishonest, joint punishment and the tax review, each with every veto as a reason (${RUNS.veto} runs)`, async () => {
    let withVeto = 0;
    await property(recordCaseArb, RUNS.veto, async (c) => {
      const r = await run(c);
      const joint = r.measures.find((m) => m.id === "joint-punishment");
      const tax = r.measures.find((m) => m.id === "review-tax-qualifications");
      if (r.vetoes.length === 0) {
        expect(joint).toBeUndefined();
        expect(r.seriouslyDishonest).toBe(false);
        return;
      }
      withVeto++;
      const reasons = r.vetoes.map((v) => `veto:${v.id}`);
      expect(r.grade).toBe("E");
      expect(r.seriouslyDishonest).toBe(true);
      expect(joint?.reasons).toEqual(reasons);
      expect(tax?.reasons).toEqual(reasons);
      expect(r.measures.map((m) => m.id)).toContain("exclude-funding-support");
      // V5 is the record's own flag; V1 a current dishonest listing (scheme.md, checked from the record here).
      expect(r.vetoes.some((v) => v.id === "V5")).toBe(c.record.courtDefaulter === true);
    });
    expect(withVeto).toBeGreaterThan(RUNS.veto / 10);
  });

  it(`any current listing gives the four list exclusions and exclude-grade-evaluation, with the list as a reason (${RUNS.currentListing} runs)`, async () => {
    let listed = 0;
    await property(recordCaseArb, RUNS.currentListing, async (c) => {
      const r = await run(c);
      const lists = currentLists(c);
      expect(r.caps.some((k) => k.id === "K1")).toBe(lists.has("abnormal"));
      expect(r.vetoes.some((v) => v.id === "V1")).toBe(lists.has("dishonest"));
      for (const id of [...LIST_EXCLUSIONS, "exclude-grade-evaluation"]) {
        const reasons = r.measures.find((m) => m.id === id)?.reasons ?? [];
        for (const list of ["abnormal", "dishonest"]) expect(reasons.includes(`list:${list}`), `${id} list:${list}`).toBe(lists.has(list));
      }
      if (lists.size === 0) return;
      listed++;
      expect(rank(r.grade)).toBeGreaterThanOrEqual(rank("D"));
      expect(r.listActions.map((a) => a.id)).not.toContain("propose-abnormal-listing");
    });
    expect(listed).toBeGreaterThan(RUNS.currentListing / 20);
  });
});

describe("the synthetic population generator (src/audit/generate.ts)", () => {
  it(`generates valid records whose results keep the score and grade invariants (${RUNS.generatedPopulation} runs)`, async () => {
    await property(fc.tuple(fc.integer({ min: 0, max: 2 ** 31 }), fc.nat({ max: 9999 }), asOfArb), RUNS.generatedPopulation, async ([seed, index, asOf]) => {
      const record = generateOrganization(new SeededRandom(seed), index, asOf);
      const r: Result = await run({ asOf, record });
      expect(Number.isInteger(r.score) && r.score >= 0 && r.score <= manifest.maxScore).toBe(true);
      expect(r.seriouslyDishonest).toBe(r.vetoes.length > 0);
      if (r.vetoes.length > 0) expect(r.grade).toBe("E");
    });
  });
});
