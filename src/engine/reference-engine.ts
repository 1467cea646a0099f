import { Engine } from "json-rules-engine";
import { RuleSetError } from "../errors.js";
import { FACTS, factValue } from "../facts/catalogue.js";
import type { FactContext } from "../facts/context.js";
import type { RuleSet } from "../rule-set/schema.js";
import { checksOfRuleSet, type CheckStage, type ConditionEvaluator } from "./checks.js";

/** The runtime fact that carries the fact context; not a fact name rules may use (the loader refuses it). */
const CONTEXT_FACT = "__context";

/** The operators this library adds to json-rules-engine's: counts of the entries a collection fact returns. */
export const COUNT_OPERATORS: Record<string, (factValue: unknown, n: unknown) => boolean> = {
  countAtLeast: (a, n) => Array.isArray(a) && typeof n === "number" && a.length >= n,
  countAtMost: (a, n) => Array.isArray(a) && typeof n === "number" && a.length <= n,
};

function refusePath(_value: unknown, path: string): never {
  throw new RuleSetError([{ file: "", ruleId: null, path: "", message: `a condition has path ${JSON.stringify(path.slice(0, 64))}: JSONPath is not allowed` }]);
}

function buildEngine(ruleSet: RuleSet, stage: CheckStage): Engine {
  const engine = new Engine([], {
    allowUndefinedFacts: false,
    allowUndefinedConditions: false,
    replaceFactsInEventParams: false,
    // The loader refuses `path`; should a hand-made rule set carry one anyway, no JSONPath runs on it.
    pathResolver: refusePath,
  });
  for (const [name, op] of Object.entries(COUNT_OPERATORS)) engine.addOperator(name, op);
  for (const name of FACTS.keys()) {
    engine.addFact(name, async (params, almanac) => {
      const ctx = await almanac.factValue<FactContext>(CONTEXT_FACT);
      return factValue(ctx, name, Object.keys(params ?? {}).length > 0 ? params : undefined);
    });
  }
  for (const [name, conditions] of Object.entries(ruleSet.conditions)) {
    engine.setCondition(name, conditions as never);
  }
  for (const check of checksOfRuleSet(ruleSet)) {
    if (check.stage !== stage) continue;
    engine.addRule({ name: check.key, conditions: check.conditions as never, event: { type: "holds", params: { key: check.key } } });
  }
  return engine;
}

/**
 * The reference evaluator: the rule set's conditions run by json-rules-engine, one Engine per stage,
 * built once and reused (each run has its own almanac).
 *
 * @param ruleSet - a checked rule set
 * @returns an evaluator of the rule set's checks
 */
export function createReferenceEvaluator(ruleSet: RuleSet): ConditionEvaluator {
  const engines: Record<CheckStage, Engine> = { scoring: buildEngine(ruleSet, "scoring"), outcome: buildEngine(ruleSet, "outcome") };
  return {
    async run(stage, ctx) {
      const { events } = await engines[stage].run({ [CONTEXT_FACT]: ctx });
      return new Set(events.map((e) => String(e.params!.key)));
    },
  };
}
