// The runtime dependency tree: no installed package in the range of a known advisory, and the README
// lists the tree as `npm ls --omit=dev --all` prints it.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { KNOWN_ADVISORIES, packagesOf, runtimeTree, vulnerablePackages, type NpmTree } from "./_lib/advisories.js";
import { compareVersions, satisfies } from "./_lib/semver.js";

const ROOT = join(import.meta.dirname, "..");

describe("the version comparator", () => {
  it("orders versions by number, not text, with prereleases before their release", () => {
    expect(compareVersions("10.2.9", "10.3.0")).toBeLessThan(0);
    expect(compareVersions("10.10.0", "10.9.0")).toBeGreaterThan(0);
    expect(compareVersions("10.3.0-rc.1", "10.3.0")).toBeLessThan(0);
    expect(compareVersions("1.0.0-rc.10", "1.0.0-rc.9")).toBeGreaterThan(0);
    expect(compareVersions("1.0.0-alpha", "1.0.0-1")).toBeGreaterThan(0);
    expect(compareVersions("2.0.0+build.5", "2.0.0")).toBe(0);
  });
  it("tells whether a version lies in a range, at its bounds", () => {
    expect(satisfies("10.2.9", "<10.3.0")).toBe(true);
    expect(satisfies("10.3.0", "<10.3.0")).toBe(false);
    expect(satisfies("10.3.0-rc.1", "<10.3.0")).toBe(true);
    expect(satisfies("1.2.6", ">=1.0.0 <1.2.6 || <0.2.4")).toBe(false);
    expect(satisfies("1.2.5", ">=1.0.0 <1.2.6 || <0.2.4")).toBe(true);
    expect(satisfies("0.2.3", ">=1.0.0 <1.2.6 || <0.2.4")).toBe(true);
    expect(satisfies("0.5.0", ">=1.0.0 <1.2.6 || <0.2.4")).toBe(false);
    expect(satisfies("3.0.0", "=3.0.0")).toBe(true);
    expect(satisfies("3.0.0", "<=3.0.0")).toBe(true);
    expect(satisfies("3.0.1", ">3.0.0")).toBe(true);
  });
  it("refuses a malformed version or range instead of passing it", () => {
    expect(() => satisfies("10.3", "<10.3.0")).toThrow(/not a semantic version/);
    expect(() => satisfies("10.3.0", "~10.3.0")).toThrow();
    expect(() => satisfies("10.3.0", "<10.3.0 || ")).toThrow(/empty range/);
  });
});

describe("known advisories", () => {
  it("are well formed: every range parses, jsonpath-plus below 10.3.0 is listed under both CVEs", () => {
    for (const a of KNOWN_ADVISORIES) expect(() => satisfies("1.0.0", a.vulnerable), a.id).not.toThrow();
    const jsonpath = KNOWN_ADVISORIES.filter((a) => a.package === "jsonpath-plus");
    expect(jsonpath.map((a) => a.id).sort()).toEqual(["CVE-2024-21534", "CVE-2025-1302"]);
    for (const a of jsonpath) {
      expect(satisfies("10.2.0", a.vulnerable)).toBe(true);
      expect(satisfies("10.3.0", a.vulnerable)).toBe(false);
    }
  });

  it("flag a tree that pulls in jsonpath-plus 10.2.0, naming the chain and both CVEs", () => {
    const tree: NpmTree = { dependencies: { "json-rules-engine": { version: "7.3.0", dependencies: { "jsonpath-plus": { version: "10.2.0" } } } } };
    const found = vulnerablePackages(tree);
    expect(found).toHaveLength(2);
    for (const line of found) expect(line).toMatch(/^jsonpath-plus@10\.2\.0 \(json-rules-engine > jsonpath-plus\)/);
    expect(found.join("\n")).toMatch(/CVE-2024-21534[\s\S]*CVE-2025-1302|CVE-2025-1302[\s\S]*CVE-2024-21534/);
  });

  it("match no installed runtime dependency", () => {
    const tree = runtimeTree(ROOT);
    expect(packagesOf(tree).map((p) => p.name)).toEqual(expect.arrayContaining(["json-rules-engine", "jsonpath-plus", "zod", "date-fns", "exceljs", "csv-parse"]));
    expect(vulnerablePackages(tree)).toEqual([]);
  });
});

describe("the README", () => {
  it("lists the runtime dependency tree exactly as npm ls --omit=dev --all prints it, with its package count", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const block = /<!-- runtime-dependencies:start -->\n```text\n([\s\S]*?)\n```\n<!-- runtime-dependencies:end -->/.exec(readme);
    expect(block, "the README's runtime-dependencies block").not.toBeNull();
    const r = spawnSync("npm", ["ls", "--omit=dev", "--all"], { cwd: ROOT, encoding: "utf8" });
    expect(r.status).toBe(0);
    // The first line names the project's folder, which differs between clones.
    const tree = r.stdout.trimEnd().split("\n").slice(1).join("\n");
    expect(block![1]).toBe(tree);
    const count = /<code>npm ls --omit=dev --all<\/code> \((\d+) packages\)/.exec(readme);
    expect(Number(count?.[1])).toBe(packagesOf(runtimeTree(ROOT)).length);
  });
});
