// Hostile files through the built command (dist/cli.js, as `npm test` builds it): every row comes back as a
// result or an error row, the exit code says so, and nothing prints a stack trace.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_JSON_BYTES, MAX_LINE_BYTES } from "../src/cli/input.js";
import { readRuleFiles } from "../src/rule-set/load.js";
import { REFERENCE_RULES_DIR } from "../src/rule-set/reference.js";
import { organizationFixtures } from "./_lib/fixtures.js";
import { ndjsonResults } from "./_lib/results.js";
import { otherCreditCode } from "./_lib/credit-codes.js";

const CLI = join(import.meta.dirname, "..", "dist", "cli.js");
const SEED = Number(process.env.FC_SEED ?? 20230531);
const clean = organizationFixtures().find((f) => f.file.startsWith("01-"))!;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "soc-hostile-cli-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}
function cli(...args: string[]): Run {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}
/** No internal error, no stack frame, on either stream. */
function expectNoCrash(r: Run): void {
  expect(r.stderr).not.toMatch(/internal error|\n\s+at .+:\d+:\d+/);
  expect(r.stdout).not.toMatch(/\n\s+at .+:\d+:\d+/);
  expect([0, 1, 2]).toContain(r.status);
}
type Row = { row?: number; error?: { code: string; issues: Array<{ path: string }> }; organizationId?: string | null; grade?: string };
const ndjsonRows = (r: Run): Row[] => ndjsonResults<Row>(r.stdout);

describe("hostile record files through the CLI", () => {
  const text = JSON.stringify(clean.record);
  const randomJson = fc.sample(fc.jsonValue(), { numRuns: 150, seed: SEED }).map((v) => JSON.stringify(v) ?? "null");
  const malformed = fc.sample(fc.nat({ max: text.length - 2 }), { numRuns: 100, seed: SEED }).map((n) => text.slice(0, n + 1));
  const protoKeys = ["__proto__", "constructor", "prototype"].flatMap((k) => [text.replace("{", `{"${k}":{"polluted":true},`), text.replace('"party":{', `"party":{"${k}":{"polluted":true},`)]);
  const wrongTypes = Object.keys(clean.record).flatMap((k) => [JSON.stringify({ ...clean.record, [k]: 12345 }), JSON.stringify({ ...clean.record, [k]: { nested: [true] } })]);
  const impossibleDates = ["2023-02-29", "2023-04-31", "1899-12-31", "2200-01-01", "2023-13-01"].map((d) => JSON.stringify({ ...clean.record, registeredOn: d }));
  const deep = [`${"[".repeat(200_000)}${"]".repeat(200_000)}`, JSON.stringify({ ...clean.record, party: "DEEP" }).replace('"DEEP"', `${'{"a":'.repeat(50_000)}1${"}".repeat(50_000)}`)];
  const envelopes = [JSON.stringify({ asOf: "2023-02-29", record: clean.record }), JSON.stringify({ asOf: 12, record: clean.record }), JSON.stringify({ asOf: clean.asOf, record: "x" })];
  // The valid lines under credit codes of their own: a credit code already seen (the hostile lines use the clean one) is refused as duplicate_id.
  const valid = (n: number) => JSON.stringify({ ...clean.record, id: otherCreditCode(clean.record.id as string, n) });
  const lines = [...randomJson, ...malformed, ...protoKeys, ...wrongTypes, ...impossibleDates, ...deep, ...envelopes, valid(1)];
  const classes = { randomJson, malformed, protoKeys, wrongTypes, impossibleDates, deep, envelopes };

  it(`gives one row per NDJSON line for ${lines.length + 2} hostile lines (${Object.entries(classes).map(([k, v]) => `${v.length} ${k}`).join(", ")}, a line over ${MAX_LINE_BYTES} bytes, 2 valid), exit code 1`, () => {
    const tooLong = `"${"x".repeat(MAX_LINE_BYTES + 10)}"`;
    const path = file("hostile.ndjson", `${lines.join("\n")}\n${tooLong}\n${valid(2)}\n`);

    const r = cli("score", path, "--as-of", clean.asOf, "--format", "ndjson");
    expectNoCrash(r);
    expect(r.status).toBe(1);
    const rows = ndjsonRows(r);
    expect(rows).toHaveLength(lines.length + 2);
    rows.forEach((row, i) => expect(row.row ?? i, `row ${i}`).toBe(i));
    const errors = rows.filter((row) => row.error);
    for (const row of errors) expect(typeof row.error!.code).toBe("string");
    // The valid record comes through, before and after the over-long line, which is an error row of its own.
    expect(rows.filter((row) => row.grade !== undefined).length).toBeGreaterThanOrEqual(2);
    expect(rows.at(-2)!.error).toMatchObject({ code: "unreadable_row" });
    expect(rows.at(-1)!.grade).toBeDefined();
  });

  it("gives an error row, exit code 1, for a JSON file that is not JSON, is empty, is binary, or holds a record with __proto__ keys", () => {
    const inputs = {
      "broken.json": '{"id": ',
      "empty.json": "",
      "proto.json": JSON.stringify(clean.record).replace("{", '{"__proto__":{"polluted":true},'),
    };
    for (const [name, content] of Object.entries(inputs)) {
      const r = cli("score", file(name, content), "--as-of", clean.asOf, "--format", "ndjson");
      expectNoCrash(r);
      expect(r.status, name).toBe(1);
      expect(ndjsonRows(r), name).toEqual([expect.objectContaining({ error: expect.objectContaining({ code: expect.any(String) }) })]);
    }
  });

  it("refuses a binary .json (not UTF-8) whole, exit 2, and reads a UTF-16 one by its byte-order mark", () => {
    const binary = cli("score", file("binary.json", Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256))), "--as-of", clean.asOf, "--format", "ndjson");
    expectNoCrash(binary);
    expect(binary.status).toBe(2);
    expect(binary.stderr).toMatch(/binary\.json: not valid UTF-8 at byte \d+/);
    const utf16 = cli("score", file("utf16.json", Buffer.from(`\uFEFF${JSON.stringify(clean.record)}`, "utf16le")), "--as-of", clean.asOf, "--format", "ndjson");
    expect(utf16.status).toBe(0);
    expect(ndjsonRows(utf16)[0]!.grade).toBe(clean.expected.grade);
  });

  it(`refuses a JSON file over ${MAX_JSON_BYTES} bytes without reading it, and a .json that is not a regular file`, () => {
    const huge = join(dir, "huge.json");
    writeFileSync(huge, "[");
    truncateSync(huge, MAX_JSON_BYTES + 1); // sparse: takes no disk space
    const r = cli("score", huge, "--as-of", clean.asOf, "--format", "ndjson");
    expectNoCrash(r);
    expect(r.status).toBe(1);
    expect(ndjsonRows(r)[0]!.error).toMatchObject({ code: "unreadable_row", message: expect.stringMatching(/larger than/) });

    const device = join(dir, "zero.json");
    symlinkSync("/dev/zero", device);
    const z = cli("score", device, "--as-of", clean.asOf, "--format", "ndjson");
    expectNoCrash(z);
    // Only regular files are read: refused whole (issue 10).
    expect(z.status).toBe(2);
    expect(z.stderr).toMatch(/zero\.json: a character device, not a regular file/);
  });

  it("prints error rows in csv and table formats too, never a stack trace", () => {
    const path = file("mixed.json", JSON.stringify([clean.record, { ...clean.record, registeredOn: "2023-02-29" }, "junk", { __proto__: null, id: 5 }]));
    for (const format of ["csv", "table", "json"]) {
      const r = cli("score", path, "--as-of", clean.asOf, "--format", format);
      expectNoCrash(r);
      expect(r.status, format).toBe(1);
    }
  });
});

