import type { Condition, Rule, TopLevelCondition } from "./schema.js";

/** Every condition tree of a rule, with its path in the file. */
export function conditionsOf(rule: Rule): Array<{ conditions: TopLevelCondition; path: string }> {
  switch (rule.kind) {
    case "item":
      return rule.cases.map((c, i) => ({ conditions: c.conditions, path: `cases.${i}.conditions` }));
    case "deduction":
      return rule.conditions ? [{ conditions: rule.conditions, path: "conditions" }] : [];
    case "bonus":
      return [];
    case "gate":
      return rule.parts.map((p, i) => ({ conditions: p.conditions, path: `parts.${i}.conditions` }));
    case "measure":
    case "list-action": {
      const triggers = rule.triggers.map((t, i) => ({ conditions: t.conditions, path: `triggers.${i}.conditions` }));
      return rule.kind === "list-action" && rule.when ? [{ conditions: rule.when, path: "when" }, ...triggers] : triggers;
    }
    default:
      return [{ conditions: rule.conditions, path: "conditions" }];
  }
}

/** The names of the named conditions a condition tree refers to directly, in order, repeats included. */
export function namedConditionRefs(c: Condition): string[] {
  if ("all" in c) return c.all.flatMap(namedConditionRefs);
  if ("any" in c) return c.any.flatMap(namedConditionRefs);
  if ("not" in c) return namedConditionRefs(c.not);
  if ("condition" in c) return [c.condition];
  return [];
}
