// A loaded rule set cannot change under the digest its results carry: everything reachable from it is frozen.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { evaluate, loadRuleSet, referenceRuleSet, ruleSetFromFiles, type RuleSet } from "../src/index.js";
import { organizationFixtures } from "./_lib/fixtures.js";
import { referenceFiles } from "./_lib/rule-files.js";

const ROOT = join(import.meta.dirname, "..");
const clean = organizationFixtures().find((f) => f.file.startsWith("01-"))!;

/** Every object reachable from a value that is not frozen, by path. */
function unfrozen(value: unknown, path = "ruleSet", seen = new Set<unknown>()): string[] {
  if (value === null || typeof value !== "object" || seen.has(value)) return [];
  seen.add(value);
  const here = Object.isFrozen(value) ? [] : [path];
  return [...here, ...Object.entries(value).flatMap(([k, v]) => unfrozen(v, `${path}.${k}`, seen))];
}

/** Tries assignments of every kind on a rule set; each must throw a TypeError (ESM is strict mode). */
function expectEveryAssignmentRefused(ruleSet: RuleSet): void {
  const r = ruleSet as unknown as Record<string, any>;
  const item = r.rules.find((x: { kind: string }) => x.kind === "item");
  const attempts: Array<[string, () => unknown]> = [
    ["digest", () => (r.digest = "sha256:0")],
    ["version", () => (r.version = "9.9")],
    ["rules.push", () => r.rules.push(r.rules[0])],
    ["rules[0]", () => (r.rules[0] = r.rules[1])],
    ["rules.sort", () => r.rules.sort(() => -1)],
    ["an item's max", () => (item.max = 10_000)],
    ["an item's label", () => (item.label.en = "changed")],
    ["a case's points", () => (item.cases[0].points = 10_000)],
    ["a condition", () => (item.cases[0].conditions.all = [])],
    ["named conditions", () => (r.conditions.added = { all: [] })],
    ["manifest.maxScore", () => (r.manifest.maxScore = 1)],
    ["manifest.dimensions[0].max", () => (r.manifest.dimensions[0].max = 1)],
    ["manifest.levels", () => r.manifest.levels.pop()],
    ["manifest.rules.items", () => r.manifest.rules.items.push("Z9")],
    ["a new property", () => (r.extra = 1)],
    ["delete", () => delete r.manifest],
  ];
  for (const [what, attempt] of attempts) expect(attempt, what).toThrow(TypeError);
}

describe("loaded rule sets are immutable", () => {
  it("freezes the bundled reference set throughout: manifest, rules, conditions, labels, params", () => {
    expect(unfrozen(referenceRuleSet)).toEqual([]);
    expectEveryAssignmentRefused(referenceRuleSet);
  });

  it("freezes a set built by ruleSetFromFiles, and it does not share the files it was given", () => {
    const files = referenceFiles();
    const ruleSet = ruleSetFromFiles(files);
    expect(unfrozen(ruleSet)).toEqual([]);
    expectEveryAssignmentRefused(ruleSet);
    const digest = ruleSet.digest;
    files["R2.json"].max = 1;
    files["manifest.json"].maxScore = 1;
    expect(ruleSet.rules.find((r) => r.id === "R2")).toMatchObject({ max: 40 });
    expect(ruleSet.digest).toBe(digest);
    // The params keep their keys in the order of the files: results show them so.
    const params = (v: unknown): string[] =>
      v === null || typeof v !== "object" ? [] : Object.entries(v).flatMap(([k, x]) => (k === "params" ? [JSON.stringify(x)] : params(x)));
    const given = referenceFiles();
    expect(params([ruleSet.rules, ruleSet.conditions]).sort()).toEqual(params(Object.values(given)).sort());
  });

  it("freezes a folder of versions: the latest, its list of versions and each version", () => {
    const ruleSet = loadRuleSet(join(ROOT, "rules", "quzhou-versions-example"));
    expect(ruleSet.versions!.length).toBeGreaterThan(1);
    expect(unfrozen(ruleSet)).toEqual([]);
    expect(() => (ruleSet.versions as RuleSet[]).push(ruleSet.versions![0]!)).toThrow(TypeError);
    for (const version of ruleSet.versions!) expectEveryAssignmentRefused(version);
  });

  it("gives the same result after every attempt to change the set", async () => {
    const ruleSet = ruleSetFromFiles(referenceFiles());
    const before = JSON.stringify(await evaluate(clean.record, { asOf: clean.asOf, ruleSet }));
    try {
      expectEveryAssignmentRefused(ruleSet);
    } finally {
      expect(JSON.stringify(await evaluate(clean.record, { asOf: clean.asOf, ruleSet }))).toBe(before);
      expect(JSON.stringify(await evaluate(clean.record, { asOf: clean.asOf, ruleSet, engine: "reference" }))).toBe(before);
    }
  });
});
