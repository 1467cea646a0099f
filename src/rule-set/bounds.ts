import { canonicalJson } from "../_lib/canonical.js";
import type { RuleSetProblem } from "../errors.js";
import { FACTS } from "../facts/catalogue.js";
import { checksOfRuleSet } from "../engine/checks.js";
import type { Condition, FactRef, Points, Rule, RuleSet, TopLevelCondition } from "./schema.js";

/**
 * Most condition nodes one rule may make an evaluation visit, with every named condition written out where
 * it is used. Both engines visit a named condition's tree at each use: a rule set of named conditions that
 * refer to each other, each many times, visits exponentially many nodes per record. The reference rule set's
 * largest rule visits 35 nodes; 2,000 leaves room for any real scheme (57 times the largest reference rule).
 */
export const MAX_EXPANDED_CONDITIONS = 2_000;

/**
 * Most condition nodes all the rules of a rule set together may make one evaluation visit (the reference set:
 * 384; 10,000 is 26 times it). Measured on json-rules-engine (the reference engine, one thread, a shared
 * 2-core machine): a set of ten rules of about 920 nodes each (9,500 in all) took 20–32 ms a record against
 * 4–8 ms for the reference rules in the same runs, 4 to 7 times; the earlier 100,000 let a set take 340 ms.
 */
export const MAX_EXPANDED_RULE_SET = 10_000;

/** The size of each named condition written out, memoized: a reference costs what its tree costs, computed once. */
function namedSizes(conditions: Readonly<Record<string, TopLevelCondition>>): (c: Condition) => number {
  const sizes = new Map<string, number>();
  const visiting = new Set<string>();
  const size = (c: Condition): number => {
    if ("all" in c) return c.all.reduce((s, x) => s + size(x), 1);
    if ("any" in c) return c.any.reduce((s, x) => s + size(x), 1);
    if ("not" in c) return 1 + size(c.not);
    if ("condition" in c) {
      const name = c.condition;
      const known = sizes.get(name);
      if (known !== undefined) return known;
      // An unknown name or a cycle is reported by the loader's other checks; it costs nothing here.
      if (!Object.hasOwn(conditions, name) || visiting.has(name)) return 1;
      visiting.add(name);
      const s = 1 + size(conditions[name]!);
      visiting.delete(name);
      sizes.set(name, s);
      return s;
    }
    return 1;
  };
  return size;
}

/**
 * Bounds the work an evaluation does for each rule: the condition nodes its checks visit, named conditions
 * written out (counted without writing them out: each named condition's size is computed once), against
 * MAX_EXPANDED_CONDITIONS per rule and MAX_EXPANDED_RULE_SET for the whole set.
 *
 * @param ruleSet - the parsed rule set (its named conditions and rules)
 * @param fileOf - the file of a rule id
 * @returns a problem for each rule above the limit, and one for the set
 */
export function expandedWorkProblems(ruleSet: Pick<RuleSet, "conditions" | "rules">, fileOf: (id: string) => string): RuleSetProblem[] {
  const size = namedSizes(ruleSet.conditions);
  const perRule = new Map<string, number>();
  for (const check of checksOfRuleSet(ruleSet as RuleSet)) {
    const ruleId = check.key.slice(0, check.key.lastIndexOf("#"));
    perRule.set(ruleId, (perRule.get(ruleId) ?? 0) + size(check.conditions));
  }
  const problems: RuleSetProblem[] = [];
  let total = 0;
  for (const [ruleId, n] of perRule) {
    total += n;
    if (n > MAX_EXPANDED_CONDITIONS) {
      problems.push({
        file: fileOf(ruleId),
        ruleId,
        path: "",
        message: `its conditions expand to ${n} nodes with the named conditions written out where they are used; at most ${MAX_EXPANDED_CONDITIONS}, so that no evaluation runs away`,
      });
    }
  }
  if (total > MAX_EXPANDED_RULE_SET) {
    problems.push({ file: "", ruleId: null, path: "", message: `the rules' conditions expand to ${total} nodes in all with the named conditions written out; at most ${MAX_EXPANDED_RULE_SET}` });
  }
  return problems;
}

/** The range of a number fact as the catalogue declares it; null when the fact is not a number. */
function rangeOf(ref: FactRef): { min: number; max: number; atMost: string | null } | null {
  const values = FACTS.get(ref.fact)?.values;
  if (values?.kind !== "number") return null;
  return { min: values.min ?? -Infinity, max: values.max ?? Infinity, atMost: values.atMost ?? null };
}

const sameParams = (a: FactRef, b: FactRef) => canonicalJson(a.params ?? {}) === canonicalJson(b.params ?? {});

/**
 * Why a fraction may leave 0..1 (and its points 0..of), from the ranges the fact catalogue declares; null
 * when it cannot. A denominator of 0 or less, or a value that is not a number, gives 0 points; otherwise
 * the numerator must be 0 or more and never above the denominator: declared so (`atMost` the denominator's
 * fact with the same params), or by ranges (the numerator's largest value at most the denominator's smallest).
 */
function fractionDoubt(p: Exclude<Points, number>): string | null {
  const { numerator, denominator } = p.fraction;
  const n = rangeOf(numerator);
  const d = rangeOf(denominator);
  // A fact that is not a number is reported by the loader's value checks.
  if (n === null || d === null) return null;
  if (n.min < 0) return `the numerator "${numerator.fact}" may be negative`;
  if (n.atMost === denominator.fact && sameParams(numerator, denominator)) return null;
  if (d.min > 0 && n.max <= d.min) return null;
  return `nothing shows the numerator "${numerator.fact}"${numerator.params ? ` ${canonicalJson(numerator.params)}` : ""} never exceeds the denominator "${denominator.fact}"${denominator.params ? ` ${canonicalJson(denominator.params)}` : ""}`;
}

/**
 * Proves every item's points stay within 0..its max: a whole number within it, or a fraction of at most
 * max whose value the fact catalogue shows to lie in 0..1. (The items of a dimension add up to its max,
 * which the loader checks, so no dimension can exceed its max either.)
 *
 * @param rules - the parsed rules
 * @param fileOf - the file of a rule id
 * @returns a problem for each fraction that could score above the item's max or below 0
 */
export function itemBoundProblems(rules: readonly Rule[], fileOf: (id: string) => string): RuleSetProblem[] {
  const problems: RuleSetProblem[] = [];
  for (const r of rules) {
    if (r.kind !== "item") continue;
    const all = [...r.cases.map((c, i) => ({ p: c.points, path: `cases.${i}.points` })), { p: r.otherwise, path: "otherwise" }];
    for (const { p, path } of all) {
      if (typeof p === "number") continue;
      const doubt = fractionDoubt(p);
      if (doubt !== null) {
        problems.push({
          file: fileOf(r.id),
          ruleId: r.id,
          path: `${path}.fraction`,
          message: `points of ${p.of} × numerator ÷ denominator could leave 0..${p.of} and exceed the item's max ${r.max}: ${doubt} (the fact catalogue declares which facts are bounded by which)`,
        });
      }
    }
  }
  return problems;
}
