import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, runCli } from "./_lib/cli.js";
import { jsonResults } from "./_lib/results.js";

const REFERENCE = join(ROOT, "rules", "quzhou-reference");
const EXAMPLE = join(ROOT, "rules", "quzhou-versions-example");

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "social-org-credit-cli-rules-"));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const editJson = (path: string, edit: (json: any) => void) => {
  const json = JSON.parse(readFileSync(path, "utf8"));
  edit(json);
  writeFileSync(path, JSON.stringify(json, null, 2));
};

describe("rules check", () => {
  it("passes the bundled reference rules with exit code 0", () => {
    const run = runCli(["rules", "check"]);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("quzhou-reference 2023.1");
    expect(run.stdout).toContain("OK");
  });

  it("prints each version of a folder of versions with the day it takes effect", () => {
    const run = runCli(["rules", "check", EXAMPLE]);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/quzhou-reference 2023\.1, in force from 2023-01-01/);
    expect(run.stdout).toMatch(/quzhou-reference 2026\.1, in force from 2026-01-01/);
  });

  it("prints every problem, each with its file and rule, and exits with code 2", () => {
    const dir = join(tmp, "two-faults");
    cpSync(REFERENCE, dir, { recursive: true });
    editJson(join(dir, "B2.json"), (b2) => (b2.basis = ["MCA-99"]));
    editJson(join(dir, "K1.json"), (k1) => (k1.atBest = "F"));
    const run = runCli(["rules", "check", dir]);
    expect(run.status).toBe(2);
    expect(run.stdout).toMatch(/B2\.json \[B2\] basis\.0: unknown source "MCA-99"/);
    expect(run.stdout).toMatch(/K1\.json \[K1\] atBest: unknown level "F"/);
    expect(run.stdout).toMatch(/2 problems/);
  });

  it("names the version folder of a problem in a folder of versions", () => {
    const dir = join(tmp, "versions-fault");
    cpSync(EXAMPLE, dir, { recursive: true });
    editJson(join(dir, "2026.1", "manifest.json"), (m) => (m.effectiveFrom = "2026-02-30"));
    const run = runCli(["rules", "check", dir]);
    expect(run.status).toBe(2);
    expect(run.stdout).toMatch(/2026\.1\/manifest\.json effectiveFrom: effectiveFrom must be a real calendar date/);
  });

  it("exits with code 2 and the usage for a subcommand other than check", () => {
    const run = runCli(["rules", "lint"]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("rules check [DIR]");
  });
});

describe("score --rules with a folder of versions", () => {
  it("scores each fixture with the version in force on its asOf and refuses the three dated before 2023", () => {
    const reference = jsonResults<Record<string, any>>(runCli(["score", "fixtures/organizations", "--format", "json"]).stdout);
    const run = runCli(["score", "fixtures/organizations", "--rules", EXAMPLE, "--format", "json"]);
    expect(run.status).toBe(1);
    const rows = jsonResults<Record<string, any>>(run.stdout);
    expect(rows).toHaveLength(reference.length);
    const refused = rows.filter((r) => "error" in r);
    expect(refused.map((r) => r.error.code)).toEqual(["no_rule_set_in_force", "no_rule_set_in_force", "no_rule_set_in_force"]);
    expect(refused[0]!.error.message).toMatch(/takes effect on 2023-01-01/);
    rows.forEach((r, i) => {
      if (!("error" in r)) expect(r).toEqual(reference[i]);
    });
  });

  it("uses 2026.1 from 2026-01-01 and names it in each result", () => {
    const run = runCli(["score", "fixtures/organizations/01-clean-association.json", "--rules", EXAMPLE, "--as-of", "2026-01-01", "--format", "json"]);
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)[0].ruleSet.version).toBe("2026.1");
  });
});
