import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canonicalJson } from "../src/_lib/canonical.js";
import { createEvaluator, evaluate, loadRuleSet, NoRuleSetInForceError, referenceRuleSet, RuleSetError, ruleSetVersionOn } from "../src/index.js";
import { REFERENCE_RULES_DIR } from "../src/rule-set/reference.js";
import { boundaryRecord, organizationFixtures } from "./_lib/fixtures.js";

const EXAMPLE_DIR = join(import.meta.dirname, "..", "rules", "quzhou-versions-example");
const example = loadRuleSet(EXAMPLE_DIR);
const clean = organizationFixtures().find((f) => f.file.startsWith("01-"))!;


const points = (r: Awaited<ReturnType<typeof evaluate>>, id: string) =>
  [...r.items, ...r.deductions, ...r.bonuses].filter((x) => x.id === id).reduce((s, x) => s + x.points, 0);

describe("the example folder of versions (rules/quzhou-versions-example)", () => {
  it("loads as two versions of quzhou-reference, oldest first, the latest on top", () => {
    expect(example.versions!.map((v) => [v.id, v.version, v.effectiveFrom])).toEqual([
      ["quzhou-reference", "2023.1", "2023-01-01"],
      ["quzhou-reference", "2026.1", "2026-01-01"],
    ]);
    expect(example.version).toBe("2026.1");
  });

  it("holds as 2023.1 an exact copy of the reference rule set (same digest)", () => {
    expect(example.versions![0]!.digest).toBe(referenceRuleSet.digest);
  });

  it("changes, in 2026.1, only the manifest and the four documented rules", () => {
    const a = join(EXAMPLE_DIR, "2023.1");
    const b = join(EXAMPLE_DIR, "2026.1");
    expect(readdirSync(b).sort()).toEqual(readdirSync(a).sort());
    const changed = readdirSync(a).filter((f) => readFileSync(join(a, f), "utf8") !== readFileSync(join(b, f), "utf8"));
    expect(changed.sort()).toEqual(["A3.json", "A4.json", "B7.json", "X1.json", "manifest.json"]);
  });
});

