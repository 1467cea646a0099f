import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MANIFEST_CHANGE, ruleSetChanges, shadowRun, type ShadowEntry } from "../src/audit/shadow.js";
import { loadRuleSet, readRuleFiles, ruleSetFromFiles } from "../src/rule-set/load.js";
import { REFERENCE_RULES_DIR, referenceRuleSet } from "../src/rule-set/reference.js";
import { boundaryRecord, organizationFixtures } from "./_lib/fixtures.js";
import { ROOT, runCli } from "./_lib/cli.js";

const REVISION_DIR = join(ROOT, "rules", "quzhou-versions-example", "2026.1");
const revision = loadRuleSet(REVISION_DIR);
const fixture = (n: string) => organizationFixtures().find((f) => f.file.startsWith(`${n}-`))!;

// The end-of-2025 record of versions.test.ts (tests/_lib/fixtures.ts), with a municipal commendation added.
// By hand on 2025-12-31: base 925 (party 100, registration 200, governance 200, activity 80+50+40+30,
// E1 4A 135, credit 0+40+50). Under 2023.1: 925 - 60 (X1) + 20 + 5 + 10 = 900, gate held: grade A.
// Under 2026.1: activity 80+50+50+20 = 200, base 925; 925 - 80 + 20 + 10 + 10 = 885: grade B.
const movesDown = {
  ...boundaryRecord,
  honours: [...boundaryRecord.honours, { on: "2025-06-01", kind: "municipal_commendation" }],
};
// The same without penalty, honours or survey result above 60 %, and with weak governance. By hand:
// party 100, registration 200, governance 0+0+40+0 = 40, activity 80+50+40+0 (50 % scores 0 in both) = 170,
// E1 135, credit 60+40+50 = 150: 795, grade C. Under 2026.1 A3 gives 50: 805, grade B.
const movesUp = {
  ...movesDown,
  id: "51330800MJ26000014",
  governance: { meetings: "not_held", auditOpinion: "none", financeCompliant: true, disclosure: "none" },
  satisfactionPercent: 50,
  penalties: [],
  honours: [],
};
// Fixture 03 on its own asOf 2025-01-01: E by veto V4 under both; A4 75 % 20 -> 15, X1 -60 -> -80.
const staysE = fixture("03");

const population = (): ShadowEntry[] => [
  { source: "down", record: movesDown, asOf: "2025-12-31" },
  { source: "up", record: movesUp, asOf: "2025-12-31" },
  { source: "03", record: staysE.record, asOf: staysE.asOf },
];

describe("ruleSetChanges", () => {
  it("lists exactly the four rules the example revision changes, with each changed value", () => {
    expect(ruleSetChanges(referenceRuleSet, revision)).toEqual([
      { id: "A3", kind: "item", changes: ["cases.0.points: 40 → 50", "cases.1.points: 30 → 35", "max: 40 → 50"] },
      {
        id: "A4",
        kind: "item",
        changes: ["cases.0.points: 10 → 5", "cases.1.points: 30 → 20", "cases.2.points: 20 → 15", "cases.3.points: 10 → 5", "max: 30 → 20"],
      },
      { id: "X1", kind: "deduction", changes: ["points: -60 → -80"] },
      { id: "B7", kind: "bonus", changes: ["points: 5 → 10"] },
    ]);
  });

  it("lists nothing between a rule set and itself, and ignores a changed note", () => {
    const files = readRuleFiles(REFERENCE_RULES_DIR) as Record<string, any>;
    files["X1.json"].note = "a note changes no result";
    expect(ruleSetChanges(referenceRuleSet, ruleSetFromFiles(files))).toEqual([]);
  });

  it("lists the rules that use a changed named condition, and the manifest when a level threshold moves", () => {
    const files = readRuleFiles(REFERENCE_RULES_DIR) as Record<string, any>;
    files["conditions.json"].currentlyAbnormalListed.all[0].params.where.current = false;
    files["manifest.json"].levels[2].minScore = 640;
    const changes = ruleSetChanges(referenceRuleSet, ruleSetFromFiles(files));
    const k1 = changes.find((c) => c.id === "K1");
    expect(k1).toEqual({ id: "K1", kind: "cap", changes: ["named condition currentlyAbnormalListed changed"] });
    expect(changes.at(-1)).toEqual({ id: MANIFEST_CHANGE, kind: MANIFEST_CHANGE, changes: ["levels.2.minScore: 650 → 640"] });
  });
});

