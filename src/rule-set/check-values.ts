import { isIsoDate } from "../_lib/dates.js";
import type { RuleSetProblem } from "../errors.js";
import { FACTS } from "../facts/catalogue.js";
import type { FactValues } from "../facts/values.js";
import { conditionsOf } from "./walk.js";
import { RULE_LISTS, type Condition, type LeafCondition, type Manifest, type Points, type Rule, type TopLevelCondition } from "./schema.js";

/** The operators that make sense for each kind of fact value. */
const OPERATORS_FOR: Record<FactValues["kind"], readonly string[]> = {
  oneOf: ["equal", "notEqual", "in", "notIn"],
  number: ["equal", "notEqual", "in", "notIn", "lessThan", "lessThanInclusive", "greaterThan", "greaterThanInclusive"],
  entries: ["countAtLeast", "countAtMost"],
  level: ["equal", "notEqual", "in", "notIn"],
  heldIds: ["contains", "doesNotContain"],
  any: [],
};

const LIST_OPERATORS = new Set(["in", "notIn"]);

function* leaves(c: Condition, path: string): Generator<{ leaf: LeafCondition; path: string }> {
  if ("all" in c) for (const [i, x] of c.all.entries()) yield* leaves(x, `${path}.all.${i}`);
  else if ("any" in c) for (const [i, x] of c.any.entries()) yield* leaves(x, `${path}.any.${i}`);
  else if ("not" in c) yield* leaves(c.not, `${path}.not`);
  else if ("fact" in c) yield { leaf: c, path };
}


const show = (v: unknown) => JSON.stringify(v);

/** What is wrong with one comparison, given the values its fact takes; empty when it can hold. */
function leafProblems(leaf: LeafCondition, values: FactValues, ids: { levels: string[]; held: string[] }): string[] {
  const { fact, operator, value } = leaf;
  if (values.kind === "any") return [];
  const allowed = OPERATORS_FOR[values.kind];
  if (!allowed.includes(operator)) {
    const what = values.kind === "entries" ? "a collection (its entries are counted)" : values.kind === "heldIds" ? "a list of ids" : values.kind === "number" ? "a number" : "a single value";
    return [`operator "${operator}" cannot apply to fact "${fact}", which is ${what}; use ${allowed.join(", ")}`];
  }
  if (LIST_OPERATORS.has(operator) !== Array.isArray(value)) {
    return [LIST_OPERATORS.has(operator) ? `operator "${operator}" needs a list as its value; found ${show(value)}` : `operator "${operator}" compares one value; found the list ${show(value)}`];
  }
  const compared = Array.isArray(value) ? value : [value];
  switch (values.kind) {
    case "entries":
      return Number.isInteger(value) && (value as number) >= 0 ? [] : [`${operator} counts entries: its value must be a whole number 0 or more; found ${show(value)}`];
    case "number": {
      const nullOk = values.nullable && (operator === "equal" || operator === "notEqual" || LIST_OPERATORS.has(operator));
      return compared.filter((v) => !(typeof v === "number" || (v === null && nullOk))).map((v) => `fact "${fact}" is a number${values.nullable ? " or null" : ""}; ${show(v)} can never match`);
    }
    case "oneOf":
      return compared.filter((v) => !values.values.includes(v as string)).map((v) => `fact "${fact}" is never ${show(v)}; it is one of ${values.values.map(show).join(", ")}`);
    case "level":
      return compared.filter((v) => !ids.levels.includes(v as string)).map((v) => `fact "${fact}" is a level; ${show(v)} is not one of the manifest's levels ${ids.levels.join(", ")}`);
    case "heldIds":
      return compared
        .filter((v) => !ids.held.includes(v as string))
        .map((v) => `fact "${fact}" lists the caps, vetoes, causes and gate that hold; ${show(v)} is none of them (the manifest names ${ids.held.join(", ")})`);
  }
}

/**
 * Checks every comparison of every rule and named condition against the values its fact takes: the
 * operator suits the fact, and each compared value is one the fact can take (a level of the manifest, the
 * id of a cap, veto, cause or gate, a value of the record's enumeration). Also checks fraction points use
 * number facts and that effectiveFrom is a real date.
 *
 * @param manifest - the parsed manifest
 * @param conditions - the named conditions
 * @param rules - the parsed rules
 * @param fileOf - the file of a rule id
 * @returns every problem found
 */
export function checkComparedValues(
  manifest: Manifest,
  conditions: Record<string, TopLevelCondition>,
  rules: Rule[],
  fileOf: (id: string) => string,
): RuleSetProblem[] {
  const problems: RuleSetProblem[] = [];
  if (!isIsoDate(manifest.effectiveFrom)) {
    problems.push({ file: "manifest.json", ruleId: null, path: "effectiveFrom", message: `effectiveFrom must be a real calendar date YYYY-MM-DD; found "${manifest.effectiveFrom}"` });
  }
  const held = (["caps", "vetoes", "causes", "gate"] as const satisfies ReadonlyArray<keyof typeof RULE_LISTS>).flatMap((k) => manifest.rules[k]);
  const ids = { levels: manifest.levels.map((l) => l.id), held };
  const check = (file: string, ruleId: string, tree: Condition, at: string) => {
    for (const { leaf, path } of leaves(tree, at)) {
      const def = FACTS.get(leaf.fact);
      // An unknown fact is reported by the loader's fact check.
      if (!def) continue;
      for (const message of leafProblems(leaf, def.values, ids)) problems.push({ file, ruleId, path, message });
    }
  };
  for (const rule of rules) {
    for (const { conditions: tree, path } of conditionsOf(rule)) check(fileOf(rule.id), rule.id, tree, path);
    if (rule.kind === "item") {
      const points: Array<{ p: Points; path: string }> = [...rule.cases.map((c, i) => ({ p: c.points, path: `cases.${i}.points` })), { p: rule.otherwise, path: "otherwise" }];
      for (const { p, path } of points) {
        if (typeof p === "number") continue;
        for (const [part, ref] of Object.entries(p.fraction)) {
          const def = FACTS.get(ref.fact);
          if (def && def.values.kind !== "number") {
            problems.push({ file: fileOf(rule.id), ruleId: rule.id, path: `${path}.fraction.${part}`, message: `a fraction divides numbers; fact "${ref.fact}" is not a number` });
          }
        }
      }
    }
  }
  for (const [name, tree] of Object.entries(conditions)) check("conditions.json", name, tree, "");
  return problems.map((p) => ({ ...p, path: p.path.replace(/^\./, "") }));
}
