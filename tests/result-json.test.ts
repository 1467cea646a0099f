import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { generatePopulation } from "../src/audit/generate.js";
import { createEvaluator, referenceRuleSet } from "../src/index.js";
import { resultJson, ruleSetConstants } from "../src/result/serialize.js";
import type { Result } from "../src/result/types.js";
import { DIFFERENTIAL_AS_OF } from "./_lib/differential.js";
import { organizationFixtures } from "./_lib/fixtures.js";

const evaluator = createEvaluator(referenceRuleSet);
const sample = (): Result[] => {
  const out = organizationFixtures().map((f) => evaluator.evaluateSync(f.record, { asOf: f.asOf }));
  for (const [i, asOf] of DIFFERENTIAL_AS_OF.entries()) {
    for (const record of generatePopulation({ count: 100, seed: 500 + i, asOf })) out.push(evaluator.evaluateSync(record, { asOf }));
  }
  return out;
};
const clone = (r: Result): Result => JSON.parse(JSON.stringify(r)) as Result;

describe("resultJson", () => {
  const results = sample();

  it("gives JSON.stringify's bytes on every fixture and on 2,000 generated organizations over many asOf dates", () => {
    expect(results.length).toBeGreaterThan(2000);
    // Each kind of part the writer knows appears somewhere, so none goes untested.
    for (const part of ["deductions", "bonuses", "caps", "vetoes", "measures", "listActions"] as const) {
      expect(results.some((r) => r[part].length > 0), part).toBe(true);
    }
    expect(results.some((r) => r.nextLevel === null)).toBe(true);
    const constants = ruleSetConstants(referenceRuleSet);
    for (const r of results) {
      const expected = JSON.stringify(r);
      expect(resultJson(r, constants), r.organizationId).toBe(expected);
      expect(resultJson(r), r.organizationId).toBe(expected);
    }
  });

  it("escapes any string as JSON.stringify does, lone surrogates and control characters included", () => {
    const base = results[0]!;
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), fc.string({ unit: "grapheme-composite" }), (a, b) => {
        const r = clone(base);
        r.name = a;
        r.organizationId = b;
        r.items[0]!.evidence[0]!.value = a;
        r.items[1]!.label = { zh: b, en: a };
        r.items[1]!.basis = [a, b];
        r.gate.missing = [a];
        expect(resultJson(r)).toBe(JSON.stringify(r));
      }),
      { numRuns: 500 },
    );
    const lone = clone(base);
    lone.name = "\ud800x\udfff\u0000\u2028\"\\";
    expect(resultJson(lone)).toBe(JSON.stringify(lone));
  });

  it("writes numbers as JSON.stringify does, NaN, infinities and -0 included", () => {
    const base = results[0]!;
    fc.assert(
      fc.property(fc.double(), fc.double(), (a, b) => {
        const r = clone(base);
        r.score = a;
        r.items[0]!.points = b;
        r.items[2]!.evidence[0]!.value = a;
        expect(resultJson(r)).toBe(JSON.stringify(r));
      }),
      { numRuns: 500 },
    );
  });

  it("writes a label, basis list or params that is not the rule set's own object as JSON.stringify does", () => {
    const constants = ruleSetConstants(referenceRuleSet);
    const r = results.find((x) => x.items.some((i) => i.evidence.some((e) => e.params !== undefined)))!;
    expect(resultJson(r, constants)).toBe(JSON.stringify(r));
    // A copy of the result holds copies of the rule set's objects: none of them is taken from the constants.
    const copy = clone(r);
    copy.items[0]!.label.zh = "改过的";
    copy.items[0]!.basis.push("NEW");
    copy.dimensions[0]!.label.en = "changed";
    copy.items.flatMap((i) => i.evidence).find((e) => e.params !== undefined)!.params!.extra = 1;
    expect(resultJson(copy, constants)).toBe(JSON.stringify(copy));
    // The rule set's own label with another id, dimension or max: the shell kept for it is not reused.
    const moved = { ...r, items: r.items.map((i, n) => (n === 0 ? { ...i, id: "X9", dimension: "elsewhere", max: 7 } : i)) };
    expect(resultJson(moved, constants)).toBe(JSON.stringify(moved));
    expect(resultJson(r, constants)).toBe(JSON.stringify(r));
  });

  it("falls back to JSON.stringify on a part of a shape it does not expect", () => {
    const base = results[0]!;
    const shapes: Array<(r: Result) => void> = [
      (r) => ((r as unknown as Record<string, unknown>).score = undefined),
      (r) => ((r.items[0] as unknown as Record<string, unknown>).points = "12"),
      (r) => ((r.items[0]!.evidence[0] as unknown as Record<string, unknown>).value = undefined),
      (r) => ((r.items[0]!.evidence[0] as unknown as Record<string, unknown>).value = () => 1),
      (r) => (r.items[0]!.evidence[0] = { fact: "f", params: { toJSON: () => "x" }, value: 1 }),
      (r) => ((r as unknown as Record<string, unknown>).nextLevel = undefined),
      (r) => ((r.gate as unknown as Record<string, unknown>).held = 1),
      (r) => ((r.items[0] as unknown as Record<string, unknown>).label = null),
      (r) => ((r.items as unknown[])[0] = { toJSON: () => "an item" }),
      (r) => ((r.items[0]!.evidence[0] as unknown as Record<string, unknown>).value = { toJSON: (key: string) => key }),
    ];
    for (const change of shapes) {
      const r = clone(base);
      change(r);
      expect(resultJson(r), change.toString()).toBe(JSON.stringify(r));
    }
  });
});
