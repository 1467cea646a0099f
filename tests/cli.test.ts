import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jsonResults, ndjsonResultLines } from "./_lib/results.js";

// These tests run the built CLI (`npx tsup` writes dist/cli.js), as a user or a backend script would.
const ROOT = join(import.meta.dirname, "..");
const CLI = join(ROOT, "dist", "cli.js");
const ORGANIZATIONS_DIR = join(ROOT, "fixtures", "organizations");
const INVALID_DIR = join(ROOT, "fixtures", "invalid");
const REFERENCE_RULES_DIR = join(ROOT, "rules", "quzhou-reference");

interface Envelope {
  description: string;
  asOf: string;
  record: Record<string, unknown> & { id: string; name: string };
  expected: { grade: string };
}

interface InvalidEnvelope {
  description: string;
  asOf?: string;
  record: Record<string, unknown> & { id: string };
  expectedErrors: string[];
}

/** A result or an error row, as the json and ndjson formats write them. */
type OutputObject = Record<string, unknown> & {
  organizationId?: string | null;
  grade?: string;
  asOf?: string;
  name?: string;
  row?: number;
  error?: { code: string; message: string; issues: Array<{ path: string }> };
};

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[], env: Record<string, string> = {}): Run {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, "utf8")) as T;
const organization = (file: string) => readJson<Envelope>(join(ORGANIZATIONS_DIR, file));
const organizationFiles = () => readdirSync(ORGANIZATIONS_DIR).filter((f) => f.endsWith(".json")).sort();

/** RFC 4180: cells separated by commas, quoted cells may hold commas, newlines and doubled quotes. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"' && cell === "") quoted = true;
    else if (ch === ",") {
      record.push(cell);
      cell = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      record.push(cell);
      records.push(record);
      record = [];
      cell = "";
    } else cell += ch;
  }
  if (cell !== "" || record.length > 0) {
    record.push(cell);
    records.push(record);
  }
  return records;
}

const isErrorRow = (o: OutputObject) => "error" in o;

let tmp: string;

// The mixed batch: a clean association, an invalid record (three faults, readable id), and a record
// whose name holds a comma and a quote. Both valid records are fixtures whose own asOf is AS_OF.
const AS_OF = "2023-05-31";
const TRICKY_NAME = '衢州市"科技",服务协会';
const first = organization("01-clean-association.json");
const third = organization("19-as-of-31-may-latest-due-year-2022.json");
const invalid = readJson<InvalidEnvelope>(join(INVALID_DIR, "27-field-fault-with-contradictions.json"));
let mixedBatch: string;

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npx tsup\` before these tests`);
  expect(first.asOf).toBe(AS_OF);
  expect(third.asOf).toBe(AS_OF);
  tmp = mkdtempSync(join(tmpdir(), "social-org-credit-cli-"));
  mixedBatch = join(tmp, "mixed.json");
  writeFileSync(mixedBatch, JSON.stringify([first.record, invalid.record, { ...third.record, name: TRICKY_NAME }], null, 2));
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** The checks shared by json and ndjson output of the mixed batch. */
function expectMixedBatchRows(rows: OutputObject[]) {
  expect(rows).toHaveLength(3);
  expect(rows.map(isErrorRow)).toEqual([false, true, false]);

  expect(rows[0]!.organizationId).toBe(first.record.id);
  expect(rows[0]!.grade).toBe(first.expected.grade);
  expect(rows[2]!.organizationId).toBe(third.record.id);
  expect(rows[2]!.grade).toBe(third.expected.grade);
  expect(rows[2]!.name).toBe(TRICKY_NAME);

  const refused = rows[1]!;
  expect(refused.row).toBe(1);
  expect(refused.organizationId).toBe(invalid.record.id);
  expect(refused.error!.issues.length).toBeGreaterThan(0);
  for (const issue of refused.error!.issues) expect(typeof issue.path).toBe("string");
  expect([...new Set(refused.error!.issues.map((i) => i.path))].sort()).toEqual([...invalid.expectedErrors].sort());
}