describe("shadowRun", () => {
  it("counts, for the example revision, the migration and what each changed rule did (worked by hand)", async () => {
    const report = await shadowRun(referenceRuleSet, revision, population());
    expect(report).toMatchObject({ read: 3, compared: 3, refused: 0, moved: 2, up: 1, down: 1, newlyRestricted: 0, newlyReleased: 0, unaccounted: 0 });
    expect(report.matrix.A!.B).toBe(1);
    expect(report.matrix.C!.B).toBe(1);
    expect(report.matrix.E!.E).toBe(1);
    const cells = Object.values(report.matrix).flatMap((row) => Object.values(row));
    expect(cells.reduce((s, n) => s + n, 0)).toBe(3);
    const rows = Object.fromEntries(report.rules.map((r) => [r.id, [r.affected, r.moved, r.up, r.down]]));
    // The down move (A to B) is pushed by A4 (-10) and X1 (-20), not by A3 (+10) or B7 (+5); the up move by A3.
    expect(rows).toEqual({ A3: [2, 1, 1, 0], A4: [2, 1, 0, 1], X1: [2, 1, 0, 1], B7: [1, 0, 0, 0] });
    expect(report.changed.map((c) => [c.organizationId, c.gradeBefore, c.gradeAfter, c.scoreBefore, c.scoreAfter])).toEqual([
      [fixture("01").record.id, "A", "B", 900, 885],
      [movesUp.id, "C", "B", 795, 805],
    ]);
    expect(report.a).toEqual({ id: "quzhou-reference", versions: ["2023.1"], digests: [referenceRuleSet.digest] });
    expect(report.b).toEqual({ id: "quzhou-reference", versions: ["2026.1"], digests: [revision.digest] });
  });

  it("counts under the manifest the organizations moved by a level threshold alone", async () => {
    const files = readRuleFiles(REFERENCE_RULES_DIR) as Record<string, any>;
    files["manifest.json"].levels[2].minScore = 640;
    const lowered = ruleSetFromFiles(files);
    // By hand: movesUp (795) - 40 (G3 finance not compliant) - 65 (E1 no evaluation, 70) - 50 (C3 poor, 0) = 640:
    // level D when C starts at 650, C when it starts at 640. Nothing else differs, so no rule accounts for it.
    const at640 = { ...movesUp, supervisorRating: "poor", evaluation: null, governance: { ...movesUp.governance, financeCompliant: false } };
    const report = await shadowRun(referenceRuleSet, lowered, [{ source: "640", record: at640, asOf: "2025-12-31" }]);
    expect(report.changed.map((c) => [c.scoreBefore, c.gradeBefore, c.gradeAfter])).toEqual([[640, "D", "C"]]);
    expect(report.rules).toEqual([expect.objectContaining({ id: MANIFEST_CHANGE, affected: 1, moved: 1, up: 1, down: 0 })]);
    expect(report.unaccounted).toBe(1);
  });

  it("counts a refused record and an entry without asOf, and compares the rest", async () => {
    const entries: ShadowEntry[] = [...population(), { source: "bad", record: { ...movesDown, id: "123" }, asOf: "2025-12-31" }, { source: "no-date", record: movesDown, asOf: null }];
    const report = await shadowRun(referenceRuleSet, revision, entries);
    expect(report).toMatchObject({ read: 5, compared: 3, refused: 2 });
    expect(report.refusals.map((r) => [r.source, r.code])).toEqual([
      ["bad", "invalid_record"],
      ["no-date", "missing_as_of"],
    ]);
  });
});

describe("the shadow command", () => {
  let tmp: string;
  let populationFile: string;
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), "social-org-credit-shadow-"));
    populationFile = join(tmp, "population.json");
    writeFileSync(populationFile, JSON.stringify(population().map((e) => ({ asOf: e.asOf, record: e.record }))));
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it("prints the migration matrix and one line per changed rule", () => {
    const run = runCli(["shadow", "--rules", "rules/quzhou-reference", "--rules", REVISION_DIR, populationFile]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/3 organizations read, 3 compared, 0 refused/);
    expect(run.stdout).toMatch(/^ {2}A \\ B +A +B +C +D +E +total$/m);
    expect(run.stdout).toMatch(/^ {2}A +0 +1 +0 +0 +0 +1$/m);
    expect(run.stdout).toMatch(/^ {2}C +0 +1 +0 +0 +0 +1$/m);
    expect(run.stdout).toMatch(/^ {2}A3 +2 +1 +1 +0 +cases\.0\.points: 40 → 50/m);
    expect(run.stdout).toMatch(/^ {2}X1 +2 +1 +0 +1 +points: -60 → -80$/m);
    expect(run.stdout).toMatch(/Grade changed 等级变化: 2 of 3 \(up 升 1, down 降 1\)/);
  });

  it("writes the whole report as JSON with --format json", () => {
    const run = runCli(["shadow", "--rules", "rules/quzhou-reference", "--rules", REVISION_DIR, populationFile, "--format", "json"]);
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.moved).toBe(2);
    expect(report.rules.map((r: { id: string }) => r.id)).toEqual(["A3", "A4", "X1", "B7"]);
  });

  it("shadow-runs a generated population with --generate and --seed", () => {
    const run = runCli(["shadow", "--rules", "rules/quzhou-reference", "--rules", REVISION_DIR, "--generate", "40", "--seed", "7", "--as-of", "2026-06-30", "--format", "json"]);
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.read).toBe(40);
    expect(report.compared).toBe(40);
  });

  it("exits with code 2 when --rules is not given twice", () => {
    const run = runCli(["shadow", "--rules", "rules/quzhou-reference", populationFile]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/--rules twice/);
  });
});
