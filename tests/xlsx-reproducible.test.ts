// Issue 10, class 5: every output is byte-reproducible from the same inputs — at another time of day, on
// another day, in another time zone. The XLSX output carries the committed spreadsheets' fixed document
// date (src/_lib/document-date.ts) in docProps/core.xml and on every zip entry.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { importCli } from "./_lib/in-process.js";
import { FIXTURES_DIR } from "./_lib/fixtures.js";

type RunCli = (argv: string[]) => Promise<number>;
let runCli: RunCli;
let dir: string;
const realTz = process.env.TZ;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "soc-reproducible-"));
  runCli = await importCli();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let out = "";
beforeEach(() => {
  out = "";
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => ((out += String(chunk)), true));
  vi.spyOn(process.stderr, "write").mockImplementation(() => true);
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  process.env.TZ = realTz;
  process.exitCode = undefined;
});

const ORGANIZATIONS = join(FIXTURES_DIR, "organizations");
const INVALID = join(FIXTURES_DIR, "invalid");
/** Two moments far apart (another day, another hour and second) and two time zones 8 hours apart. */
const RUNS = [
  { tz: "UTC", at: new Date("2026-03-01T10:11:12.345Z") },
  { tz: "Asia/Shanghai", at: new Date("2027-11-30T23:59:58.999Z") },
];

/** Runs `argv` at a given moment in a given time zone; returns the bytes of `outputs` (paths, or "-" for standard output). */
async function runAt(run: (typeof RUNS)[number], argv: string[], outputs: string[]): Promise<Buffer[]> {
  process.env.TZ = run.tz;
  vi.useFakeTimers({ toFake: ["Date"], now: run.at });
  out = "";
  const code = await runCli(argv);
  vi.useRealTimers();
  expect(code).toBeLessThan(2);
  return outputs.map((p) => (p === "-" ? Buffer.from(out) : readFileSync(p)));
}

async function reproducible(name: string, argv: (o: string) => string[], outputs: (o: string) => string[]): Promise<void> {
  const [a, b] = [join(dir, `${name}-a`), join(dir, `${name}-b`)];
  const first = await runAt(RUNS[0]!, argv(a), outputs(a));
  const second = await runAt(RUNS[1]!, argv(b), outputs(b));
  expect(first.length).toBeGreaterThan(0);
  first.forEach((bytes, i) => {
    expect(bytes.length, `${name} output ${i}`).toBeGreaterThan(0);
    expect(bytes.equals(second[i]!), `${name} output ${i} differs between the two runs`).toBe(true);
  });
}

describe("score --format xlsx", () => {
  it("gives identical bytes at other times and in other time zones (docProps/core.xml, zip entry times)", async () => {
    await reproducible("xlsx", (o) => ["score", ORGANIZATIONS, "--format", "xlsx", "--out", `${o}.xlsx`], (o) => [`${o}.xlsx`]);
  });

  it("says it was made on the fixed document date, as the committed spreadsheets do", async () => {
    const path = join(dir, "dated.xlsx");
    await runAt(RUNS[1]!, ["score", ORGANIZATIONS, "--format", "xlsx", "--out", path], [path]);
    const committed = readFileSync(join(FIXTURES_DIR, "spreadsheets", "example.xlsx"));
    const ExcelJS = (await import("exceljs")).default;
    const [ours, theirs] = [new ExcelJS.Workbook(), new ExcelJS.Workbook()];
    await ours.xlsx.readFile(path);
    await theirs.xlsx.load(committed as unknown as ArrayBuffer);
    expect(ours.created.toISOString()).toBe(theirs.created.toISOString());
    expect(ours.modified.toISOString()).toBe(theirs.modified.toISOString());
  });
});

describe("every other output the CLI writes", () => {
  // These outputs were reproducible before; kept here so that every format is checked the same way.
  it.each([
    ["json", ["--format", "json"]],
    ["ndjson", ["--format", "ndjson"]],
    ["csv", ["--format", "csv"]],
    ["table", ["--format", "table"]],
  ])("score --format %s", async (name, format) => {
    await reproducible(`score-${name}`, (o) => ["score", ORGANIZATIONS, ...format, "--out", o], (o) => [o]);
    await reproducible(`score-${name}-refused`, (o) => ["score", INVALID, "--as-of", "2024-01-01", ...format, "--out", o], (o) => [o]);
  });

  it("report (HTML and Markdown), diff (text and json), shadow (text and json), explain, verify, generate", async () => {
    const results = join(dir, "r.ndjson");
    await runAt(RUNS[0]!, ["score", ORGANIZATIONS, "--format", "ndjson", "--out", results], [results]);
    const rules = join(FIXTURES_DIR, "..", "rules", "quzhou-reference");
    await reproducible("report", (o) => ["report", results, "--out", `${o}.html`, "--markdown", `${o}.md`], (o) => [`${o}.html`, `${o}.md`]);
    await reproducible("diff-text", (o) => ["diff", results, results, "--out", o], (o) => [o]);
    await reproducible("diff-json", (o) => ["diff", results, results, "--format", "json", "--out", o], (o) => [o]);
    await reproducible("shadow-text", (o) => ["shadow", "--rules", rules, "--rules", rules, ORGANIZATIONS, "--out", o], (o) => [o]);
    await reproducible("shadow-json", (o) => ["shadow", "--rules", rules, "--rules", rules, ORGANIZATIONS, "--format", "json", "--out", o], (o) => [o]);
    await reproducible("explain", () => ["explain", join(ORGANIZATIONS, "01-clean-association.json"), "--id", "51330800MJ1200011L"], () => ["-"]);
    await reproducible("verify", () => ["verify", ORGANIZATIONS, results], () => ["-"]);
    await reproducible("generate", (o) => ["generate", "--count", "50", "--seed", "7", "--out", o], (o) => [o]);
  });
});
