// The CLI commands other than score's text formats, run inside the test process (tests/audit-cli.test.ts,
// tests/cli-rules.test.ts, tests/shadow.test.ts and tests/explain.test.ts run the built command as a
// subprocess, which coverage cannot see): generate, score --format xlsx and spreadsheet inputs, report,
// diff, shadow, verify, explain, rules check and the branches of main.ts, each checked against what the
// test computes itself from the files the commands read and write. Also the main-thread side of worker
// batches (src/audit/parallel.ts).
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ExcelJS from "exceljs";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { generatePopulation } from "../src/audit/generate.js";
import { createEvaluator } from "../src/evaluate.js";
import { LIBRARY_VERSION } from "../src/version.js";
import { isValidCreditCode } from "../src/record/credit-code.js";
import { FIXTURES_DIR, invalidFixtures, organizationFixtures } from "./_lib/fixtures.js";
import { EXAMPLE_FIXTURES } from "../scripts/spreadsheet-example.js";
import { endOfResults, jsonResults, ndjsonResultLines, ndjsonResults } from "./_lib/results.js";

type RunCli = (argv: string[]) => Promise<number>;
type Commands = Map<string, { run(args: string[]): Promise<number> }>;
let runCli: RunCli;
let COMMANDS: Commands;
let out = "";
let err = "";
let dir: string;

const ROOT = join(import.meta.dirname, "..");
const REFERENCE = join(ROOT, "rules", "quzhou-reference");
const REVISION = join(ROOT, "rules", "quzhou-versions-example", "2026.1");
const VERSIONS = join(ROOT, "rules", "quzhou-versions-example");
const ORGANIZATIONS = join(FIXTURES_DIR, "organizations");
const SPREADSHEETS = join(FIXTURES_DIR, "spreadsheets");
const LEVELS = ["A", "B", "C", "D", "E"];
const AS_OF = "2023-05-31";

const fixtures = organizationFixtures();
const fixture = (n: string) => fixtures.find((f) => f.file.startsWith(`${n}-`))!;
const bad = invalidFixtures().find((f) => f.file.startsWith("27-"))!;

// The fixture organizations the shipped example workbook (and its CSV folder) were made from, in row order.
const EXAMPLE_SOURCES = EXAMPLE_FIXTURES.map((file) => file.slice(0, 2));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "soc-cli-commands-in-process-"));
  // Worker threads load the built worker; `npm test` builds it, a lone run of this file may not have.
  if (!existsSync(join(ROOT, "dist", "batch-worker.js"))) execFileSync("npx", ["tsup", "--silent"], { cwd: ROOT, stdio: "ignore" });
  // The module runs the command line it was started with as soon as it loads: give it --version.
  const argv = process.argv;
  process.argv = [process.execPath, "social-org-credit", "--version"];
  const write = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
  try {
    ({ runCli, COMMANDS } = (await import("../src/cli/main.js")) as { runCli: RunCli; COMMANDS: Commands });
    await vi.waitFor(() => expect(write).toHaveBeenCalledWith(`${LIBRARY_VERSION}\n`));
  } finally {
    write.mockRestore();
    process.argv = argv;
    process.exitCode = undefined;
  }
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeEach(() => {
  out = "";
  err = "";
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => ((out += String(chunk)), true));
  vi.spyOn(process.stderr, "write").mockImplementation((chunk) => ((err += String(chunk)), true));
});
afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

/** Runs a command with fresh captured output; returns its exit code and what it wrote. */
async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  out = "";
  err = "";
  // In a beforeAll the spies of beforeEach are not in place yet: capture here, and restore after.
  const own = vi.isMockFunction(process.stdout.write)
    ? []
    : [
        vi.spyOn(process.stdout, "write").mockImplementation((chunk) => ((out += String(chunk)), true)),
        vi.spyOn(process.stderr, "write").mockImplementation((chunk) => ((err += String(chunk)), true)),
      ];
  try {
    const code = await runCli(argv);
    return { code, stdout: out, stderr: err };
  } finally {
    for (const spy of own) spy.mockRestore();
  }
}

function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

type Row = Record<string, any> & { organizationId?: string; grade?: string; score?: number; error?: { code: string; message: string; issues: Array<{ path: string }> } };
const ndjsonRows = (text: string): Row[] => ndjsonResults<Row>(text);
const gradesById = (rows: Row[]) => new Map(rows.filter((r) => !("error" in r)).map((r) => [r.organizationId!, r.grade!]));
const countBy = (values: string[]) => {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return counts;
};

