// Rule sets whose evaluation could run away, or whose items could score beyond their max, are refused at load.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createEvaluator, RuleSetError, ruleSetFromFiles, loadRuleSet, referenceRuleSet, type RuleSet } from "../src/index.js";
import { MAX_EXPANDED_CONDITIONS, MAX_EXPANDED_RULE_SET } from "../src/rule-set/bounds.js";
import { FACTS, factValue } from "../src/facts/catalogue.js";
import { createFactContext } from "../src/facts/context.js";
import { parseOrganizationRecord } from "../src/record/parse.js";
import { organizationFixtures } from "./_lib/fixtures.js";
import { problemsOf, referenceFiles, type RuleFiles } from "./_lib/rule-files.js";

const leaf = { fact: "unreachable", operator: "equal", value: true };

/** Named conditions f1…f<depth>, each referring to the one below it `wide` times: f<depth> expands to about wide^depth nodes. */
function fanOut(files: RuleFiles, wide: number, depth: number): RuleFiles {
  files["conditions.json"].f0 = { all: [leaf] };
  for (let d = 1; d <= depth; d++) files["conditions.json"][`f${d}`] = { any: Array.from({ length: wide }, () => ({ condition: `f${d - 1}` })) };
  files["K1.json"].conditions = { all: [{ condition: `f${depth}` }] };
  return files;
}

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe("the expanded work of a rule set is bounded at load", () => {
  it("refuses named conditions fanning out 1000 wide and 6 deep, quickly, naming the rule and the size against the limit", () => {
    const started = performance.now();
    const problems = problemsOf(fanOut(referenceFiles(), 1000, 6));
    expect(performance.now() - started).toBeLessThan(5000);
    const found = problems.find((p) => p.ruleId === "K1");
    expect(found, JSON.stringify(problems.slice(0, 3))).toMatchObject({ file: "K1.json", ruleId: "K1" });
    expect(found!.message).toMatch(new RegExp(`expand to \\d{18,} nodes .*at most ${MAX_EXPANDED_CONDITIONS}`));
    // A moderate fan-out, 6 wide and 3 deep (733 nodes), is a rule set like any other.
    expect(() => ruleSetFromFiles(fanOut(referenceFiles(), 6, 3))).not.toThrow();
  });

  it("refuses, from a folder, what would hang both engines (the loader stands before each)", () => {
    const dir = mkdtempSync(join(tmpdir(), "soc-fanout-"));
    dirs.push(dir);
    for (const [name, json] of Object.entries(fanOut(referenceFiles(), 40, 5))) writeFileSync(join(dir, name), JSON.stringify(json));
    for (const engine of ["compiled", "reference"] as const) {
      const started = performance.now();
      expect(() => createEvaluator(loadRuleSet(dir), { engine })).toThrow(RuleSetError);
      expect(performance.now() - started).toBeLessThan(5000);
    }
  });

  it(`refuses a rule set whose rules together expand beyond ${MAX_EXPANDED_RULE_SET} nodes, though each rule is within its own limit`, () => {
    const f = referenceFiles();
    // About 1,000 nodes behind one named condition, used by 20 rules (20 × 1,000 > MAX_EXPANDED_RULE_SET).
    f["conditions.json"].wide = { any: Array.from({ length: 10 }, () => ({ any: Array.from({ length: 99 }, () => leaf) })) };
    const caps = f["manifest.json"].rules.caps as string[];
    for (let i = 0; i < 20; i++) {
      f[`W${i}.json`] = { ...f["K1.json"], id: `W${i}`, conditions: { all: [{ condition: "wide" }] } };
      caps.push(`W${i}`);
    }
    const problems = problemsOf(f);
    expect(problems).toContainEqual(expect.objectContaining({ ruleId: null, message: expect.stringMatching(new RegExp(`expand to \\d+ nodes in all .*at most ${MAX_EXPANDED_RULE_SET}`)) }));
    expect(problems.filter((p) => p.ruleId?.startsWith("W"))).toEqual([]);
  });
});

describe("the bounds keep the reference engine within ten times the reference rules' work", () => {
  // Issue 10, class 6: f0 = all[leaf], f1 = any[f0 ×21], f2 = any[f1 ×15], f3 = any[f2 ×10], and ten rules
  // all[f3]: 9,773 nodes a rule, 97,730 in all, which the earlier bounds (10,000 and 100,000) let through and
  // json-rules-engine took 340 ms a record on (the reference rules: 3 ms).
  const heavy = () => {
    const f = referenceFiles();
    f["conditions.json"].f0 = { all: [{ fact: "satisfactionPercent", operator: "greaterThan", value: 1 }] };
    [21, 15, 10].forEach((wide, d) => (f["conditions.json"][`f${d + 1}`] = { any: Array.from({ length: wide }, () => ({ condition: `f${d}` })) }));
    return f;
  };
  it("refuses ten rules over named conditions fanned out 21, 15 and 10 wide, naming each rule", () => {
    const f = heavy();
    const ids = ["K1", "K2", "K3", "K4", "K5", "K6", "V1", "V2", "V3", "V4"];
    for (const id of ids) f[`${id}.json`].conditions = { all: [{ condition: "f3" }] };
    const problems = problemsOf(f);
    expect(problems.filter((p) => p.ruleId !== null).map((p) => p.ruleId).sort()).toEqual(ids.sort());
    expect(problems).toContainEqual(expect.objectContaining({ file: "K1.json", message: expect.stringMatching(/expand to 9773 nodes .*at most 2000/) }));
  });
  it("refuses rules each within its limit whose sum is over 10,000 nodes", () => {
    const f = heavy();
    // f2: 1 + 15 × (1 + 1 + 21 × 3) = 976 nodes; each rule all[f2] 978: ten of them 9,780, over 10,000 with the other rules.
    for (const id of ["K1", "K2", "K3", "K4", "K5", "K6", "V1", "V2", "V3", "V4"]) f[`${id}.json`].conditions = { all: [{ condition: "f2" }] };
    const problems = problemsOf(f);
    expect(problems).toEqual([expect.objectContaining({ ruleId: null, message: expect.stringMatching(/in all .*at most 10000/) })]);
  });
});

