import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJson, compareStrings, sha256 } from "../src/_lib/canonical.js";
import { generatePopulation } from "../src/audit/generate.js";
import { digestOf } from "../src/evaluate.js";
import { canonicalRecordJson } from "../src/record/canonical.js";
import { hasVisibleCharacter } from "../src/record/schema.js";
import { recordCaseArb } from "./_lib/arbitraries.js";
import { createEvaluator, evaluate, LIBRARY_VERSION, parseOrganizationRecord, referenceRuleSet, RuleSetError, type RuleSet } from "../src/index.js";
import type { Condition, Rule } from "../src/rule-set/schema.js";
import { DIFFERENTIAL_AS_OF } from "./_lib/differential.js";
import { createCompiledEvaluator } from "../src/engine/compiled-engine.js";
import { organizationFixtures } from "./_lib/fixtures.js";

// json-rules-engine is the reference semantics: the compiled evaluator must give byte-identical results.
const reference = createEvaluator(referenceRuleSet, { engine: "reference" });
const compiled = createEvaluator(referenceRuleSet, { engine: "compiled" });

describe("compiled evaluator against json-rules-engine", () => {
  it("gives byte-identical results on every fixture organization", async () => {
    for (const f of organizationFixtures()) {
      const expected = JSON.stringify(await reference.evaluate(f.record, { asOf: f.asOf }));
      expect(JSON.stringify(compiled.evaluateSync(f.record, { asOf: f.asOf })), f.file).toBe(expected);
      expect(JSON.stringify(await compiled.evaluate(f.record, { asOf: f.asOf })), f.file).toBe(expected);
    }
  });

  it(`gives byte-identical results on 3,000 generated organizations over ${DIFFERENTIAL_AS_OF.length} asOf dates`, async () => {
    let compared = 0;
    for (const [i, asOf] of DIFFERENTIAL_AS_OF.entries()) {
      for (const record of generatePopulation({ count: 150, seed: 1000 + i, asOf })) {
        const expected = JSON.stringify(await reference.evaluate(record, { asOf }));
        expect(JSON.stringify(compiled.evaluateSync(record, { asOf })), `${record.id} on ${asOf}`).toBe(expected);
        compared++;
      }
    }
    expect(compared).toBe(3000);
  });

  it("refuses the same invalid records with the same issues", async () => {
    const record = { ...organizationFixtures()[0]!.record, satisfactionPercent: 101, type: "company" };
    const a = await reference.evaluate(record, { asOf: "2023-05-31" }).catch((e: unknown) => e);
    const b = await compiled.evaluate(record, { asOf: "2023-05-31" }).catch((e: unknown) => e);
    expect(b).toEqual(a);
    expect(() => compiled.evaluateSync(record, { asOf: "2023-05-31" })).toThrow(/satisfactionPercent/);
  });

  it("is the default engine of createEvaluator and evaluate", async () => {
    const f = organizationFixtures()[0]!;
    expect(createEvaluator().engine).toBe("compiled");
    expect(await evaluate(f.record, { asOf: f.asOf })).toEqual(await evaluate(f.record, { asOf: f.asOf, engine: "reference" }));
    expect(() => createEvaluator(referenceRuleSet, { engine: "fast" as never })).toThrow(/compiled.*reference/);
  });
});

/** The reference rule set with one rule's first condition tree replaced. */
function withConditions(ruleId: string, conditions: Condition, named: RuleSet["conditions"] = referenceRuleSet.conditions): RuleSet {
  const rules = referenceRuleSet.rules.map((r): Rule => {
    if (r.id !== ruleId) return r;
    if (r.kind !== "item") throw new Error("the test replaces an item's first case");
    return { ...r, cases: [{ ...r.cases[0]!, conditions: conditions as never }, ...r.cases.slice(1)] };
  });
  return { ...referenceRuleSet, conditions: named, rules };
}

// The compiler's own refusals, behind the loader's checks that createEvaluator runs on a hand-made set first.
function problemsOf(ruleSet: RuleSet) {
  try {
    createCompiledEvaluator(ruleSet);
  } catch (error) {
    expect(error).toBeInstanceOf(RuleSetError);
    return (error as RuleSetError).problems;
  }
  throw new Error("expected the compiler to refuse the rule set");
}

