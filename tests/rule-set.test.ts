import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RuleSetError, type RuleSetProblem } from "../src/errors.js";
import { loadRuleSet, ruleSetFromFiles } from "../src/rule-set/load.js";
import { REFERENCE_RULES_DIR } from "../src/rule-set/reference.js";
import { MAX_CONDITION_DEPTH } from "../src/rule-set/schema.js";
import { problemsOf, referenceFiles, type RuleFiles } from "./_lib/rule-files.js";





/** Asserts the files fail at load with a problem of that file and rule whose message matches. */
function expectProblem(files: RuleFiles, file: string, ruleId: string | null, message: RegExp): RuleSetProblem[] {
  const problems = problemsOf(files);
  expect(problems).toContainEqual(expect.objectContaining({ file, ruleId, message: expect.stringMatching(message) }));
  return problems;
}

/** Wraps a condition in `{ all: [...] }` the given number of times. */
function nestInAll(condition: unknown, times: number): unknown {
  let c = condition;
  for (let i = 0; i < times; i++) c = { all: [c] };
  return c;
}

describe("the reference rule set", () => {
  it("loads without problems", () => {
    const ruleSet = ruleSetFromFiles(referenceFiles());
    expect(ruleSet.id).toBe("quzhou-reference");
    const ruleFileCount = Object.keys(referenceFiles()).filter((f) => f !== "manifest.json" && f !== "conditions.json").length;
    expect(ruleSet.rules).toHaveLength(ruleFileCount);
    expect(Object.keys(ruleSet.conditions).sort()).toEqual(Object.keys(referenceFiles()["conditions.json"] as object).sort());
  });

  it("gives the same digest on two loads, from files and from the folder", () => {
    const first = ruleSetFromFiles(referenceFiles()).digest;
    expect(first).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(ruleSetFromFiles(referenceFiles()).digest).toBe(first);
    expect(loadRuleSet(REFERENCE_RULES_DIR).digest).toBe(first);
  });

  it("keeps the digest when only the key order of a rule file changes", () => {
    const files = referenceFiles();
    const x1 = files["X1.json"] as Record<string, unknown>;
    files["X1.json"] = Object.fromEntries(Object.entries(x1).reverse());
    expect(ruleSetFromFiles(files).digest).toBe(ruleSetFromFiles(referenceFiles()).digest);
  });

  it("changes the digest when one weight changes", () => {
    const files = referenceFiles();
    expect(files["X1.json"].points).toBe(-60);
    files["X1.json"].points = -50;
    expect(ruleSetFromFiles(files).digest).not.toBe(ruleSetFromFiles(referenceFiles()).digest);
  });
});