describe("no item can score beyond its max", () => {
  const fraction = (numerator: unknown, denominator: unknown) => ({ fraction: { numerator, denominator }, of: 40 });
  const required = (last: number) => ({ fact: "dueInspectionsRequired", params: { last } });
  const filed = (last: number) => ({ fact: "dueInspectionsFiled", params: { last } });

  it("refuses a fraction whose numerator can exceed its denominator (numerator and denominator swapped)", () => {
    const f = referenceFiles();
    f["R2.json"].otherwise = fraction(required(3), filed(3));
    expect(problemsOf(f)).toContainEqual(
      expect.objectContaining({ file: "R2.json", ruleId: "R2", path: "otherwise.fraction", message: expect.stringMatching(/exceed the item's max 40.*never exceeds the denominator "dueInspectionsFiled"/) }),
    );
  });

  it("refuses a fraction over facts with different params (filed over 30 years, required over 3)", () => {
    const f = referenceFiles();
    f["R2.json"].otherwise = fraction(filed(30), required(3));
    expect(problemsOf(f)).toContainEqual(expect.objectContaining({ file: "R2.json", ruleId: "R2", path: "otherwise.fraction" }));
  });

  it("refuses a fraction of facts nothing relates (satisfaction percent over the years required), in a case as in otherwise", () => {
    const f = referenceFiles();
    f["R2.json"].cases[0].points = fraction({ fact: "satisfactionPercent" }, required(3));
    expect(problemsOf(f)).toContainEqual(expect.objectContaining({ file: "R2.json", ruleId: "R2", path: "cases.0.points.fraction" }));
  });

  it("holds the catalogue to its word: a fact declared at most another never exceeds it, on every fixture (and the reference set loads)", () => {
    const bounded = [...FACTS.values()].filter((d) => d.values.kind === "number" && d.values.atMost !== undefined);
    expect(bounded.map((d) => d.name)).toContain("dueInspectionsFiled");
    for (const fixture of organizationFixtures()) {
      const ctx = createFactContext(parseOrganizationRecord(fixture.record, { asOf: fixture.asOf }), fixture.asOf as never);
      for (const def of bounded) {
        const values = def.values as { atMost: string; min?: number };
        for (const last of [1, 2, 3, 5, 10]) {
          const value = factValue(ctx, def.name, { last }) as number;
          expect(value, `${fixture.file} ${def.name}`).toBeLessThanOrEqual(factValue(ctx, values.atMost, { last }) as number);
          expect(value).toBeGreaterThanOrEqual(values.min ?? -Infinity);
        }
      }
    }
    expect(() => ruleSetFromFiles(referenceFiles())).not.toThrow();
  });
});

describe("a rule set made by hand, past the loader, is bounded too", () => {
  it("refuses, in createEvaluator of both engines and quickly, named conditions fanning out 1000 wide and 6 deep", () => {
    const named: Record<string, unknown> = { ...referenceRuleSet.conditions, f0: { all: [leaf] } };
    for (let d = 1; d <= 6; d++) named[`f${d}`] = { any: Array.from({ length: 1000 }, () => ({ condition: `f${d - 1}` })) };
    const rules = referenceRuleSet.rules.map((r) => (r.id === "K1" ? { ...r, conditions: { all: [{ condition: "f6" }] } } : r));
    const handMade = { ...referenceRuleSet, conditions: named, rules } as RuleSet;
    for (const engine of ["compiled", "reference"] as const) {
      const started = performance.now();
      expect(() => createEvaluator(handMade, { engine })).toThrow(RuleSetError);
      expect(performance.now() - started).toBeLessThan(5000);
    }
  });

  it("refuses, in createEvaluator, a fraction whose numerator can exceed its denominator", () => {
    const rules = referenceRuleSet.rules.map((r) =>
      r.id === "R2" && r.kind === "item" && typeof r.otherwise !== "number"
        ? { ...r, otherwise: { ...r.otherwise, fraction: { numerator: r.otherwise.fraction.denominator, denominator: r.otherwise.fraction.numerator } } }
        : r,
    );
    expect(() => createEvaluator({ ...referenceRuleSet, rules } as RuleSet)).toThrow(/R2.*exceed the item's max 40/);
  });
});
