import { RuleSetError, type RuleSetProblem } from "../errors.js";
import { factAccessor } from "../facts/catalogue.js";
import type { FactContext } from "../facts/context.js";
import type { RuleSet } from "../rule-set/schema.js";
import { checksOfRuleSet, type CheckStage, type ConditionEvaluator } from "./checks.js";
import { createConditionCompiler, type Verdict } from "./compile-condition.js";
import { COUNT_OPERATORS } from "./reference-engine.js";

/** A condition evaluator that can also answer synchronously, so that a batch need not await per record. */
export interface SyncConditionEvaluator extends ConditionEvaluator {
  runSync(stage: CheckStage, ctx: FactContext): Set<string>;
}

/**
 * The compiled evaluator: every check of the rule set compiled once, at creation, into synchronous
 * closures over the same facts and with json-rules-engine's semantics (`compile-condition.ts`).
 *
 * @param ruleSet - a rule set (from `loadRuleSet`, or the same data received by a worker)
 * @returns an evaluator of the rule set's checks, with `runSync`
 * @throws RuleSetError naming every check the compiler cannot compile (unsupported operator, unknown fact…)
 * @example
 * const checks = createCompiledEvaluator(referenceRuleSet);
 * const fired = checks.runSync("scoring", createFactContext(record, "2023-05-31"));
 */
export function createCompiledEvaluator(ruleSet: RuleSet): SyncConditionEvaluator {
  const compiler = createConditionCompiler<FactContext>({
    named: ruleSet.conditions,
    extraOperators: COUNT_OPERATORS,
    fact: (name, params) => factAccessor(name, params),
  });
  const stages: Record<CheckStage, Array<{ key: string; holds: Verdict<FactContext> }>> = { scoring: [], outcome: [] };
  const problems: RuleSetProblem[] = [];
  for (const check of checksOfRuleSet(ruleSet)) {
    const before = compiler.problems.length;
    stages[check.stage].push({ key: check.key, holds: compiler.compile(check.conditions) });
    const ruleId = check.key.slice(0, check.key.lastIndexOf("#"));
    for (const p of compiler.problems.slice(before)) {
      // A problem inside a named condition belongs to conditions.json, whichever check reached it first.
      const named = /^@([^.]+)\.?(.*)$/.exec(p.path);
      problems.push(
        named
          ? { file: "conditions.json", ruleId: named[1]!, path: named[2]!, message: p.message }
          : { file: `${ruleId}.json`, ruleId, path: `check ${check.key}${p.path ? ` ${p.path}` : ""}`, message: p.message },
      );
    }
  }
  if (problems.length > 0) throw new RuleSetError(problems);

  const runSync = (stage: CheckStage, ctx: FactContext): Set<string> => {
    const fired = new Set<string>();
    const checks = stages[stage];
    for (let i = 0; i < checks.length; i++) {
      const check = checks[i]!;
      if (check.holds(ctx)) fired.add(check.key);
    }
    return fired;
  };
  return { runSync, run: async (stage, ctx) => runSync(stage, ctx) };
}