describe("rule files", () => {
  it("fails at load when a rule's points have the wrong type", () => {
    const files = referenceFiles();
    files["X1.json"].points = "-60";
    const problems = expectProblem(files, "X1.json", "X1", /expected number, received string/);
    expect(problems.find((p) => p.file === "X1.json")!.path).toBe("points");
  });

  it("fails at load when a rule names an unknown fact", () => {
    const files = referenceFiles();
    files["P2.json"].cases[0].conditions.all[0].fact = "party.coverrage";
    expectProblem(files, "P2.json", "P2", /unknown fact "party\.coverrage"/);
  });

  it("fails at load when a rule uses an unknown operator", () => {
    const files = referenceFiles();
    files["P2.json"].cases[0].conditions.all[0].operator = "within";
    // The message must say the operator is the trouble, not only that the condition is invalid.
    expectProblem(files, "P2.json", "P2", /operator|expected one of/i);
  });

  it("fails at load when a where field is one the collection's entries lack", () => {
    const files = referenceFiles();
    files["X1.json"].each.params.where = { severity: "warning" };
    expectProblem(files, "X1.json", "X1", /penalties entries have no field "severity"/);
  });

  it("fails at load when yearsBack is a string", () => {
    const files = referenceFiles();
    files["K3.json"].conditions.any[0].all[0].params.yearsBack = "0";
    expectProblem(files, "K3.json", "K3", /dueInspection.*expected number, received string/);
  });

  it("fails at load when a cap uses an outcome fact (grade)", () => {
    const files = referenceFiles();
    files["K3.json"].conditions.any[2].all[0] = { fact: "grade", operator: "equal", value: "E" };
    expectProblem(files, "K3.json", "K3", /"grade" is only known after scoring.*cap may not/);
  });

  it("fails at load when a cap reaches an outcome fact through a named condition", () => {
    const files = referenceFiles();
    files["conditions.json"].gradedVeryPoor = { all: [{ fact: "grade", operator: "equal", value: "E" }] };
    files["K3.json"].conditions.any.push({ condition: "gradedVeryPoor" });
    expectProblem(files, "K3.json", "K3", /"grade" is only known after scoring/);
  });

  it("fails at load when a rule's id differs from its file name", () => {
    const files = referenceFiles();
    files["P2.json"].id = "P2b";
    expectProblem(files, "P2.json", "P2b", /named after its id.*P2b\.json/);
  });

  it("fails at load when an item gives more points than its max", () => {
    const files = referenceFiles();
    files["P2.json"].cases[1].points = 50;
    expectProblem(files, "P2.json", "P2", /points 50 outside 0\.\.40/);
  });

  it("fails at load when each names a fact that is not a collection", () => {
    const files = referenceFiles();
    files["X1.json"].each = { fact: "unreachable" };
    expectProblem(files, "X1.json", "X1", /each needs a collection fact.*"unreachable"/);
  });

  it("fails at load when a basis names an unknown source", () => {
    const files = referenceFiles();
    files["P2.json"].basis = ["JS-2025", "QZ-2023"];
    expectProblem(files, "P2.json", "P2", /unknown source "JS-2025"/);
  });

  it("fails at load when a cap's atBest names an unknown level", () => {
    const files = referenceFiles();
    files["K3.json"].atBest = "F";
    expectProblem(files, "K3.json", "K3", /unknown level "F"/);
  });

  it("fails at load when an item names an unknown dimension", () => {
    const files = referenceFiles();
    files["P2.json"].dimension = "partyy";
    expectProblem(files, "P2.json", "P2", /unknown dimension "partyy"/);
  });
});

describe("conditions", () => {
  it("fails at load when a rule names a named condition that does not exist", () => {
    const files = referenceFiles();
    files["propose-abnormal-listing.json"].when.not.condition = "onEitherLists";
    expectProblem(files, "propose-abnormal-listing.json", "propose-abnormal-listing", /unknown named condition "onEitherLists"/);
  });

  it("fails at load when a named condition refers to one that does not exist", () => {
    const files = referenceFiles();
    files["conditions.json"].onEitherList.all.push({ condition: "onNoList" });
    expectProblem(files, "conditions.json", "onEitherList", /unknown named condition "onNoList"/);
  });

  it("fails at load when a named condition names an unknown fact", () => {
    const files = referenceFiles();
    files["conditions.json"].onEitherList.all[0].fact = "listingz";
    expectProblem(files, "conditions.json", "onEitherList", /unknown fact "listingz"/);
  });

  it("fails at load when named conditions refer to each other in a cycle", () => {
    const files = referenceFiles();
    files["conditions.json"].currentlyAbnormalListed.all.push({ condition: "onEitherList" });
    files["conditions.json"].onEitherList.all.push({ condition: "currentlyAbnormalListed" });
    const problems = problemsOf(files);
    const cycle = problems.find((p) => p.file === "conditions.json" && /cycle/.test(p.message));
    expect(cycle, JSON.stringify(problems)).toBeDefined();
    expect(["currentlyAbnormalListed", "onEitherList"]).toContain(cycle!.ruleId);
    expect(cycle!.message).toMatch(/currentlyAbnormalListed/);
    expect(cycle!.message).toMatch(/onEitherList/);
  });

  it(`accepts conditions nested exactly MAX_CONDITION_DEPTH (${MAX_CONDITION_DEPTH}) deep`, () => {
    const files = referenceFiles();
    // P2's first case is { all: [leaf] }, one level deep already.
    files["P2.json"].cases[0].conditions = nestInAll(files["P2.json"].cases[0].conditions, MAX_CONDITION_DEPTH - 1);
    expect(() => ruleSetFromFiles(files)).not.toThrow();
  });

  it("fails at load when conditions are nested deeper than MAX_CONDITION_DEPTH", () => {
    const files = referenceFiles();
    files["P2.json"].cases[0].conditions = nestInAll(files["P2.json"].cases[0].conditions, MAX_CONDITION_DEPTH);
    expectProblem(files, "P2.json", "P2", new RegExp(`nested ${MAX_CONDITION_DEPTH + 1} deep; at most ${MAX_CONDITION_DEPTH}`));
  });

  it("fails at load when a condition uses path (JSONPath is refused)", () => {
    const files = referenceFiles();
    files["P2.json"].cases[0].conditions.all[0].path = "$.own";
    expectProblem(files, "P2.json", "P2", /"path"/);
  });
});

