// One credit code, one row: in every input kind the second and later rows of a credit code already seen
// come back as error rows (`duplicate_id`) naming the first row's source, workers or not; `diff` refuses a
// results file holding a credit code twice (naming both rows) and `verify` rechecks the refusal.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { endOfResults } from "./_lib/results.js";
import { diffResults } from "../src/audit/diff.js";
import { SPREADSHEET_LAYOUT, headerText, sheetRowsOf } from "../src/audit/spreadsheet-layout.js";
import { evaluate } from "../src/index.js";
import { runCli } from "./_lib/cli.js";
import { organizationFixtures } from "./_lib/fixtures.js";
import { handWorkbook } from "./_lib/workbook-xml.js";

const fixtures = organizationFixtures();
const [a, b] = fixtures;
const envelope = (f: (typeof fixtures)[number]) => ({ asOf: f.asOf, record: f.record });
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "soc-duplicates-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const put = (name: string, content: string | Buffer) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
const rowsOf = (stdout: string) => stdout.trim().split("\n").map((l) => JSON.parse(l) as { source?: string; organizationId?: string; error?: { code: string; message: string; issues: Array<{ path: string }> } });

function expectDuplicate(args: string[], at: number, first: string) {
  const r = runCli(["score", ...args, "--format", "ndjson"]);
  expect(r.status).toBe(1);
  const rows = rowsOf(r.stdout);
  const row = rows[at]!;
  expect(row.error?.code).toBe("duplicate_id");
  expect(row.error?.message).toContain(first);
  expect(row.error?.issues.map((i) => i.path)).toEqual(["id"]);
  expect(row.organizationId).toBe(a!.record.id);
  // Only the repeats are refused; the first and the others are scored.
  expect(rows.filter((x) => x.error?.code === "duplicate_id")).toHaveLength(rows.length - new Set(rows.map((x) => x.organizationId)).size);
  return rows;
}

describe("a repeated credit code", () => {
  it("in a JSON array: the second row is refused, naming the first", () => {
    expectDuplicate([put("dup.json", JSON.stringify([envelope(a!), envelope(b!), envelope(a!)]))], 2, "dup.json#0");
  });

  it("in NDJSON: every later row is refused, naming the first line", () => {
    const rows = expectDuplicate([put("dup.ndjson", [a, b, a, a].map((f) => JSON.stringify(envelope(f!))).join("\n"))], 2, "dup.ndjson:1");
    expect(rows[3]!.error?.code).toBe("duplicate_id");
  });

  it("in NDJSON scored on worker threads (results serialized by the workers)", () => {
    const lines = [a, b, a].map((f) => JSON.stringify(f!.record)).join("\n");
    expectDuplicate([put("dup-workers.ndjson", lines), "--as-of", a!.asOf, "--workers", "2"], 2, "dup-workers.ndjson:1");
  });

  it("in a folder of files: the second file's row is refused, naming the first file", () => {
    const folder = join(dir, "folder");
    mkdirSync(folder);
    writeFileSync(join(folder, "1.json"), JSON.stringify(envelope(a!)));
    writeFileSync(join(folder, "2.ndjson"), `${JSON.stringify(envelope(b!))}\n${JSON.stringify(envelope(a!))}\n`);
    expectDuplicate([folder], 2, "1.json");
  });

  it("in a workbook: the second organizations row is refused as duplicate_id, naming the first row", () => {
    const book = put("dup.xlsx", handWorkbook([a!.record, b!.record, a!.record] as Array<Record<string, unknown>>));
    expectDuplicate([book, "--as-of", a!.asOf], 2, "dup.xlsx!organizations:2");
  });

  it("in a CSV folder: likewise", () => {
    const folder = join(dir, "csv");
    mkdirSync(folder);
    const records = [a!.record, b!.record, a!.record] as Array<Record<string, unknown>>;
    for (const sheet of SPREADSHEET_LAYOUT) {
      const lines = [sheet.columns.map(headerText).join(",")];
      // The entries of the repeated organization are given once, with the first.
      for (const [i, record] of records.entries()) for (const row of i === 2 ? (sheet.field === null ? sheetRowsOf(record)[sheet.name]! : []) : sheetRowsOf(record)[sheet.name]!) lines.push(sheet.columns.map((c) => String(row[c.key] ?? "")).join(","));
      writeFileSync(join(folder, `${sheet.name}.csv`), `${lines.join("\n")}\n`);
    }
    expectDuplicate([folder, "--as-of", a!.asOf], 2, "csv!organizations:2");
  });
});

describe("diff and verify", () => {
  const results = (name: string, records: Array<(typeof fixtures)[number]>) =>
    put(name, runCli(["score", put(`${name}.in.ndjson`, records.map((f) => JSON.stringify(envelope(f))).join("\n")), "--format", "ndjson"]).stdout);

  it("diff refuses a results file holding one credit code twice, naming both rows, exit 2", () => {
    const once = results("once.ndjson", [a!, b!]);
    const lines = readFileSync(once, "utf8").trim().split("\n");
    const twice = put("twice.ndjson", `${[lines[0], lines[1], lines[0]].join("\n")}\n`);
    const r = runCli(["diff", once, twice]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("twice.ndjson:3");
    expect(r.stderr).toContain("twice.ndjson:1");
    expect(r.stderr).toContain(a!.record.id as string);
  });

  it("diffResults refuses a side with a credit code twice rather than dropping one", async () => {
    const ra = await evaluate(a!.record, { asOf: a!.asOf });
    expect(() => diffResults([ra, ra], [ra])).toThrow(/credit code .* twice, at positions 0 and 1/);
  });

  it("verify reproduces the duplicate_id refusal, and flags a results file that scores the repeat", () => {
    const input = put("verify-dup.ndjson", [a, b, a].map((f) => JSON.stringify(envelope(f!))).join("\n"));
    const out = put("verify-dup.results.ndjson", runCli(["score", input, "--format", "ndjson"]).stdout);
    const ok = runCli(["verify", input, out]);
    expect(ok.stdout).toMatch(/verified/);
    expect(ok.status).toBe(0);
    const lines = readFileSync(out, "utf8").trim().split("\n");
    const forged = put("verify-forged.ndjson", `${[lines[0], lines[1], lines[0], JSON.stringify(endOfResults(3, 0))].join("\n")}\n`);
    const bad = runCli(["verify", input, forged]);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(/row 2 .*already given by verify-dup\.ndjson:1.*duplicate_id/);
  });
});