describe("social-org-credit score", () => {
  it("scores a folder of envelopes with exit code 0, one result per file in file-name order", () => {
    const files = organizationFiles();
    const run = runCli(["score", "fixtures/organizations", "--format", "json"]);
    expect(run.status).toBe(0);
    const results = jsonResults<OutputObject>(run.stdout);
    expect(results).toHaveLength(files.length);
    results.forEach((result, i) => {
      const fixture = organization(files[i]!);
      expect(isErrorRow(result)).toBe(false);
      expect({ file: files[i], organizationId: result.organizationId, grade: result.grade }).toEqual({
        file: files[i],
        organizationId: fixture.record.id,
        grade: fixture.expected.grade,
      });
    });
  });

  it("returns an error row and exit code 1 when one record is invalid (json)", () => {
    const run = runCli(["score", mixedBatch, "--as-of", AS_OF, "--format", "json"]);
    expect(run.status).toBe(1);
    expectMixedBatchRows(jsonResults<OutputObject>(run.stdout));
  });

  it("returns an error row and exit code 1 when one record is invalid (ndjson, one line per row)", () => {
    const run = runCli(["score", mixedBatch, "--as-of", AS_OF, "--format", "ndjson"]);
    expect(run.status).toBe(1);
    const lines = ndjsonResultLines(run.stdout);
    expect(lines).toHaveLength(3);
    expectMixedBatchRows(lines.map((l) => JSON.parse(l) as OutputObject));
  });

  it("returns a refused row and exit code 1 when one record is invalid (csv, quoting a name with a comma and a quote)", () => {
    const run = runCli(["score", mixedBatch, "--as-of", AS_OF, "--format", "csv"]);
    expect(run.status).toBe(1);
    // Starts with a UTF-8 byte-order mark, so that Excel on Chinese Windows reads the names as UTF-8.
    expect(run.stdout.startsWith("\ufeffrow,")).toBe(true);
    const [header, ...records] = parseCsv(run.stdout.slice(1));
    expect(records).toHaveLength(3);
    for (const r of records) expect(r).toHaveLength(header!.length);
    const col = (name: string) => {
      const i = header!.indexOf(name);
      expect(i, `column ${name}`).toBeGreaterThanOrEqual(0);
      return i;
    };
    expect(records.map((r) => r[col("row")])).toEqual(["0", "1", "2"]);
    expect(records.map((r) => r[col("organizationId")])).toEqual([first.record.id, invalid.record.id, third.record.id]);
    expect(records[1]![col("status")]).toBe("refused");
    expect(records[0]![col("status")]).not.toBe("refused");
    expect(records[2]![col("status")]).not.toBe("refused");
    expect(records[0]![col("grade")]).toBe(first.expected.grade);
    expect(records[2]![col("grade")]).toBe(third.expected.grade);
    expect(records[2]![col("name")]).toBe(TRICKY_NAME);
    const errors = records[1]![col("errors")]!;
    for (const path of invalid.expectedErrors) expect(errors).toContain(path);
  });

  it("returns an error row for an NDJSON line that is not JSON and scores the other lines, with exit code 1", () => {
    const input = join(tmp, "with-broken-line.ndjson");
    writeFileSync(input, `${JSON.stringify(first.record)}\n{"id": "51330800MJ1200011L", "name": \n${JSON.stringify(third.record)}\n`);
    const run = runCli(["score", input, "--as-of", AS_OF, "--format", "json"]);
    expect(run.status).toBe(1);
    const rows = jsonResults<OutputObject>(run.stdout);
    expect(rows).toHaveLength(3);
    expect(rows.map(isErrorRow)).toEqual([false, true, false]);
    expect(rows[0]!.organizationId).toBe(first.record.id);
    expect(rows[0]!.grade).toBe(first.expected.grade);
    expect(rows[2]!.organizationId).toBe(third.record.id);
    expect(rows[2]!.grade).toBe(third.expected.grade);
    expect(rows[1]!.row).toBe(1);
    expect(rows[1]!.organizationId ?? null).toBeNull();
  });

  it("prints a table with one line per row and a summary of 3 read, 2 scored, 1 refused", () => {
    const run = runCli(["score", mixedBatch, "--as-of", AS_OF, "--format", "table"]);
    expect(run.status).toBe(1);
    const lines = run.stdout.split("\n");
    const ids = [first.record.id, invalid.record.id, third.record.id];
    const lineOf = ids.map((id) => {
      const at = lines.flatMap((l, i) => (l.includes(id) ? [i] : []));
      expect(at, `lines naming ${id}`).toHaveLength(1);
      return at[0]!;
    });
    expect(lineOf).toEqual([...lineOf].sort((a, b) => a - b));
    expect(lines.filter((l) => l.includes("read 3, scored 2, refused 1"))).toHaveLength(1);
  });

  it("exits with code 2 and names --as-of when bare records come without --as-of", () => {
    const run = runCli(["score", mixedBatch, "--format", "json"]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("--as-of");
    expect(run.stdout.trim()).toBe("");
  });

  it("exits with code 2 when --as-of is not a calendar date (2023-02-30)", () => {
    const run = runCli(["score", mixedBatch, "--as-of", "2023-02-30", "--format", "json"]);
    expect(run.status).toBe(2);
    expect(run.stdout.trim()).toBe("");
  });

  it("exits with code 2 and names the file when a rule file in --rules refers to an unknown fact", () => {
    const rules = join(tmp, "rules-broken");
    cpSync(REFERENCE_RULES_DIR, rules, { recursive: true });
    // The intact copy loads: the failure below is the broken file's.
    expect(runCli(["score", "fixtures/organizations", "--rules", rules, "--format", "json"]).status).toBe(0);

    const rulePath = join(rules, "A1.json");
    const rule = readJson<{ cases: Array<{ conditions: { all: Array<{ fact: string }> } }> }>(rulePath);
    rule.cases[0]!.conditions.all[0]!.fact = "noSuchFact";
    writeFileSync(rulePath, JSON.stringify(rule, null, 2));

    const run = runCli(["score", "fixtures/organizations", "--rules", rules, "--format", "json"]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("A1.json");
    expect(run.stdout.trim()).toBe("");
  });

  it("writes the output to --out and prints nothing on standard output", () => {
    const out = join(tmp, "out.json");
    const expected = runCli(["score", "fixtures/organizations", "--format", "json"]);
    const run = runCli(["score", "fixtures/organizations", "--format", "json", "--out", out]);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe("");
    expect(existsSync(out)).toBe(true);
    const written = readFileSync(out, "utf8");
    expect(written).toBe(expected.stdout);
    expect(jsonResults(written)).toHaveLength(organizationFiles().length);
  });

  it("applies --as-of to every envelope instead of the envelope's own asOf", () => {
    const asOf = "2025-06-30";
    const files = organizationFiles();
    for (const f of files) expect(organization(f).asOf).not.toBe(asOf);
    const run = runCli(["score", "fixtures/organizations", "--as-of", asOf, "--format", "json"]);
    expect(run.status).toBe(0);
    const results = jsonResults<OutputObject>(run.stdout);
    expect(results).toHaveLength(files.length);
    expect(results.map((r) => r.asOf)).toEqual(files.map(() => asOf));
  });

  it("gives byte-identical output in the UTC, Asia/Shanghai, Pacific/Kiritimati and America/Los_Angeles time zones", () => {
    const outputs = ["UTC", "Asia/Shanghai", "Pacific/Kiritimati", "America/Los_Angeles"].map((TZ) => {
      const run = runCli(["score", "fixtures/organizations", "--format", "json"], { TZ });
      expect(run.status, `TZ=${TZ}`).toBe(0);
      expect(run.stdout.length, `TZ=${TZ}`).toBeGreaterThan(0);
      return run.stdout;
    });
    for (const o of outputs.slice(1)) expect(o).toBe(outputs[0]);
  });

  it("exits with code 2 on an unknown command", () => {
    const run = runCli(["grade", "fixtures/organizations", "--format", "json"]);
    expect(run.status).toBe(2);
    expect(run.stdout.trim()).toBe("");
  });
});
