import { describe, expect, it } from "vitest";
import type { RuleSetProblem } from "../src/errors.js";
import { problemsOf, referenceFiles, type RuleFiles } from "./_lib/rule-files.js";

// The load-time checks of issue 5 that tests/rule-set.test.ts does not already cover, each on a copy of
// the reference rules broken on purpose. Rule files are untyped JSON here: each test breaks them.



/** Asserts a problem of that file, rule and path whose message matches; returns all problems. */
function expectProblem(files: RuleFiles, problem: { file: string; ruleId: string | null; path?: string; message: RegExp }): RuleSetProblem[] {
  const problems = problemsOf(files);
  const { message, ...where } = problem;
  expect(problems).toContainEqual(expect.objectContaining({ ...where, message: expect.stringMatching(message) }));
  return problems;
}

describe("labels", () => {
  it("fails at load when a rule has no English label", () => {
    const files = referenceFiles();
    delete files["X1.json"].label.en;
    expectProblem(files, { file: "X1.json", ruleId: "X1", path: "label.en", message: /expected string, received undefined/ });
  });

  it("fails at load when a rule's Chinese label is empty", () => {
    const files = referenceFiles();
    files["K1.json"].label.zh = "";
    expectProblem(files, { file: "K1.json", ruleId: "K1", path: "label.zh", message: /at least 1|>=1/ });
  });

  it("fails at load when a level of the manifest has no Chinese label", () => {
    const files = referenceFiles();
    delete files["manifest.json"].levels[2].label.zh;
    expectProblem(files, { file: "manifest.json", ruleId: null, path: "levels.2.label.zh", message: /expected string/ });
  });
});

describe("ids", () => {
  it("fails at load when two rule files carry the same id", () => {
    const files = referenceFiles();
    files["X1-copy.json"] = structuredClone(files["X1.json"]);
    const problems = expectProblem(files, { file: "X1.json", ruleId: "X1", path: "id", message: /id X1 is also used by X1-copy\.json/ });
    expect(problems).toContainEqual(expect.objectContaining({ file: "X1-copy.json", message: expect.stringMatching(/named after its id: expected X1\.json/) }));
  });
});

describe("levels", () => {
  it("fails at load when the best level starts above maxScore (no score could reach it)", () => {
    const files = referenceFiles();
    files["manifest.json"].levels[0].minScore = 1001;
    expectProblem(files, { file: "manifest.json", ruleId: null, path: "levels.0.minScore", message: /minScore 1001 above maxScore 1000/ });
  });

  it("fails at load when effectiveFrom is not a real calendar date", () => {
    const files = referenceFiles();
    files["manifest.json"].effectiveFrom = "2026-02-30";
    expectProblem(files, { file: "manifest.json", ruleId: null, path: "effectiveFrom", message: /real calendar date.*"2026-02-30"/ });
  });
});

describe("what a rule names exists", () => {
  it("fails at load when the manifest lists a measure with no file", () => {
    const files = referenceFiles();
    files["manifest.json"].rules.measures.push("priority-housing");
    expectProblem(files, { file: "manifest.json", ruleId: "priority-housing", message: /listed but there is no file priority-housing\.json/ });
  });

  it("fails at load when the manifest lists a list action with no file", () => {
    const files = referenceFiles();
    files["manifest.json"].rules.listActions.push("propose-watch-listing");
    expectProblem(files, { file: "manifest.json", ruleId: "propose-watch-listing", message: /listed but there is no file propose-watch-listing\.json/ });
  });

  it("fails at load when a measure tests for a cap that does not exist (held contains K9)", () => {
    const files = referenceFiles();
    files["exclude-grade-evaluation.json"].triggers[4].conditions.all[0].value = "K9";
    expectProblem(files, {
      file: "exclude-grade-evaluation.json",
      ruleId: "exclude-grade-evaluation",
      path: "triggers.4.conditions.all.0",
      message: /"K9" is none of them.*K1, K2/,
    });
  });

  it("fails at load when a measure tests for a level that does not exist (grade equal F)", () => {
    const files = referenceFiles();
    files["exclude-grade-evaluation.json"].triggers[1].conditions.all[0].value = "F";
    expectProblem(files, {
      file: "exclude-grade-evaluation.json",
      ruleId: "exclude-grade-evaluation",
      path: "triggers.1.conditions.all.0",
      message: /"F" is not one of the manifest's levels A, B, C, D, E/,
    });
  });
});