describe("main.ts", () => {
  it("prints the version with --version and -v, and the usage of every command with --help", async () => {
    for (const flag of ["--version", "-v"]) {
      const r = await run([flag]);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`${LIBRARY_VERSION}\n`);
    }
    const help = await run(["help"]);
    expect(help.code).toBe(0);
    for (const summary of ["score <file|folder>", "generate --count N", "report <results>", "diff <before> <after>", "verify <records> <results>", "shadow --rules A", "rules check [DIR]", "explain <file|folder> --id CODE"]) {
      expect(help.stdout).toContain(`social-org-credit ${summary}`);
    }
  });

  it("exits 2 with the usage for no command and an unknown command", async () => {
    const none = await run([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^error: a command is required\n\nsocial-org-credit /);
    const unknown = await run(["grade-all"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^error: unknown command grade-all 未知命令\n/);
    expect(unknown.stderr).toContain("The commands: score, generate, report, diff, verify, shadow, rules, explain");
  });

  it("exits 2 with one line for a missing file, an input of an unknown kind and an invalid rule set", async () => {
    const missing = join(dir, "no-such-file.json");
    const r = await run(["score", missing, "--as-of", AS_OF]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: ENOENT: no such file or directory.*no-such-file\.json/);
    expect(r.stdout).toBe("");

    const txt = file("register.txt", "{}");
    const kind = await run(["score", txt, "--as-of", AS_OF]);
    expect(kind.code).toBe(2);
    expect(kind.stderr).toBe(`error: ${txt}: not a kind of input this command reads (JSON, NDJSON, xlsx, csv-folder)\n`);

    const rules = join(dir, "broken-for-score");
    cpSync(REFERENCE, rules, { recursive: true });
    const k1 = JSON.parse(readFileSync(join(rules, "K1.json"), "utf8")) as { atBest: string };
    k1.atBest = "F";
    writeFileSync(join(rules, "K1.json"), JSON.stringify(k1));
    const invalid = await run(["score", ORGANIZATIONS, "--rules", rules]);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toMatch(/^error: the rule set is invalid 规则集无效:\n {2}K1\.json \[K1\] atBest: unknown level "F"/);
  });

  it("passes on an error that is neither the user's nor the system's (a fault) instead of exiting 2", async () => {
    vi.spyOn(COMMANDS.get("rules")!, "run").mockRejectedValue(new TypeError("a fault inside a command"));
    await expect(runCli(["rules", "check"])).rejects.toThrow("a fault inside a command");
    expect(err).toBe("");
  });
});

describe("generate", () => {
  const expected = [...generatePopulation({ count: 6, seed: 9, asOf: "2024-06-30" })].map((r) => `${JSON.stringify(r)}\n`).join("");

  it("writes the library's population as NDJSON to standard output, the same bytes twice for the same seed", async () => {
    const a = await run(["generate", "--count", "6", "--seed", "9", "--as-of", "2024-06-30"]);
    const b = await run(["generate", "--count", "6", "--seed", "9", "--as-of", "2024-06-30"]);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(expected);
    expect(b.stdout).toBe(a.stdout);
    expect(a.stdout.split("\n").filter((l) => l !== "")).toHaveLength(6);
    expect(a.stderr).toContain("generated 6 organization records as of 2024-06-30, seed 9");
    const other = await run(["generate", "--count", "6", "--seed", "10", "--as-of", "2024-06-30"]);
    expect(other.stdout).not.toBe(a.stdout);
  });

  it("writes the same bytes to --out and nothing to standard output; asOf defaults to the register's date", async () => {
    const path = join(dir, "generated.ndjson");
    const r = await run(["generate", "--count", "6", "--seed", "9", "--as-of", "2024-06-30", "--out", path]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    expect(readFileSync(path, "utf8")).toBe(expected);
    const byDefault = await run(["generate", "--count", "3", "--seed", "2"]);
    expect(byDefault.stdout).toBe([...generatePopulation({ count: 3, seed: 2, asOf: AS_OF })].map((x) => `${JSON.stringify(x)}\n`).join(""));
    expect(byDefault.stderr).toContain(`as of ${AS_OF}`);
  });

  it("numbers a part of a population from --first: its credit codes follow on from the part before", async () => {
    const r = await run(["generate", "--count", "3", "--seed", "5", "--first", "1000"]);
    expect(r.code).toBe(0);
    const records = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { id: string });
    expect(r.stdout).toBe([...generatePopulation({ count: 3, seed: 5, asOf: AS_OF, first: 1000 })].map((x) => `${JSON.stringify(x)}\n`).join(""));
    expect(records.map((x) => x.id.slice(10, 17))).toEqual(["0001001", "0001002", "0001003"]);
    for (const x of records) expect(isValidCreditCode(x.id)).toBe(true);
  });

  it("exits 2 for a count that is not a whole number, a missing seed, a file argument and a bad date", async () => {
    const cases: Array<[string[], RegExp]> = [
      [["generate", "--count", "ten", "--seed", "1"], /--count must be a whole number from 0 to 9999999; found ten/],
      [["generate", "--count", "10", "--seed", "1", "--first", "9999990"], /--first must be a whole number from 0 to 9999989; found 9999990/],
      [["generate", "--count", "10"], /--seed is required/],
      [["generate", "--count", "1", "--seed", "1", "extra.ndjson"], /generate takes no file argument; found extra\.ndjson/],
      [["generate", "--count", "1", "--seed", "1", "--as-of", "2023-02-29"], /--as-of must be a calendar date/],
    ];
    for (const [argv, message] of cases) {
      const r = await run(argv);
      expect(r.code, argv.join(" ")).toBe(2);
      expect(r.stderr, argv.join(" ")).toMatch(message);
      expect(r.stdout, argv.join(" ")).toBe("");
    }
  });
});

describe("score --format xlsx", () => {
  it("writes sheets results, measures and errors with one row per result, per measure and per problem", async () => {
    const clean = [fixture("01"), fixture("06"), fixture("16")];
    const input = file("xlsx-input.json", JSON.stringify([clean[0]!.record, bad.record, clean[1]!.record, clean[2]!.record]));
    const path = join(dir, "results.xlsx");
    const r = await run(["score", input, "--as-of", AS_OF, "--format", "xlsx", "--out", path]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^read 4, scored 3, refused 1/);

    const json = await run(["score", input, "--as-of", AS_OF, "--format", "json"]);
    const rows = jsonResults<Row>(json.stdout);
    const scored = rows.filter((x) => !("error" in x));
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(path);
    expect(wb.worksheets.map((w) => w.name)).toEqual(["results", "measures", "errors"]);
    const dataRows = (name: string) => {
      const list: unknown[][] = [];
      wb.getWorksheet(name)!.eachRow((row, n) => {
        if (n > 1) list.push((row.values as unknown[]).slice(1));
      });
      return list;
    };
    const header = (name: string) => (wb.getWorksheet(name)!.getRow(1).values as string[]).slice(1);
    const col = (name: string, key: string) => header(name).findIndex((h) => h.endsWith(` ${key}`));
    const results = dataRows("results");
    expect(results).toHaveLength(3);
    expect(results.map((x) => x[col("results", "organizationId")])).toEqual(scored.map((x) => x.organizationId));
    expect(results.map((x) => x[col("results", "score")])).toEqual(scored.map((x) => x.score));
    expect(results.map((x) => x[col("results", "grade")])).toEqual(scored.map((x) => x.grade));
    expect(results.map((x) => x[col("results", "row")])).toEqual([0, 2, 3]);
    expect(dataRows("measures")).toHaveLength(scored.reduce((s, x) => s + (x.measures as unknown[]).length, 0));
    const errors = dataRows("errors");
    const issues = rows[1]!.error!.issues;
    expect(errors).toHaveLength(issues.length);
    expect(errors.map((e) => e[col("errors", "path")]).sort()).toEqual(issues.map((i) => i.path).sort());
    expect(errors.every((e) => e[col("errors", "row")] === 1)).toBe(true);
  });

  it("writes an errors row without a problem path for a refusal with no issues", async () => {
    const input = file("xlsx-no-date.ndjson", `${JSON.stringify({ asOf: AS_OF, record: fixture("01").record })}\n${JSON.stringify(fixture("06").record)}\n`);
    const path = join(dir, "no-date.xlsx");
    expect((await run(["score", input, "--format", "xlsx", "--out", path])).code).toBe(1);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(path);
    const errors: unknown[][] = [];
    wb.getWorksheet("errors")!.eachRow((row, n) => {
      if (n > 1) errors.push((row.values as unknown[]).slice(1));
    });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain("missing_as_of");
    expect(wb.getWorksheet("results")!.rowCount).toBe(2);
  });

  it("exits 2 without --out", async () => {
    const r = await run(["score", ORGANIZATIONS, "--format", "xlsx"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--format xlsx writes a file: give --out FILE/);
  });
});

describe("score with a spreadsheet input", () => {
  it("scores example.xlsx and the example CSV folder exactly as the fixture records they were made from", async () => {
    const records = file("example-records.json", JSON.stringify(EXAMPLE_SOURCES.map((n) => fixture(n).record)));
    const fromJson = await run(["score", records, "--as-of", AS_OF, "--format", "json"]);
    expect(fromJson.code).toBe(0);
    const expected = jsonResults<Row>(fromJson.stdout);
    expect(expected.map((x) => x.organizationId)).toEqual(EXAMPLE_SOURCES.map((n) => fixture(n).record.id));

    const xlsx = await run(["score", join(SPREADSHEETS, "example.xlsx"), "--as-of", AS_OF, "--format", "ndjson"]);
    expect(xlsx.code).toBe(0);
    expect(xlsx.stderr).toBe("read 9, scored 9, refused 0 (读取 9，评分 9，拒绝 0)\n");
    expect(ndjsonRows(xlsx.stdout)).toEqual(expected);

    const csv = await run(["score", join(SPREADSHEETS, "example-csv"), "--as-of", AS_OF, "--format", "csv"]);
    expect(csv.code).toBe(0);
    const lines = csv.stdout.trim().split("\n");
    expect(lines).toHaveLength(10);
    const head = lines[0]!.split(",");
    const [idAt, scoreAt, gradeAt] = ["organizationId", "score", "grade"].map((k) => head.indexOf(k));
    const cells = lines.slice(1).map((l) => l.split(","));
    expect(cells.map((c) => [c[idAt!], Number(c[scoreAt!]), c[gradeAt!]])).toEqual(expected.map((x) => [x.organizationId, x.score, x.grade]));
    expect(cells.every((c) => c[head.indexOf("source")]!.includes("organizations"))).toBe(true);
  });
});

describe("report, diff and verify over results files", () => {
  let records: string;
  let before: string;
  let after: string;
  let beforeRows: Row[];
  let afterRows: Row[];
  const COUNT = 60;

  beforeAll(async () => {
    records = join(dir, "population.ndjson");
    expect((await run(["generate", "--count", String(COUNT), "--seed", "3", "--out", records])).code).toBe(0);
    // One refused row: a record without its name.
    writeFileSync(records, `${readFileSync(records, "utf8")}${JSON.stringify({ ...fixture("01").record, name: undefined })}\n`);
    before = join(dir, "before.ndjson");
    after = join(dir, "after.ndjson");
    expect((await run(["score", records, "--as-of", AS_OF, "--format", "ndjson", "--out", before])).code).toBe(1);
    expect((await run(["score", records, "--as-of", "2024-11-30", "--format", "ndjson", "--out", after])).code).toBe(1);
    beforeRows = ndjsonRows(readFileSync(before, "utf8"));
    afterRows = ndjsonRows(readFileSync(after, "utf8"));
    expect(beforeRows).toHaveLength(COUNT + 1);
  });

  it("report writes the HTML page and its Markdown twin with the level distribution of the results", async () => {
    const html = join(dir, "audit.html");
    const r = await run(["report", before, "--out", html]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`report of ${COUNT + 1} rows (${COUNT} scored, 1 refused)`);
    const page = readFileSync(html, "utf8");
    const markdown = readFileSync(join(dir, "audit.md"), "utf8");
    const counts = countBy(beforeRows.filter((x) => !("error" in x)).map((x) => x.grade!));
    expect([...counts.values()].reduce((s, n) => s + n, 0)).toBe(COUNT);
    expect(counts.size).toBeGreaterThan(1);

    const chart = /<figure class="chart" data-chart="levels">([\s\S]*?)<\/figure>/.exec(page)![1]!;
    const bars = [...chart.matchAll(/data-key="(\w+)" data-value="(\d+)"/g)].map((m) => [m[1], Number(m[2])]);
    expect(bars).toEqual(LEVELS.map((l) => [l, counts.get(l) ?? 0]));

    const section = markdown.split("## 等级分布 Level distribution\n")[1]!.split("\n## ")[0]!;
    const labels: Record<string, string> = { A: "优秀 excellent", B: "良好 good", C: "一般 fair", D: "较差 poor", E: "差 very poor" };
    for (const l of LEVELS) expect(section).toContain(`| ${l} ${labels[l]} | ${counts.get(l) ?? 0} |`);
    expect(markdown).toContain(`- 读取 read: ${COUNT + 1}\n- 已评分 scored: ${COUNT}\n- 被拒绝 refused: 1`);
    expect(markdown).toContain("name: required field is missing");
    expect(page).not.toMatch(/<script/);
  });

  it("report writes the Markdown where --markdown says, and needs --out and one results file", async () => {
    const html = join(dir, "audit-2.htm");
    const md = join(dir, "twin.md");
    expect((await run(["report", after, "--out", html, "--markdown", md, "--rules", REFERENCE])).code).toBe(0);
    const afterCounts = countBy(afterRows.filter((x) => !("error" in x)).map((x) => x.grade!));
    const section = readFileSync(md, "utf8").split("## 等级分布 Level distribution\n")[1]!.split("\n## ")[0]!;
    expect(section).toContain(`| A 优秀 excellent | ${afterCounts.get("A") ?? 0} |`);
    expect(readFileSync(html, "utf8")).toMatch(/^<!DOCTYPE html>/);
    const noOut = await run(["report", before]);
    expect(noOut.code).toBe(2);
    expect(noOut.stderr).toMatch(/report writes a file: give --out REPORT\.html/);
    expect((await run(["report", "--out", html])).stderr).toMatch(/report takes exactly one results file/);
    const wrong = await run(["report", records, "--out", join(dir, "wrong.html")]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain("not a result or an error row");
  });

  it("diff --format json counts each organization in its cell of the migration matrix", async () => {
    const r = await run(["diff", before, after, "--format", "json"]);
    expect(r.code).toBe(0);
    const d = JSON.parse(r.stdout) as { matrix: Record<string, Record<string, number>>; compared: number; levels: string[]; changed: Array<{ organizationId: string; gradeBefore: string; gradeAfter: string }>; refused: { before: number; after: number }; unreadable: { before: number; after: number } };
    const a = gradesById(beforeRows);
    const b = gradesById(afterRows);
    const expected: Record<string, Record<string, number>> = {};
    let moved = 0;
    for (const [id, g] of a) {
      const h = b.get(id)!;
      expected[g] ??= {};
      expected[g][h] = (expected[g][h] ?? 0) + 1;
      if (g !== h) moved++;
    }
    expect(moved).toBeGreaterThan(0);
    expect(d.compared).toBe(COUNT);
    expect(d.levels).toEqual(LEVELS);
    for (const f of LEVELS) for (const t of LEVELS) expect(d.matrix[f]?.[t] ?? 0, `${f}→${t}`).toBe(expected[f]?.[t] ?? 0);
    expect(d.changed).toHaveLength(moved);
    for (const c of d.changed) expect([c.gradeBefore, c.gradeAfter]).toEqual([a.get(c.organizationId), b.get(c.organizationId)]);
    expect(d.refused).toEqual({ before: 1, after: 1 });
    expect(d.unreadable).toEqual({ before: 0, after: 0 });
    expect(r.stderr).toContain(`compared ${COUNT}, changed level ${moved}`);
  });

  it("diff as text prints the matrix rows, the changed organizations and writes --out", async () => {
    const path = join(dir, "diff.txt");
    const r = await run(["diff", before, after, "--out", path]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    const text = readFileSync(path, "utf8");
    const a = gradesById(beforeRows);
    const b = gradesById(afterRows);
    for (const f of LEVELS) {
      const cells = LEVELS.map((t) => [...a].filter(([id, g]) => g === f && b.get(id) === t).length);
      expect(text).toMatch(new RegExp(`^${f} +${cells.join(" +")}$`, "m"));
    }
    const moved = [...a].filter(([id, g]) => b.get(id) !== g);
    expect(text).toContain(`Organizations that changed level: ${moved.length}`);
    for (const [id, g] of moved) expect(text).toMatch(new RegExp(`^ {2}${id} .* ${g} → ${b.get(id)} `, "m"));
    expect(text).toMatch(/refused rows 拒绝: before 1, after 1; unreadable lines 无法读取: before 0, after 0/);
  });

  it("diff lists organizations on one side only, counts unreadable lines with exit 1, and refuses bad arguments", async () => {
    const lines = ndjsonResultLines(readFileSync(before, "utf8"));
    const dropped = beforeRows[0]!.organizationId!;
    // A damaged file (a line that is not JSON, no trailer) is compared only when told to go on.
    const shorter = file("before-short.ndjson", `${lines.slice(1).join("\n")}\n{"not json\n`);
    const r = await run(["diff", shorter, after, "--allow-incomplete"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("INCOMPLETE 不完整:");
    expect(r.stdout).toContain(`仅在之后 Only after: ${dropped}`);
    expect(r.stdout).toMatch(/unreadable lines 无法读取: before 1, after 0/);
    expect(r.stdout).toMatch(new RegExp(`compared 比较 ${COUNT - 1}; only before 仅之前 0; only after 仅之后 1`));
    const cases: Array<[string[], RegExp]> = [
      [["diff", before], /diff takes two results files/],
      [["diff", before, after, "--as-of", AS_OF], /diff takes no --as-of/],
      [["diff", before, after, "--format", "csv"], /--format must be text or json; found csv/],
    ];
    for (const [argv, message] of cases) {
      const x = await run(argv);
      expect(x.code, argv.join(" ")).toBe(2);
      expect(x.stderr, argv.join(" ")).toMatch(message);
    }
  });

  it("verify reproduces every row of an untouched results file, refused row included", async () => {
    const r = await run(["verify", records, before, "--as-of", AS_OF]);
    expect(r.stdout).toBe(`verified 核验通过: all ${COUNT + 1} rows reproduce their recorded result or refusal\n`);
    expect(r.code).toBe(0);
  });

  it("verify names the row of an edited score, of an edited record and of a missing row, exit 1", async () => {
    const lines = ndjsonResultLines(readFileSync(before, "utf8"));
    const edited = JSON.parse(lines[2]!) as { score: number; organizationId: string };
    edited.score += 1;
    lines[2] = JSON.stringify(edited);
    // The last (refused) row left out, with the trailer of what is left: a whole file, one row short.
    const results = file("edited.ndjson", `${lines.slice(0, -1).join("\n")}\n${JSON.stringify(endOfResults(COUNT, 0))}\n`);
    const recordLines = readFileSync(records, "utf8").split("\n").filter((l) => l !== "");
    const changed = JSON.parse(recordLines[5]!) as { id: string; name: string };
    changed.name += "（已改）";
    recordLines[5] = JSON.stringify(changed);
    const changedRecords = file("changed.ndjson", `${recordLines.join("\n")}\n`);

    const r = await run(["verify", changedRecords, results, "--as-of", AS_OF]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`row 2 ${edited.organizationId}: same digest, but the result differs in score (the results file was edited)\n`);
    expect(r.stdout).toMatch(new RegExp(`^row 5 ${changed.id}: digest differs`, "m"));
    expect(r.stdout).toMatch(new RegExp(`^row ${COUNT}: no results row for this input row`, "m"));
    expect(r.stdout).toContain(`MISMATCH 不一致: 3 of ${COUNT + 1} rows do not reproduce`);
  });

  it("verify finds a results file longer than its input, a refusal that now scores, and another rule set", async () => {
    const lines = ndjsonResultLines(readFileSync(before, "utf8"));
    const recordLines = readFileSync(records, "utf8").split("\n").filter((l) => l !== "");
    const twoRecords = file("two-records.ndjson", `${recordLines.slice(0, 2).join("\n")}\n`);
    // Row 1 recorded as refused, though its record scores; then one results row too many.
    const refusedRow = JSON.stringify({ row: 1, source: "x", organizationId: null, error: { code: "invalid_record", message: "m", issues: [] } });
    const results = file("longer.ndjson", `${lines[0]}\n${refusedRow}\n${lines[2]}\n${JSON.stringify(endOfResults(2, 1))}\n`);
    const r = await run(["verify", twoRecords, results, "--as-of", AS_OF]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^row 1: the row says refused \(invalid_record\), but the record scores now \(grade [A-E]\)$/m);
    expect(r.stdout).toMatch(/^row 2: a results row with no input row \(the results file is longer\)$/m);
    expect(r.stdout).toContain("MISMATCH 不一致: 2 of 3 rows do not reproduce");

    const other = await run(["verify", twoRecords, `${file("two-results.ndjson", `${lines.slice(0, 2).join("\n")}\n${JSON.stringify(endOfResults(2, 0))}\n`)}`, "--rules", REVISION]);
    expect(other.code).toBe(1);
    expect(other.stdout).toMatch(/^row 0 \S+: scored with rule set quzhou-reference@2023\.1 .*pass its folder with --rules$/m);
    expect((await run(["verify", records])).stderr).toMatch(/verify takes two files/);
  });
});

describe("shadow and diff --rules over a generated population", () => {
  let population: string;
  const COUNT = 40;
  const SHADOW_AS_OF = "2026-06-30";

  beforeAll(async () => {
    population = join(dir, "shadow-population.ndjson");
    expect((await run(["generate", "--count", String(COUNT), "--seed", "7", "--as-of", SHADOW_AS_OF, "--out", population])).code).toBe(0);
  });

  it("shadow --format json: the migration matrix holds every organization once, as the two rule sets grade them", async () => {
    const r = await run(["shadow", "--rules", REFERENCE, "--rules", REVISION, population, "--as-of", SHADOW_AS_OF, "--format", "json"]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { read: number; compared: number; refused: number; moved: number; matrix: Record<string, Record<string, number>>; rules: Array<{ id: string }>; b: { versions: string[] } };
    expect(report).toMatchObject({ read: COUNT, compared: COUNT, refused: 0 });
    const cells = Object.values(report.matrix).flatMap((row) => Object.values(row));
    expect(cells.reduce((s, n) => s + n, 0)).toBe(COUNT);
    expect(report.b.versions).toEqual(["2026.1"]);

    // The same population scored by score under each rule set gives the same matrix.
    const a = ndjsonRows((await run(["score", population, "--as-of", SHADOW_AS_OF, "--rules", REFERENCE, "--format", "ndjson"])).stdout);
    const b = ndjsonRows((await run(["score", population, "--as-of", SHADOW_AS_OF, "--rules", REVISION, "--format", "ndjson"])).stdout);
    const expected: Record<string, Record<string, number>> = {};
    a.forEach((x, i) => {
      expected[x.grade!] ??= {};
      expected[x.grade!]![b[i]!.grade!] = (expected[x.grade!]![b[i]!.grade!] ?? 0) + 1;
    });
    for (const f of LEVELS) for (const t of LEVELS) expect(report.matrix[f]?.[t] ?? 0, `${f}→${t}`).toBe(expected[f]?.[t] ?? 0);
    expect(report.moved).toBe(a.filter((x, i) => x.grade !== b[i]!.grade).length);
  });

  it("shadow as text: row totals and the total line add up to the population; diff --rules prints the same", async () => {
    const args = ["--rules", REFERENCE, "--rules", REVISION, population, "--as-of", SHADOW_AS_OF];
    const shadow = await run(["shadow", ...args]);
    expect(shadow.code).toBe(0);
    expect(shadow.stdout).toMatch(new RegExp(`Shadow run 影子运行: ${COUNT} organizations read, ${COUNT} compared, 0 refused`));
    const rowTotals = LEVELS.map((l) => {
      const m = new RegExp(`^ {2}${l} +((?:\\d+ +){5})(\\d+)$`, "m").exec(shadow.stdout)!;
      const cells = m[1]!.trim().split(/ +/).map(Number);
      expect(cells.reduce((s, n) => s + n, 0)).toBe(Number(m[2]));
      return Number(m[2]);
    });
    expect(rowTotals.reduce((s, n) => s + n, 0)).toBe(COUNT);
    expect(shadow.stdout).toMatch(new RegExp(`^ {2}total +(?:\\d+ +){5}${COUNT}$`, "m"));
    expect(shadow.stdout).toMatch(/^ {2}X1 +\d+ +\d+ +\d+ +\d+ +points: -60 → -80$/m);
    const diff = await run(["diff", ...args]);
    expect(diff.code).toBe(0);
    expect(diff.stdout).toBe(shadow.stdout);
  });

  it("shadow --generate scores a generated population; two alike rule sets move nothing", async () => {
    const path = join(dir, "shadow.txt");
    const r = await run(["shadow", "--rules", REFERENCE, "--rules", REFERENCE, "--generate", "25", "--seed", "4", "--as-of", SHADOW_AS_OF, "--out", path]);
    expect(r.code).toBe(0);
    const text = readFileSync(path, "utf8");
    expect(text).toMatch(/25 organizations read, 25 compared, 0 refused/);
    expect(text).toContain("Grade changed 等级变化: 0 of 25 (up 升 0, down 降 0)");
    expect(text).toContain("Changed rules 规则变化: none — A and B score alike");
  });

  it("shadow lists refused rows and exits 1; bad arguments exit 2", async () => {
    const mixed = file("shadow-mixed.ndjson", `${readFileSync(population, "utf8")}${JSON.stringify({ ...fixture("01").record, id: "123" })}\n`);
    const r = await run(["shadow", "--rules", REFERENCE, "--rules", REVISION, mixed, "--as-of", SHADOW_AS_OF]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`${COUNT + 1} organizations read, ${COUNT} compared, 1 refused`));
    expect(r.stdout).toMatch(/Refused 拒绝 \(first 1 of 1\)\n {2}\S+ 123: invalid_record: /);
    const cases: Array<[string[], RegExp]> = [
      [["shadow", "--rules", REFERENCE, population], /--rules twice.*found 1/],
      [["shadow", "--rules", REFERENCE, "--rules", REVISION, population, "--format", "csv"], /--format must be text or json/],
      [["shadow", "--rules", REFERENCE, "--rules", REVISION, population, "--as-of", "2026-02-30"], /--as-of must be a calendar date/],
      [["shadow", "--rules", REFERENCE, "--rules", REVISION, "--generate", "x", "--as-of", SHADOW_AS_OF], /--generate takes a count/],
      [["shadow", "--rules", REFERENCE, "--rules", REVISION, "--generate", "3", "--seed", "1.5", "--as-of", SHADOW_AS_OF], /--seed takes a whole number/],
      [["shadow", "--rules", REFERENCE, "--rules", REVISION, "--generate", "3"], /--generate needs --as-of/],
      [["shadow", "--rules", REFERENCE, "--rules", REVISION, "--generate", "3", "--as-of", SHADOW_AS_OF, population], /not both/],
      [["shadow", "--rules", REFERENCE, "--rules", REVISION], /exactly one population file/],
    ];
    for (const [argv, message] of cases) {
      const x = await run(argv);
      expect(x.code, argv.join(" ")).toBe(2);
      expect(x.stderr, argv.join(" ")).toMatch(message);
    }
  });
});

describe("explain", () => {
  it("explains fixture 01 in Chinese with its grade letter and score", async () => {
    const f = fixture("01");
    const r = await run(["explain", ORGANIZATIONS, "--id", f.record.id as string, "--lang", "zh"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`信用等级：${f.expected.grade}级（优秀）`);
    expect(r.stdout).toContain(`得分 ${f.expected.score} 分（满分 1000 分）`);
  });

  it("explains fixture 02 in English with its grade letter and score", async () => {
    const f = fixture("02");
    const r = await run(["explain", ORGANIZATIONS, "--id", f.record.id as string, "--lang", "en"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`1. Grade: level ${f.expected.grade} (poor).`);
    expect(r.stdout).toContain(`The score is ${f.expected.score} of 1000`);
  });

  it("takes --as-of and --rules; exits 1 for a record that cannot be evaluated and 2 for an unknown id", async () => {
    const f = fixture("01");
    const other = fixture("06").record.id as string;
    const input = file("explain.json", JSON.stringify([{ ...f.record, id: other, registeredOn: "2023-02-29" }, f.record]));
    const dated = await run(["explain", input, "--id", f.record.id as string, "--as-of", f.asOf, "--rules", VERSIONS, "--lang", "en"]);
    expect(dated.code).toBe(0);
    expect(dated.stdout).toContain(`The score is ${f.expected.score} of 1000`);
    const invalid = await run(["explain", input, "--id", other, "--as-of", f.asOf]);
    expect(invalid.code).toBe(1);
    expect(invalid.stdout).toBe("");
    expect(invalid.stderr).toBe(
      `${other} (explain.json#0) cannot be evaluated 无法评价: invalid_record: Invalid organization record: registeredOn: expected a real calendar date YYYY-MM-DD between 1900-01-01 and 2199-12-31, found "2023-02-29"\n  registeredOn: 日期无效：应为真实的公历日期 YYYY-MM-DD，实为 "2023-02-29"\n`,
    );
    const unknown = await run(["explain", ORGANIZATIONS, "--id", "51330800MJ00000000"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("no organization with id 51330800MJ00000000");
    const cases: Array<[string[], RegExp]> = [
      [["explain", input, "--id", f.record.id as string], /--as-of is required: the entry of/],
      [["explain", ORGANIZATIONS], /explain needs --id CODE/],
      [["explain", "--id", "x"], /explain takes exactly one input/],
      [["explain", ORGANIZATIONS, "--id", "x", "--lang", "fr"], /--lang must be zh or en; found fr/],
      [["explain", ORGANIZATIONS, "--id", "x", "--as-of", "2023-13-01"], /--as-of must be a calendar date/],
    ];
    for (const [argv, message] of cases) {
      const x = await run(argv);
      expect(x.code, argv.join(" ")).toBe(2);
      expect(x.stderr, argv.join(" ")).toMatch(message);
    }
  });
});

describe("rules check", () => {
  it("passes the bundled reference rules and a folder of versions with exit code 0", async () => {
    const r = await run(["rules", "check"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^rules check 规则检查: .*quzhou-reference\n/);
    expect(r.stdout).toMatch(/quzhou-reference 2023\.1, effectiveFrom .* \(a single version applies on any asOf\)/);
    expect(r.stdout).toContain("OK: no problems");
    const versions = await run(["rules", "check", VERSIONS]);
    expect(versions.code).toBe(0);
    expect(versions.stdout).toMatch(/quzhou-reference 2023\.1, in force from 2023-01-01/);
    expect(versions.stdout).toMatch(/quzhou-reference 2026\.1, in force from 2026-01-01/);
  });

  it("prints each problem of a broken copy with its file and exits 2", async () => {
    const broken = join(dir, "broken-rules");
    cpSync(REFERENCE, broken, { recursive: true });
    const b2 = JSON.parse(readFileSync(join(broken, "B2.json"), "utf8")) as { basis: string[] };
    b2.basis = ["MCA-99"];
    writeFileSync(join(broken, "B2.json"), JSON.stringify(b2));
    const r = await run(["rules", "check", broken]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^ {2}B2\.json \[B2\] basis\.0: unknown source "MCA-99"; the manifest's sources are MCA-60, /m);
    expect(r.stdout).toMatch(/1 problem: the rule set cannot be used/);
    expect(r.stdout).not.toContain("OK");
  });

  it("exits 2 with the usage for a subcommand other than check and for two folders", async () => {
    const lint = await run(["rules", "lint"]);
    expect(lint.code).toBe(2);
    expect(lint.stderr).toMatch(/rules takes the subcommand check; found lint/);
    expect((await run(["rules"])).stderr).toMatch(/found nothing/);
    expect((await run(["rules", "check", REFERENCE, VERSIONS])).stderr).toMatch(/at most one folder/);
  });
});

describe("evaluateMany on worker threads", () => {
  it("returns the rows of 300 records in input order, equal to those of the main thread", async () => {
    const asOf = "2024-06-30";
    const records: unknown[] = [...generatePopulation({ count: 300, seed: 11, asOf })];
    records.splice(150, 0, { ...fixture("01").record, registeredOn: "2023-02-29" });
    const evaluator = createEvaluator();
    const inWorkers = await evaluator.evaluateMany(records, { asOf, workers: 2 });
    const onThread = await evaluator.evaluateMany(records, { asOf, workers: 0 });
    expect(inWorkers).toHaveLength(301);
    expect(inWorkers.map((r) => r.index)).toEqual(records.map((_, i) => i));
    expect(inWorkers.map((r) => (r.ok ? r.result.organizationId : r.organizationId))).toEqual(records.map((r) => (r as { id: string }).id));
    expect(inWorkers[150]).toMatchObject({ ok: false, error: { code: "invalid_record" } });
    expect(JSON.parse(JSON.stringify(inWorkers))).toEqual(JSON.parse(JSON.stringify(onThread)));
  });

  it("scores through score --workers 2 the same bytes as --workers 0", async () => {
    const input = file("workers.ndjson", [...generatePopulation({ count: 200, seed: 12, asOf: AS_OF })].map((r) => JSON.stringify(r)).join("\n"));
    const two = await run(["score", input, "--as-of", AS_OF, "--format", "ndjson", "--workers", "2"]);
    const none = await run(["score", input, "--as-of", AS_OF, "--format", "ndjson", "--workers", "0"]);
    expect(two.code).toBe(0);
    expect(ndjsonRows(two.stdout)).toHaveLength(200);
    expect(two.stdout).toBe(none.stdout);
  });
});