describe("inputs the CLI cannot read at all", () => {
  it("exits with code 2 and a message, not a stack trace, for a file of another kind, a missing path and a dangling link", () => {
    const dangling = join(dir, "dangling.json");
    symlinkSync(join(dir, "nowhere"), dangling);
    for (const path of [file("register.txt", "id,name\n"), join(dir, "missing.json"), dangling]) {
      const r = cli("score", path, "--as-of", clean.asOf);
      expectNoCrash(r);
      expect(r.status, path).toBe(2);
      expect(r.stderr, path).toMatch(/^error: /);
    }
  });
});

describe("hostile rule folders through the CLI", () => {
  const reference = readRuleFiles(REFERENCE_RULES_DIR);
  function ruleFolder(name: string, change: (files: Record<string, unknown>) => Record<string, string>): string {
    const folder = join(dir, name);
    mkdirSync(folder);
    const files = Object.fromEntries(Object.entries(structuredClone(reference)).map(([f, v]) => [f, JSON.stringify(v)]));
    for (const [f, text] of Object.entries({ ...files, ...change(structuredClone(reference)) })) writeFileSync(join(folder, f), text);
    return folder;
  }

  it("exits with code 2 and lists the problems for deep nesting, reserved keys, cycles, absurd numbers and JSONPath", () => {
    const cases: Record<string, (files: Record<string, any>) => Record<string, string>> = {
      deep: () => ({ "K1.json": JSON.stringify({ ...(reference["K1.json"] as object), conditions: "DEEP" }).replace('"DEEP"', `${'{"all":['.repeat(50_000)}${"]}".repeat(50_000)}`) }),
      proto: () => ({ "conditions.json": JSON.stringify(reference["conditions.json"]).replace("{", '{"__proto__":{"all":[]},') }),
      cycle: (f) => ({ "conditions.json": JSON.stringify({ ...f["conditions.json"], loopA: { all: [{ condition: "loopB" }] }, loopB: { all: [{ condition: "loopA" }] } }) }),
      absurd: (f) => ({ "X1.json": JSON.stringify({ ...f["X1.json"], points: -1e308 }) }),
      jsonpath: (f) => ({ "K1.json": JSON.stringify({ ...f["K1.json"], conditions: { all: [{ fact: "listings", path: "$..[?(@.constructor.constructor('process.exit(7)')())]", operator: "equal", value: 1 }] } }) }),
    };
    for (const [name, change] of Object.entries(cases)) {
      const r = cli("score", file(`${name}.json`, JSON.stringify(clean.record)), "--as-of", clean.asOf, "--rules", ruleFolder(name, change));
      expectNoCrash(r);
      expect(r.status, name).toBe(2);
      expect(r.stderr, name).toMatch(/rule set is invalid/);
    }
  });
});