describe("compared values", () => {
  it("fails at load when a rule compares an enumerated field with a value it never takes (a typo)", () => {
    const files = referenceFiles();
    files["P2.json"].cases[1].conditions.all[0].value = "instuctor";
    expectProblem(files, { file: "P2.json", ruleId: "P2", path: "cases.1.conditions.all.0", message: /"party\.coverage" is never "instuctor"; it is one of "own", "joint", "instructor", "none"/ });
  });

  it('fails at load when a boolean is written as the string "true"', () => {
    const files = referenceFiles();
    files["K3.json"].conditions.any[2].all[0].value = "true";
    expectProblem(files, { file: "K3.json", ruleId: "K3", path: "conditions.any.2.all.0", message: /"unreachable" is never "true"; it is one of true, false/ });
  });

  it("fails at load when a number is compared with a string", () => {
    const files = referenceFiles();
    files["A4.json"].cases[1].conditions.all[0].value = "90";
    expectProblem(files, { file: "A4.json", ruleId: "A4", message: /"satisfactionPercent" is a number or null; "90" can never match/ });
  });

  it("fails at load when countAtLeast is used on a fact that is not a collection", () => {
    const files = referenceFiles();
    files["K3.json"].conditions.any[2].all[0].operator = "countAtLeast";
    expectProblem(files, { file: "K3.json", ruleId: "K3", message: /operator "countAtLeast" cannot apply to fact "unreachable"/ });
  });

  it("fails at load when a collection is compared with equal instead of counted", () => {
    const files = referenceFiles();
    files["C2.json"].cases[0].conditions.all[0].operator = "equal";
    expectProblem(files, { file: "C2.json", ruleId: "C2", message: /operator "equal" cannot apply to fact "complaints", which is a collection.*countAtLeast, countAtMost/ });
  });

  it("fails at load when a count is not a whole number", () => {
    const files = referenceFiles();
    files["C2.json"].cases[1].conditions.all[0].value = 1.5;
    expectProblem(files, { file: "C2.json", ruleId: "C2", message: /whole number 0 or more; found 1\.5/ });
  });

  it("fails at load when in is given a single value instead of a list", () => {
    const files = referenceFiles();
    files["P2.json"].cases[0].conditions.all[0].value = "own";
    expectProblem(files, { file: "P2.json", ruleId: "P2", message: /operator "in" needs a list as its value; found "own"/ });
  });

  it("fails at load when a where test names a kind the collection never has (a typo)", () => {
    const files = referenceFiles();
    files["X1.json"].each.params.where.kind = "warnig";
    expectProblem(files, { file: "X1.json", ruleId: "X1", path: "each.params.where.kind", message: /penalties entries' kind is never "warnig"; it is one of "warning", "fine"/ });
  });

  it("fails at load when a fraction's numerator is not a number fact", () => {
    const files = referenceFiles();
    const r2 = files["R2.json"];
    const fraction = r2.otherwise.fraction;
    fraction.numerator = { fact: "unreachable" };
    expectProblem(files, { file: "R2.json", ruleId: "R2", path: "otherwise.fraction.numerator", message: /fraction divides numbers; fact "unreachable" is not a number/ });
  });

  it("checks named conditions too", () => {
    const files = referenceFiles();
    files["conditions.json"].currentlyAbnormalListed.all[0].params.where.list = "abnormall";
    expectProblem(files, { file: "conditions.json", ruleId: "currentlyAbnormalListed", message: /listings entries' list is never "abnormall"/ });
  });
});
