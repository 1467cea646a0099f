import fc from "fast-check";
import { Engine } from "json-rules-engine";
import { describe, expect, it } from "vitest";
import { createConditionCompiler, supportedOperators } from "../src/engine/compile-condition.js";
import { COUNT_OPERATORS } from "../src/engine/reference-engine.js";

// json-rules-engine itself is the judge: random condition trees over random facts, run by the real library
// and by the compiler, must get the same verdict, or both fail.

const OPERATORS = supportedOperators({ extraOperators: COUNT_OPERATORS });
/** Facts the trees may name; "p" reads its params, "undefinedFact" is not defined at all. */
const FACT_NAMES = ["a", "b", "c", "missing", "p", "undefinedFact"];

const scalar = fc.oneof(
  fc.integer({ min: -5, max: 100 }),
  fc.constantFrom(0, -0, 0.5, 1e21, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
  fc.constantFrom("", "a", "abc", "5", "10", "5abc", " 7", "Infinity", "null", "undefined", "true", "1,2", "[object Object]"),
  fc.string({ maxLength: 3 }),
  fc.boolean(),
  fc.constant(null),
);
const factValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: scalar },
  { weight: 1, arbitrary: fc.constant(undefined) },
  { weight: 2, arbitrary: fc.array(scalar, { maxLength: 5 }) },
  { weight: 1, arbitrary: fc.array(fc.oneof(scalar, fc.array(scalar, { maxLength: 2 })), { maxLength: 3 }) },
  // Facts are JSON values (FactValue): objects with Object.prototype, never null-prototype ones.
  { weight: 1, arbitrary: fc.dictionary(fc.constantFrom("k", "x"), scalar, { maxKeys: 2, noNullPrototype: true }) },
);
const conditionValue: fc.Arbitrary<unknown> = fc.oneof({ weight: 3, arbitrary: scalar }, { weight: 2, arbitrary: fc.array(scalar, { maxLength: 4 }) });

const leaf = fc.record(
  {
    fact: fc.constantFrom(...FACT_NAMES),
    operator: fc.constantFrom(...OPERATORS),
    value: conditionValue,
    params: fc.record({ k: scalar }),
  },
  { requiredKeys: ["fact", "operator", "value"] },
);

type Tree = Record<string, unknown>;
/** A tree; `names` are the named conditions it may reference (all defined earlier, so no cycles). */
const tree = (names: string[]): fc.Arbitrary<Tree> =>
  fc.letrec<{ node: Tree; group: Tree }>((tie) => ({
    node: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      { weight: 3, arbitrary: leaf as fc.Arbitrary<Tree> },
      { weight: 1, arbitrary: tie("group") },
      ...(names.length > 0 ? [{ weight: 1, arbitrary: fc.constantFrom(...names).map((condition) => ({ condition })) }] : []),
    ),
    group: fc.oneof(
      fc.record({ all: fc.array(tie("node"), { maxLength: 4 }) }),
      fc.record({ any: fc.array(tie("node"), { maxLength: 4 }) }),
      fc.record({ not: tie("node") }),
    ),
  })).group;

const scenario = fc
  .tuple(fc.integer({ min: 0, max: 3 }), fc.dictionary(fc.constantFrom("a", "b", "c"), factValue, { noNullPrototype: true }))
  .chain(([namedCount, facts]) => {
    const names = Array.from({ length: namedCount }, (_, i) => `named${i}`);
    const named = fc.tuple(...names.map((_, i) => tree(names.slice(0, i))));
    return fc.record({ facts: fc.constant(facts), names: fc.constant(names), named: namedCount > 0 ? named : fc.constant([] as Tree[]), root: tree(names) });
  });

interface Scenario {
  facts: Record<string, unknown>;
  names: string[];
  named: Tree[];
  root: Tree;
}

/** The fact's value as both evaluators see it: "missing" is defined but has no value; "p" reads params.k. */
function valueOf(s: Scenario, name: string, params: Record<string, unknown> | undefined): unknown {
  if (name === "p") return params?.k;
  return s.facts[name];
}

type Verdict = boolean | "fails";

