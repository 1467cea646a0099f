/**
 * The rule sets this library built and checked itself (loaded from files, or rebuilt from an object given
 * to `createEvaluator`): frozen throughout, with a digest computed from their content. Any other object is
 * checked again before it is evaluated, so that a result's digest always stands for the rules it used.
 */
const checked = new WeakSet<object>();

/** Marks a rule set this library has checked, frozen and digested; returns it. */
export function markChecked<T extends object>(ruleSet: T): T {
  checked.add(ruleSet);
  return ruleSet;
}

/** Whether this library built and checked this very object. */
export function isChecked(ruleSet: unknown): boolean {
  return ruleSet !== null && typeof ruleSet === "object" && checked.has(ruleSet);
}
