// The package as users get it: `npm pack` of the built package (npm test builds dist/ first), installed
// from the tarball in an empty folder, used through import, require, TypeScript and npx. publint and
// @arethetypeswrong/cli check the tarball, and its installed runtime tree is checked against the known advisories.
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runtimeTree, vulnerablePackages } from "./_lib/advisories.js";
import { organizationFixtures } from "./_lib/fixtures.js";
import { jsonResults } from "./_lib/results.js";

const ROOT = join(import.meta.dirname, "..");
const BIN = join(ROOT, "node_modules", ".bin");
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { name: string; version: string };
// A hand-worked fixture: its expected score and grade come from scheme.md, not from this code.
const fixture = organizationFixtures().find((f) => f.file.startsWith("01-"))!;

let work: string;
let consumer: string;
let tarball: string;
let packedFiles: string[];

function run(command: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  const r = spawnSync(command, args, { cwd, encoding: "utf8", env: { ...process.env, npm_config_update_notifier: "false" } });
  if (r.error) throw r.error;
  return r;
}
function ok(r: SpawnSyncReturns<string>, what: string): string {
  expect(r.status, `${what} failed:\n${r.stdout}\n${r.stderr}`).toBe(0);
  return r.stdout;
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "soc-package-"));
  const packed = JSON.parse(ok(run("npm", ["pack", "--json", "--pack-destination", work], ROOT), "npm pack")) as Array<{ filename: string; files: Array<{ path: string }> }>;
  tarball = join(work, packed[0]!.filename);
  packedFiles = packed[0]!.files.map((f) => f.path);
  consumer = join(work, "consumer");
  mkdirSync(consumer);
  writeFileSync(join(consumer, "package.json"), JSON.stringify({ name: "consumer", version: "1.0.0", private: true }));
  // Runtime dependencies come from the npm cache or registry, as for any user.
  ok(run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", tarball], consumer), "npm install of the tarball");
  writeFileSync(join(consumer, "envelope.json"), JSON.stringify({ asOf: fixture.asOf, record: fixture.record }));
}, 180_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("the packed tarball", () => {
  it("holds the built code, the reference rules, the README and package.json, and nothing else", () => {
    for (const path of packedFiles) expect(/^(dist\/|rules\/(quzhou-reference|quzhou-versions-example|schema)\/)|^(README\.md|package\.json|LICENSE)$/.test(path), path).toBe(true);
    expect(packedFiles).toEqual(expect.arrayContaining(["dist/index.js", "dist/index.cjs", "dist/index.d.ts", "dist/index.d.cts", "dist/cli.js", "rules/quzhou-reference/manifest.json"]));
  });

  it("passes publint --strict", () => {
    const out = ok(run(join(BIN, "publint"), ["run", tarball, "--strict"], ROOT), "publint");
    expect(out).toMatch(/All good/);
  });

  it("passes @arethetypeswrong/cli for node10, node16 (CJS and ESM) and bundlers", () => {
    const out = ok(run(join(BIN, "attw"), [tarball, "--format", "ascii", "--no-color"], ROOT), "attw");
    expect(out).toMatch(/No problems found/);
  });
});

describe("installed from the tarball in an empty folder", () => {
  const script = (kind: "esm" | "cjs") => `
    ${kind === "esm" ? `import * as lib from "social-org-credit";` : `const lib = require("social-org-credit");`}
    const envelope = JSON.parse(require_("fs").readFileSync("envelope.json", "utf8"));
    const result = await lib.evaluate(envelope.record, { asOf: envelope.asOf });
    let refused = null;
    try { lib.parseOrganizationRecord({ id: "x" }); } catch (e) { refused = e instanceof lib.InvalidRecordError ? e.code : "wrong error"; }
    console.log(JSON.stringify({ score: result.score, grade: result.grade, ruleSet: lib.referenceRuleSet.id, version: lib.LIBRARY_VERSION, refused }));
  `;

  it("works through import (ESM)", () => {
    const body = `import { createRequire } from "node:module"; const require_ = createRequire(import.meta.url);\n${script("esm")}`;
    writeFileSync(join(consumer, "use.mjs"), body);
    const out = JSON.parse(ok(run(process.execPath, ["use.mjs"], consumer), "node use.mjs"));
    expect(out).toEqual({ score: fixture.expected.score, grade: fixture.expected.grade, ruleSet: "quzhou-reference", version: pkg.version, refused: "invalid_record" });
  });

  it("works through require (CommonJS)", () => {
    const body = `const require_ = require;\n(async () => {${script("cjs")}})();`;
    writeFileSync(join(consumer, "use.cjs"), body);
    const out = JSON.parse(ok(run(process.execPath, ["use.cjs"], consumer), "node use.cjs"));
    expect(out).toEqual({ score: fixture.expected.score, grade: fixture.expected.grade, ruleSet: "quzhou-reference", version: pkg.version, refused: "invalid_record" });
  });

  it("type-checks a TypeScript user of both module systems", () => {
    const use = `import { evaluate, type Result, InvalidRecordError } from "social-org-credit";\nexport const r: Promise<Result> = evaluate({}, { asOf: "2023-05-31" });\nexport const e: string = new InvalidRecordError([], null).code;\n`;
    writeFileSync(join(consumer, "use-types.mts"), use);
    writeFileSync(join(consumer, "use-types.cts"), use);
    const tsc = join(ROOT, "node_modules", "typescript", "bin", "tsc");
    ok(run(process.execPath, [tsc, "--noEmit", "--strict", "--skipLibCheck", "--module", "nodenext", "--moduleResolution", "nodenext", "--types", "node", "--typeRoots", join(ROOT, "node_modules", "@types"), "use-types.mts", "use-types.cts"], consumer), "tsc");
  });

  it("works through npx social-org-credit", () => {
    expect(ok(run("npx", ["--no", "--", "social-org-credit", "--version"], consumer), "npx --version").trim()).toBe(pkg.version);
    const out = ok(run("npx", ["--no", "--", "social-org-credit", "score", "envelope.json", "--format", "json"], consumer), "npx score");
    const rows = jsonResults<{ score: number; grade: string }>(out);
    expect(rows).toEqual([expect.objectContaining({ score: fixture.expected.score, grade: fixture.expected.grade })]);
  });

  it("pulls in no runtime package in the range of a known advisory", () => {
    const tree = runtimeTree(consumer);
    expect(Object.keys(tree.dependencies ?? {})).toEqual(["social-org-credit"]);
    expect(vulnerablePackages(tree)).toEqual([]);
  });
});