async function byJsonRulesEngine(s: Scenario): Promise<Verdict> {
  try {
    // Configured as src/engine/reference-engine.ts configures it.
    const engine = new Engine([], { allowUndefinedFacts: false, allowUndefinedConditions: false, replaceFactsInEventParams: false });
    for (const [name, op] of Object.entries(COUNT_OPERATORS)) engine.addOperator(name, op);
    for (const name of FACT_NAMES.filter((n) => n !== "undefinedFact")) {
      engine.addFact(name, async (params: Record<string, unknown>) => valueOf(s, name, Object.keys(params ?? {}).length > 0 ? params : undefined));
    }
    s.names.forEach((name, i) => engine.setCondition(name, structuredClone(s.named[i]) as never));
    engine.addRule({ conditions: structuredClone(s.root) as never, event: { type: "holds" } });
    const { events } = await engine.run();
    return events.length === 1;
  } catch {
    return "fails";
  }
}

function byCompiler(s: Scenario): Verdict {
  const compiler = createConditionCompiler<Scenario>({
    named: Object.fromEntries(s.names.map((n, i) => [n, s.named[i]!])) as never,
    extraOperators: COUNT_OPERATORS,
    fact: (name, params) => (name === "undefinedFact" ? undefined : (ctx) => valueOf(ctx, name, params)),
  });
  const verdict = compiler.compile(s.root);
  if (compiler.problems.length > 0) return "fails";
  try {
    return verdict(s);
  } catch {
    return "fails";
  }
}

describe("the compiler against json-rules-engine on random condition trees", () => {
  it("compiles every operator json-rules-engine has built in, and the count operators", () => {
    expect([...OPERATORS].sort()).toEqual(
      ["contains", "countAtLeast", "countAtMost", "doesNotContain", "equal", "greaterThan", "greaterThanInclusive", "in", "lessThan", "lessThanInclusive", "notEqual", "notIn"].sort(),
    );
  });

  it("gives json-rules-engine's verdict on every tree (nested all/any/not, named conditions, every operator, mismatched types, missing facts)", async () => {
    let holds = 0;
    let fails = 0;
    let total = 0;
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const expected = await byJsonRulesEngine(s);
        const actual = byCompiler(s);
        total++;
        if (expected === true) holds++;
        if (expected === "fails") fails++;
        expect(actual).toBe(expected);
      }),
      { numRuns: 3000, seed: 20240531 },
    );
    // The generated cases reach every outcome, so that agreement means something.
    expect(holds).toBeGreaterThan(total * 0.15);
    expect(total - holds - fails).toBeGreaterThan(total * 0.15);
    expect(fails).toBeGreaterThan(total * 0.02);
  });

  it("agrees on each operator with each kind of fact value, case by case", async () => {
    const values: unknown[] = [undefined, null, true, false, 0, -0, 5, 10, 0.5, Number.NaN, "", "5", "10", "5abc", "abc", [], [5], [5, "5"], ["a", "abc"], [null], [[5]], { k: 5 }];
    const operands: unknown[] = [null, true, 5, 10, "5", "abc", "a", "", [], [5], [null, 5], ["abc", "5"], [undefined]];
    for (const operator of OPERATORS) {
      for (const a of values) {
        for (const value of operands) {
          const s: Scenario = { facts: { a }, names: [], named: [], root: { all: [{ fact: "a", operator, value }] } };
          expect(byCompiler(s), `${JSON.stringify(a)} ${operator} ${JSON.stringify(value)}`).toBe(await byJsonRulesEngine(s));
        }
      }
    }
  });

  it("holds on an empty all and an empty any, as json-rules-engine does; not of them does not hold", async () => {
    for (const root of [{ all: [] }, { any: [] }, { not: { all: [] } }, { not: { any: [] } }, { any: [{ any: [] }] }]) {
      const s: Scenario = { facts: {}, names: [], named: [], root };
      expect(byCompiler(s)).toBe(await byJsonRulesEngine(s));
    }
    expect(byCompiler({ facts: {}, names: [], named: [], root: { any: [] } })).toBe(true);
    expect(byCompiler({ facts: {}, names: [], named: [], root: { not: { any: [] } } })).toBe(false);
  });
});