describe("compile-time refusals", () => {
  it("refuses an operator it does not support when the evaluator is created, naming the rule and the path", () => {
    const problems = problemsOf(withConditions("P1", { all: [{ fact: "party.charterClause", operator: "startsWith" as never, value: "x" }] }));
    expect(problems).toEqual([
      expect.objectContaining({ file: "P1.json", ruleId: "P1", path: "check P1#0 all.0", message: expect.stringMatching(/operator "startsWith" is not supported.*supported: equal/) }),
    ]);
  });

  it("refuses json-rules-engine's operator decorators (someFact:…, not:…), which it does not compile", () => {
    for (const operator of ["someFact:equal", "everyValue:in", "not:equal", "swap:contains"]) {
      expect(problemsOf(withConditions("P1", { all: [{ fact: "party.coverage", operator: operator as never, value: ["own"] }] }))[0]!.message).toMatch(/not supported/);
    }
  });

  it("refuses in / notIn on a value json-rules-engine would fail on for every record", () => {
    for (const value of [5, true, null]) {
      const [problem] = problemsOf(withConditions("P1", { all: [{ fact: "party.coverage", operator: "in", value }] }));
      expect(problem!.message).toMatch(/"in" needs an array/);
    }
  });

  it("refuses unknown facts, JSONPath and fact-valued values", () => {
    const problems = problemsOf(
      withConditions("P1", {
        any: [
          { fact: "party.colour", operator: "equal", value: "red" },
          { fact: "party.coverage", operator: "equal", value: "own", path: "$.x" } as never,
          { fact: "party.coverage", operator: "equal", value: { fact: "party.activity" } as never },
        ],
      }),
    );
    expect(problems.map((p) => [p.path, p.message.split(";")[0]])).toEqual([
      ["check P1#0 any.0", 'unknown fact "party.colour"'],
      ["check P1#0 any.1", `"path" (JSONPath) is not allowed: a fact's value is compared whole`],
      ["check P1#0 any.2", 'an object as value (a fact-valued "value") is not supported by the compiled evaluator'],
    ]);
  });

  it("reports a problem inside a named condition against conditions.json, and unknown or cyclic names", () => {
    const named = {
      ...referenceRuleSet.conditions,
      broken: { all: [{ fact: "party.coverage", operator: "matches" as never, value: "o.*" }] },
      loopA: { any: [{ condition: "loopB" }] },
      loopB: { any: [{ condition: "loopA" }] },
    };
    const problems = problemsOf(withConditions("P1", { all: [{ condition: "broken" }, { condition: "nowhere" }, { condition: "loopA" }] }, named));
    expect(problems).toEqual([
      expect.objectContaining({ file: "conditions.json", ruleId: "broken", path: "all.0", message: expect.stringMatching(/"matches" is not supported/) }),
      expect.objectContaining({ file: "P1.json", path: "check P1#0 all.1", message: expect.stringMatching(/unknown named condition "nowhere"/) }),
      expect.objectContaining({ file: "conditions.json", ruleId: "loopB", path: "any.0", message: expect.stringMatching(/cycle: loopA -> loopB -> loopA/) }),
    ]);
  });
});

describe("the speed-ups keep the output", () => {
  // The formula the digest was first written with; digestOf computes the same text in one pass.
  const canonicalRecord = (record: Record<string, unknown>) =>
    Object.fromEntries(
      Object.entries(record).map(([k, v]) => [k, Array.isArray(v) ? [...v].sort((a, b) => compareStrings(canonicalJson(a), canonicalJson(b))) : v]),
    );
  const plainDigest = (record: object, asOf: string) =>
    sha256(canonicalJson({ record: canonicalRecord(record as never), asOf, ruleSet: referenceRuleSet.digest, library: LIBRARY_VERSION }));
  it("digests a record as sha256 of the canonical JSON of { record with sorted arrays, asOf, rule set, library }", () => {
    for (const [i, asOf] of ["2023-05-31", "2024-02-29"].entries()) {
      for (const raw of generatePopulation({ count: 200, seed: 77 + i, asOf })) {
        const record = parseOrganizationRecord(raw, { asOf });
        expect(canonicalRecordJson(record)).toBe(canonicalJson(canonicalRecord(record as never)));
        expect(digestOf(record, asOf, referenceRuleSet)).toBe(plainDigest(record, asOf));
      }
    }
    for (const f of organizationFixtures()) {
      const record = parseOrganizationRecord(f.record, { asOf: f.asOf });
      expect(digestOf(record, f.asOf, referenceRuleSet), f.file).toBe(plainDigest(record, f.asOf));
    }
  });
  it("writes the canonical record as the plain definition for arbitrary valid records, names with any characters included", () => {
    fc.assert(
      fc.property(recordCaseArb, fc.string({ unit: "binary", minLength: 1, maxLength: 40 }).filter(hasVisibleCharacter), ({ asOf, record: data }, name) => {
        const record = parseOrganizationRecord({ ...data, name }, { asOf });
        expect(canonicalRecordJson(record)).toBe(canonicalJson(canonicalRecord(record as never)));
        expect(digestOf(record, asOf, referenceRuleSet)).toBe(plainDigest(record, asOf));
      }),
      { numRuns: 300, seed: 4242 },
    );
  });
  it("sorts entries by UTF-16 code unit even where UTF-8 byte order differs, and writes unexpected values as canonicalJson does", () => {
    // Not a validated record: entries holding text beyond ASCII, an extra object, a number that is not finite.
    const record = {
      activities: [{ on: "\u{1F600}", kind: "x" }, { on: "\uFFFF", kind: "x" }, { on: "é", kind: "x" }],
      honours: [{ on: "2023-01-01", kind: { b: 1, a: [2, NaN] } }, { on: "2022-01-01", kind: "z" }],
      name: "名\u0001\"",
      satisfactionPercent: Infinity,
    };
    expect(canonicalRecordJson(record as never)).toBe(canonicalJson(canonicalRecord(record)));
  });
  it("writes canonical JSON with sorted keys, no undefined members, and arrays in their order", () => {
    const value = { b: [3, { z: 1, a: undefined, m: [null, "x"] }], a: "é\"", c: undefined, "": true, d: [undefined] };
    expect(canonicalJson(value)).toBe('{"":true,"a":"é\\"","b":[3,{"m":[null,"x"],"z":1}],"d":[null]}');
    expect(canonicalJson([])).toBe("[]");
    expect(canonicalJson({})).toBe("{}");
    expect(canonicalJson(undefined)).toBe("null");
  });
});