describe("the manifest", () => {
  it("fails at load when a listed rule has no file", () => {
    const files = referenceFiles();
    files["manifest.json"].rules.deductions.push("X13");
    expectProblem(files, "manifest.json", "X13", /listed but there is no file X13\.json/);
  });

  it("fails at load when a rule file is not listed in the manifest", () => {
    const files = referenceFiles();
    files["X13.json"] = { ...files["X1.json"], id: "X13" };
    expectProblem(files, "X13.json", "X13", /not listed in the manifest/);
  });

  it("fails at load when a rule is listed twice", () => {
    const files = referenceFiles();
    files["manifest.json"].rules.deductions.push("X1");
    expectProblem(files, "manifest.json", "X1", /listed twice/);
  });

  it("fails at load when a rule is listed under the wrong kind", () => {
    const files = referenceFiles();
    const rules = files["manifest.json"].rules;
    rules.caps = rules.caps.filter((id: string) => id !== "K3");
    rules.vetoes.push("K3");
    expectProblem(files, "K3.json", "K3", /listed under vetoes.*kind must be "veto".*found "cap"/);
  });

  it("fails at load when the items of a dimension do not add up to its max", () => {
    const files = referenceFiles();
    // Raise P2's max and its best case together, so that only the dimension's sum is wrong.
    files["P2.json"].max = 45;
    files["P2.json"].cases[0].points = 45;
    const problems = problemsOf(files);
    expect(problems).toEqual([
      expect.objectContaining({ file: "manifest.json", ruleId: null, message: expect.stringMatching(/items of dimension party add up to 105, expected its max 100/) }),
    ]);
  });

  it("fails at load when the dimension maxima do not add up to maxScore", () => {
    const files = referenceFiles();
    files["manifest.json"].maxScore = 1100;
    expectProblem(files, "manifest.json", null, /dimension maxima add up to 1000, expected maxScore 1100/);
  });

  it("fails at load when two levels overlap", () => {
    const files = referenceFiles();
    files["manifest.json"].levels[1].minScore = 900;
    expectProblem(files, "manifest.json", null, /B \(900\) overlaps A \(900\)/);
  });

  it("fails at load when the last level does not start at 0", () => {
    const files = referenceFiles();
    files["manifest.json"].levels.at(-1).minScore = 100;
    expectProblem(files, "manifest.json", null, /last level must start at 0/);
  });

  it("fails at load when the gate guards the lowest level", () => {
    const files = referenceFiles();
    files["GATE.json"].level = "E";
    expectProblem(files, "GATE.json", "GATE", /gate must guard a level that has one below it.*"E"/);
  });
});

describe("loading from a folder", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "social-org-credit-rules-"));
    for (const [name, json] of Object.entries(referenceFiles())) writeFileSync(join(dir, name), JSON.stringify(json, null, 2));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("loads a faithful copy with the reference digest", () => {
    expect(loadRuleSet(dir).digest).toBe(loadRuleSet(REFERENCE_RULES_DIR).digest);
  });

  it("fails at load when a file in the folder is not JSON", () => {
    writeFileSync(join(dir, "P2.json"), '{ "id": "P2", "kind": ');
    let thrown: unknown;
    try {
      loadRuleSet(dir);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(RuleSetError);
    expect((thrown as RuleSetError).problems).toContainEqual(
      expect.objectContaining({ file: "P2.json", ruleId: null, message: expect.stringMatching(/not a readable JSON file/) }),
    );
  });
});