describe("the version in force on asOf", () => {
  it("is 2023.1 on 2025-12-31, the day before 2026.1 takes effect", () => {
    expect(ruleSetVersionOn(example, "2025-12-31").version).toBe("2023.1");
  });

  it("is 2026.1 on 2026-01-01, the day it takes effect", () => {
    expect(ruleSetVersionOn(example, "2026-01-01").version).toBe("2026.1");
  });

  it("is 2023.1 on 2023-01-01, the day the earliest version takes effect", () => {
    expect(ruleSetVersionOn(example, "2023-01-01").version).toBe("2023.1");
  });

  it("does not exist on 2022-12-31: the error names the earliest effectiveFrom", () => {
    let thrown: unknown;
    try {
      ruleSetVersionOn(example, "2022-12-31");
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(NoRuleSetInForceError);
    expect((thrown as NoRuleSetInForceError).code).toBe("no_rule_set_in_force");
    expect((thrown as NoRuleSetInForceError).earliestEffectiveFrom).toBe("2023-01-01");
    expect((thrown as Error).message).toMatch(/2022-12-31.*2023\.1.*takes effect on 2023-01-01/);
  });

  it("is the rule set itself for a single version, whatever the asOf (as before versions existed)", () => {
    expect(ruleSetVersionOn(referenceRuleSet, "2012-04-10")).toBe(referenceRuleSet);
  });
});

describe("evaluating with a folder of versions", () => {
  it("scores 2025-12-31 with 2023.1 and 2026-01-01 with 2026.1, and each result names its version", async () => {
    const before = await evaluate(boundaryRecord, { asOf: "2025-12-31", ruleSet: example });
    const after = await evaluate(boundaryRecord, { asOf: "2026-01-01", ruleSet: example });
    expect(before.ruleSet).toEqual({ id: "quzhou-reference", version: "2023.1", digest: example.versions![0]!.digest });
    expect(after.ruleSet).toEqual({ id: "quzhou-reference", version: "2026.1", digest: example.versions![1]!.digest });
    // By hand: A3 3 public-welfare activities 40 -> 50, A4 92 % 30 -> 20, X1 one warning -60 -> -80, B7 +5 -> +10.
    expect([points(before, "A3"), points(before, "A4"), points(before, "X1"), points(before, "B7")]).toEqual([40, 30, -60, 5]);
    expect([points(after, "A3"), points(after, "A4"), points(after, "X1"), points(after, "B7")]).toEqual([50, 20, -80, 10]);
    // Base 925 on both days (party 100, registration 200, governance 200, activity 200, E1 4A 135, credit 0 + 40 + 50);
    // 925 - 60 + (20 + 5) = 890 before, 925 - 80 + (20 + 10) = 875 after.
    expect(before.baseScore).toBe(925);
    expect(after.baseScore).toBe(925);
    expect(before.score).toBe(890);
    expect(after.score).toBe(875);
  });

  it("gives on 2025-12-31 the very result of the reference rule set (byte for byte)", async () => {
    const viaVersions = await evaluate(boundaryRecord, { asOf: "2025-12-31", ruleSet: example });
    const viaReference = await evaluate(boundaryRecord, { asOf: "2025-12-31" });
    expect(canonicalJson(viaVersions)).toBe(canonicalJson(viaReference));
  });

  it("refuses an asOf before every version with NoRuleSetInForceError, in evaluate and evaluateMany", async () => {
    const evaluator = createEvaluator(example);
    await expect(evaluator.evaluate(clean.record, { asOf: "2022-12-31" })).rejects.toBeInstanceOf(NoRuleSetInForceError);
    await expect(evaluator.evaluateMany([clean.record], { asOf: "2022-12-31" })).rejects.toBeInstanceOf(NoRuleSetInForceError);
    await expect(evaluator.evaluate(clean.record, { asOf: "2023-01-01" })).resolves.toMatchObject({ ruleSet: { version: "2023.1" } });
  });

  it("keeps the result of every fixture dated in 2023-2025, and refuses the three dated in 2022", async () => {
    const evaluator = createEvaluator(example);
    const fixtures = organizationFixtures();
    const early = fixtures.filter((f) => f.asOf < "2023-01-01").map((f) => f.file.slice(0, 2));
    expect(early.sort()).toEqual(["09", "14", "21"]);
    for (const f of fixtures) {
      expect(f.asOf < "2026-01-01", f.file).toBe(true);
      if (f.asOf < "2023-01-01") {
        await expect(evaluator.evaluate(f.record, { asOf: f.asOf }), f.file).rejects.toBeInstanceOf(NoRuleSetInForceError);
        continue;
      }
      const a = await evaluator.evaluate(f.record, { asOf: f.asOf });
      const b = await evaluate(f.record, { asOf: f.asOf });
      expect(canonicalJson(a), f.file).toBe(canonicalJson(b));
    }
  });
});

describe("loading a folder of versions", () => {
  let tmp: string;
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), "social-org-credit-versions-"));
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  /** A copy of the example folder, changed by `edit`, and the problems it is refused with. */
  function problemsOf(name: string, edit: (dir: string) => void) {
    const dir = join(tmp, name);
    cpSync(EXAMPLE_DIR, dir, { recursive: true });
    edit(dir);
    let thrown: unknown;
    try {
      loadRuleSet(dir);
    } catch (error) {
      thrown = error;
    }
    expect(thrown, "the folder should fail at load").toBeInstanceOf(RuleSetError);
    return (thrown as RuleSetError).problems;
  }
  const editJson = (path: string, edit: (json: any) => void) => {
    const json = JSON.parse(readFileSync(path, "utf8"));
    edit(json);
    writeFileSync(path, JSON.stringify(json, null, 2));
  };

  it("names a broken file by its version folder", () => {
    const problems = problemsOf("broken-rule", (dir) => editJson(join(dir, "2026.1", "X1.json"), (x1) => (x1.points = "-80")));
    expect(problems).toContainEqual(expect.objectContaining({ file: "2026.1/X1.json", ruleId: "X1", path: "points" }));
  });

  it("fails when a version folder is not named after its version (a copy whose manifest was not updated)", () => {
    const problems = problemsOf("unrenamed", (dir) => cpSync(join(dir, "2023.1"), join(dir, "2027.1"), { recursive: true }));
    expect(problems).toContainEqual(expect.objectContaining({ file: "2027.1/manifest.json", path: "version", message: expect.stringMatching(/folder 2027\.1 holds version "2023\.1"/) }));
    expect(problems).toContainEqual(expect.objectContaining({ file: "2027.1/manifest.json", path: "effectiveFrom", message: expect.stringMatching(/2023\.1 and 2027\.1 both take effect on 2023-01-01/) }));
  });

  it("fails when two versions carry different rule-set ids", () => {
    const problems = problemsOf("other-id", (dir) => editJson(join(dir, "2026.1", "manifest.json"), (m) => (m.id = "quzhou-2026")));
    expect(problems).toContainEqual(expect.objectContaining({ file: "2026.1/manifest.json", path: "id", message: expect.stringMatching(/same id: found "quzhou-2026"/) }));
  });

  it("fails when the folder holds both a version's files and version folders", () => {
    const problems = problemsOf("mixed", (dir) => cpSync(join(REFERENCE_RULES_DIR, "manifest.json"), join(dir, "manifest.json")));
    expect(problems).toContainEqual(expect.objectContaining({ file: "manifest.json", message: expect.stringMatching(/also version folders \(2023\.1, 2026\.1\)/) }));
  });

  // Issue 10, class 6: a version folder without its manifest, or a rule file at the top, is not dropped unsaid.
  it.each([
    ["renamed-manifest", (dir: string) => renameSync(join(dir, "2026.1", "manifest.json"), join(dir, "2026.1", "manifest.json.bak")), "2026.1/"],
    ["capital-manifest", (dir: string) => renameSync(join(dir, "2026.1", "manifest.json"), join(dir, "2026.1", "Manifest.json")), "2026.1/"],
    ["empty-folder", (dir: string) => mkdirSync(join(dir, "2027.1")), "2027.1/"],
    ["one-level-deep", (dir: string) => cpSync(join(dir, "2026.1"), join(dir, "2028.1", "inner"), { recursive: true }), "2028.1/"],
  ])("refuses a folder of versions with a folder without manifest.json (%s), naming it", (name, edit, file) => {
    const problems = problemsOf(name, edit);
    expect(problems).toContainEqual(expect.objectContaining({ file, message: expect.stringMatching(/without manifest\.json/) }));
  });

  it.each(["A1.json", "stray.json"])("refuses a rule file at the top of a folder of versions (%s), naming it", (file) => {
    const problems = problemsOf(`top-${file}`, (dir) => cpSync(join(dir, "2023.1", "A1.json"), join(dir, file)));
    expect(problems).toEqual([expect.objectContaining({ file, message: expect.stringMatching(/belongs to no version \(2023\.1, 2026\.1\)/) })]);
  });

  it("leaves a file that is not a rule file (a README) at the top of a folder of versions alone", () => {
    const dir = join(tmp, "readme");
    cpSync(EXAMPLE_DIR, dir, { recursive: true });
    writeFileSync(join(dir, "README.md"), "versions of the Quzhou scheme\n");
    expect(loadRuleSet(dir).versions!.map((v) => v.version)).toEqual(["2023.1", "2026.1"]);
  });

  it("loads one version folder on its own as a single version, which applies on any asOf", () => {
    const single = loadRuleSet(join(EXAMPLE_DIR, "2026.1"));
    expect(single.versions).toBeUndefined();
    expect(ruleSetVersionOn(single, "2025-06-30")).toBe(single);
  });
});
