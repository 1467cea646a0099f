import { expect } from "vitest";
import { RuleSetError, ruleSetFromFiles, type RuleSetProblem } from "../../src/index.js";
import { readRuleFiles } from "../../src/rule-set/load.js";
import { REFERENCE_RULES_DIR } from "../../src/rule-set/reference.js";

// Rule files are untyped JSON in tests on purpose: each test breaks them in a way the types would forbid.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type RuleFiles = Record<string, any>;

const reference: Record<string, unknown> = readRuleFiles(REFERENCE_RULES_DIR);

/** A fresh deep copy of the reference rule files, safe to break. */
export function referenceFiles(): RuleFiles {
  return structuredClone(reference) as RuleFiles;
}

/** The problems a rule set is refused with; fails the test when it loads or throws anything but a RuleSetError. */
export function problemsOf(files: RuleFiles): RuleSetProblem[] {
  let thrown: unknown;
  try {
    ruleSetFromFiles(files);
  } catch (error) {
    thrown = error;
  }
  expect(thrown, "the rule set should fail at load with a RuleSetError").toBeInstanceOf(RuleSetError);
  return (thrown as RuleSetError).problems;
}
