import type { FactRef, Rule, RuleSet, TopLevelCondition } from "../rule-set/schema.js";

/** When a check is evaluated: `scoring` on the record's facts; `outcome` once score and grade are known. */
export type CheckStage = "scoring" | "outcome";

/** One condition tree to evaluate, named `<rule id>#<index>`; a rule holds one per case, part or trigger. */
export interface Check {
  key: string;
  stage: CheckStage;
  conditions: TopLevelCondition;
}

/** The key of a rule's n-th check. */
export function checkKey(ruleId: string, index: number): string {
  // The same string object each time: results look keys up for every organization.
  let keys = checkKeys.get(ruleId);
  if (!keys) checkKeys.set(ruleId, (keys = []));
  return (keys[index] ??= `${ruleId}#${index}`);
}
const checkKeys = new Map<string, string[]>();

/** A collection fact as a condition: at least one entry selected. */
export function hasAnyEntry(each: FactRef): TopLevelCondition {
  return { all: [{ fact: each.fact, ...(each.params ? { params: each.params } : {}), operator: "countAtLeast", value: 1 }] };
}

function checksOf(rule: Rule): Array<{ conditions: TopLevelCondition; stage: CheckStage }> {
  const scoring = (conditions: TopLevelCondition) => ({ conditions, stage: "scoring" as const });
  switch (rule.kind) {
    case "item":
      return rule.cases.map((c) => scoring(c.conditions));
    case "deduction": {
      const parts = [...(rule.each ? [hasAnyEntry(rule.each)] : []), ...(rule.conditions ? [rule.conditions] : [])];
      return [scoring(parts.length === 1 ? parts[0]! : { all: parts })];
    }
    case "bonus":
      return [scoring(hasAnyEntry(rule.each))];
    case "gate":
      return rule.parts.map((p) => scoring(p.conditions));
    case "measure":
      return rule.triggers.map((t) => ({ conditions: t.conditions, stage: "outcome" }));
    case "list-action":
      return rule.triggers.map((t) => ({ conditions: rule.when ? { all: [rule.when, t.conditions] } : t.conditions, stage: "outcome" }));
    default:
      return [scoring(rule.conditions)];
  }
}

/**
 * Every condition tree of a rule set, keyed by rule and position, with its stage. Both evaluators
 * (json-rules-engine and any other) evaluate exactly these.
 */
export function checksOfRuleSet(ruleSet: RuleSet): Check[] {
  return ruleSet.rules.flatMap((rule) => checksOf(rule).map((c, i) => ({ key: checkKey(rule.id, i), ...c })));
}

/** Evaluates the checks of one stage on a fact context and returns the keys of those that hold. */
export interface ConditionEvaluator {
  run(stage: CheckStage, ctx: import("../facts/context.js").FactContext): Promise<Set<string>>;
}
