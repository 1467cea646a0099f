import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generatePopulation } from "../src/audit/generate.js";
import { FIXTURES_DIR, invalidFixtures, organizationFixtures } from "./_lib/fixtures.js";
import { endOfResults, jsonResults, ndjsonResultLines, ndjsonResults } from "./_lib/results.js";

// These tests run the built CLI (dist/cli.js) over every input kind, as an auditor would.
const ROOT = join(import.meta.dirname, "..");
const CLI = join(ROOT, "dist", "cli.js");
const AS_OF = "2023-05-31";

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[]): Run {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The counts of the closing summary line on standard error. */
function summary(stderr: string): { read: number; scored: number; refused: number } {
  const m = /read (\d+), scored (\d+), refused (\d+)/.exec(stderr);
  expect(m, stderr).not.toBeNull();
  return { read: Number(m![1]), scored: Number(m![2]), refused: Number(m![3]) };
}

type Row = Record<string, unknown> & { error?: { code: string; message: string; issues: Array<{ path: string; message: { en: string } }> }; grade?: string; score?: number; organizationId?: string | null };
const ndjsonRows = (text: string): Row[] => ndjsonResults<Row>(text);

let tmp: string;
const clean = organizationFixtures().filter((f) => f.asOf === AS_OF).slice(0, 4);
const bad = invalidFixtures().find((f) => f.file.startsWith("27-"))!;

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npx tsup\` before these tests`);
  expect(clean).toHaveLength(4);
  tmp = mkdtempSync(join(tmpdir(), "social-org-credit-audit-"));
});
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe("nothing lost: scored + refused = read for every input kind", () => {
  const expectAllBack = (run: Run, rows: Row[], expected: { read: number; refused: number }) => {
    expect(run.status).toBe(1);
    const s = summary(run.stderr);
    expect(s).toEqual({ read: expected.read, scored: expected.read - expected.refused, refused: expected.refused });
    expect(rows).toHaveLength(s.read);
    expect(rows.filter((r) => "error" in r)).toHaveLength(s.refused);
  };

  it("JSON array with an invalid record", () => {
    const input = join(tmp, "batch.json");
    writeFileSync(input, JSON.stringify([clean[0]!.record, bad.record, clean[1]!.record, 42]));
    const run = runCli(["score", input, "--as-of", AS_OF, "--format", "ndjson"]);
    expectAllBack(run, ndjsonRows(run.stdout), { read: 4, refused: 2 });
  });

  it("NDJSON with a line that is not JSON and a blank line", () => {
    const input = join(tmp, "batch.ndjson");
    writeFileSync(input, `${JSON.stringify(clean[0]!.record)}\n{"id": \n\n${JSON.stringify(bad.record)}\n${JSON.stringify(clean[2]!.record)}\n`);
    const run = runCli(["score", input, "--as-of", AS_OF, "--format", "ndjson"]);
    const rows = ndjsonRows(run.stdout);
    expectAllBack(run, rows, { read: 4, refused: 2 });
    expect(rows[1]!.error!.message).toContain("line 2 is not JSON");
  });

  it("XLSX with a bad cell and an entry row of no organization", async () => {
    const input = join(tmp, "register.xlsx");
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(join(FIXTURES_DIR, "spreadsheets", "example.xlsx"));
    wb.getWorksheet("organizations")!.getRow(3).getCell(4).value = "2015-13-01"; // registeredOn of the second organization
    wb.getWorksheet("honours")!.addRow(["51330800MJ99999999", "2022-01-01", "integrity_model"]);
    await wb.xlsx.writeFile(input);
    const run = runCli(["score", input, "--as-of", AS_OF, "--format", "ndjson"]);
    const rows = ndjsonRows(run.stdout);
    expectAllBack(run, rows, { read: 10, refused: 2 });
    expect(rows[1]!.error!.message).toContain("sheet organizations, row 3, column D (registeredOn): expected a calendar date YYYY-MM-DD, found \"2015-13-01\"");
    expect(rows[1]!.error!.issues.map((i) => i.path)).toEqual(["registeredOn"]);
    expect(rows[9]!.error!.message).toContain("sheet honours");
    // verify reads the workbook again and reproduces the results and both refusals.
    const results = join(tmp, "register-results.ndjson");
    writeFileSync(results, run.stdout);
    const verified = runCli(["verify", input, results, "--as-of", AS_OF]);
    expect(verified.stdout).toContain("all 10 rows reproduce");
    expect(verified.status).toBe(0);
  });

  it("CSV folder with a line of too many cells", () => {
    const dir = join(tmp, "register-csv");
    cpSync(join(FIXTURES_DIR, "spreadsheets", "example-csv"), dir, { recursive: true });
    writeFileSync(join(dir, "complaints.csv"), `${readFileSync(join(dir, "complaints.csv"), "utf8")}51330800MJ99999999,2023-01-01,true,oops\r\n`);
    const run = runCli(["score", dir, "--as-of", AS_OF, "--format", "ndjson"]);
    expectAllBack(run, ndjsonRows(run.stdout), { read: 10, refused: 1 });
  });

  it("prints no progress line when standard error is not a terminal", () => {
    const run = runCli(["score", join(FIXTURES_DIR, "spreadsheets", "example.xlsx"), "--as-of", AS_OF, "--format", "ndjson"]);
    expect(run.status).toBe(0);
    expect(run.stderr).toBe("read 9, scored 9, refused 0 (读取 9，评分 9，拒绝 0)\n");
  });

  it("exits 2 with one line for an input of an unknown kind", () => {
    const input = join(tmp, "register.txt");
    writeFileSync(input, "{}");
    const run = runCli(["score", input, "--as-of", AS_OF]);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(`error: ${input}: not a kind of input this command reads (JSON, NDJSON, xlsx, csv-folder)\n`);
  });
});

describe("score --format xlsx", () => {
  it("writes results, measures and errors sheets, one row per result, measure and problem", async () => {
    const input = join(tmp, "mixed.json");
    writeFileSync(input, JSON.stringify([clean[0]!.record, bad.record, clean[3]!.record]));
    const out = join(tmp, "results.xlsx");
    const run = runCli(["score", input, "--as-of", AS_OF, "--format", "xlsx", "--out", out]);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe("");
    const json = jsonResults<Row>(runCli(["score", input, "--as-of", AS_OF, "--format", "json"]).stdout);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(out);
    expect(wb.worksheets.map((w) => w.name)).toEqual(["results", "measures", "errors"]);
    const dataRows = (name: string) => {
      const rows: unknown[][] = [];
      wb.getWorksheet(name)!.eachRow((r, n) => {
        if (n > 1) rows.push((r.values as unknown[]).slice(1));
      });
      return rows;
    };
    const header = (name: string) => (wb.getWorksheet(name)!.getRow(1).values as string[]).slice(1);
    const results = dataRows("results");
    const col = (key: string) => header("results").findIndex((h) => h.endsWith(` ${key}`));
    expect(results.map((r) => r[col("organizationId")])).toEqual([json[0]!.organizationId, json[2]!.organizationId]);
    expect(results.map((r) => r[col("score")])).toEqual([json[0]!.score, json[2]!.score]);
    expect(results.map((r) => r[col("grade")])).toEqual([json[0]!.grade, json[2]!.grade]);
    const measureCount = [json[0]!, json[2]!].reduce((s, r) => s + (r.measures as unknown[]).length, 0);
    expect(dataRows("measures")).toHaveLength(measureCount);
    const errors = dataRows("errors");
    expect(errors.map((e) => e[header("errors").findIndex((h) => h.endsWith(" path"))]).sort()).toEqual(json[1]!.error!.issues.map((i) => i.path).sort());
  });

  it("exits 2 without --out", () => {
    const run = runCli(["score", join(FIXTURES_DIR, "organizations"), "--format", "xlsx"]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("--out");
  });
});

describe("generate", () => {
  it("writes the library's population as NDJSON, the same bytes for the same seed", () => {
    const a = runCli(["generate", "--count", "25", "--seed", "9", "--as-of", "2024-06-30"]);
    const b = runCli(["generate", "--count", "25", "--seed", "9", "--as-of", "2024-06-30"]);
    expect(a.status).toBe(0);
    expect(b.stdout).toBe(a.stdout);
    const expected = [...generatePopulation({ count: 25, seed: 9, asOf: "2024-06-30" })].map((r) => `${JSON.stringify(r)}\n`).join("");
    expect(a.stdout).toBe(expected);
    expect(a.stderr).toContain("generated 25");
  });

  it("exits 2 for a count that is not a whole number, or a missing seed", () => {
    expect(runCli(["generate", "--count", "ten", "--seed", "1"]).status).toBe(2);
    expect(runCli(["generate", "--count", "10"]).status).toBe(2);
  });
});

describe("report, diff and verify over results files", () => {
  let records: string;
  let before: string;
  let after: string;

  beforeAll(() => {
    records = join(tmp, "population.ndjson");
    expect(runCli(["generate", "--count", "120", "--seed", "3", "--out", records]).status).toBe(0);
    // One refused row: a record without its name.
    writeFileSync(records, `${readFileSync(records, "utf8")}${JSON.stringify({ ...clean[0]!.record, name: undefined })}\n`);
    before = join(tmp, "before.ndjson");
    after = join(tmp, "after.ndjson");
    expect(runCli(["score", records, "--as-of", AS_OF, "--format", "ndjson", "--out", before]).status).toBe(1);
    expect(runCli(["score", records, "--as-of", "2023-11-30", "--format", "ndjson", "--out", after]).status).toBe(1);
  });

  it("report writes the HTML page and its Markdown twin with every section and the refused row", () => {
    const html = join(tmp, "audit.html");
    const run = runCli(["report", before, "--out", html]);
    expect(run.status).toBe(0);
    const page = readFileSync(html, "utf8");
    const markdown = readFileSync(join(tmp, "audit.md"), "utf8");
    for (const heading of ["等级分布 Level distribution", "得分分布 Score histogram", "各维度平均得分 Dimension averages", "受限制的社会组织 Restricted organizations", "名录处置建议 Proposed list actions", "建议列入名录 To list", "建议移出名录 To remove", "Revocation review", "Refused rows and their problems"]) {
      expect(page, heading).toContain(heading);
      expect(markdown, heading).toContain(heading);
    }
    expect(page).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    expect(markdown).toContain("name: required field is missing");
    expect(markdown).toContain("- 读取 read: 121\n- 已评分 scored: 120\n- 被拒绝 refused: 1");
  });

  it("report refuses a records file given in place of results, with exit code 2", () => {
    const run = runCli(["report", records, "--out", join(tmp, "wrong.html")]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("not a result or an error row");
  });

  it("diff counts every organization once in the migration matrix and lists each change of level", () => {
    const run = runCli(["diff", before, after, "--format", "json"]);
    expect(run.status).toBe(0);
    const d = JSON.parse(run.stdout) as { matrix: Record<string, Record<string, number>>; compared: number; changed: Array<{ organizationId: string; gradeBefore: string; gradeAfter: string; movedBy: unknown[] }>; refused: { before: number } };
    const a = new Map(ndjsonRows(readFileSync(before, "utf8")).filter((r) => !("error" in r)).map((r) => [r.organizationId, r.grade]));
    const b = new Map(ndjsonRows(readFileSync(after, "utf8")).filter((r) => !("error" in r)).map((r) => [r.organizationId, r.grade]));
    expect(d.compared).toBe(120);
    expect(d.refused.before).toBe(1);
    let moved = 0;
    for (const [id, g] of a) {
      if (b.get(id) !== g) moved++;
    }
    expect(d.changed).toHaveLength(moved);
    expect(Object.values(d.matrix).flatMap((row) => Object.values(row)).reduce((s, n) => s + n, 0)).toBe(120);
    for (const c of d.changed) {
      expect(a.get(c.organizationId)).toBe(c.gradeBefore);
      expect(b.get(c.organizationId)).toBe(c.gradeAfter);
      expect(c.movedBy.length).toBeGreaterThan(0);
    }
    const text = runCli(["diff", before, after]);
    expect(text.stdout).toContain(`Organizations that changed level: ${moved}`);
  });

  it("diff with two --rules is a shadow run: the same output and exit code as shadow", () => {
    const rules = join(FIXTURES_DIR, "..", "rules", "quzhou-reference");
    const args = ["--rules", rules, "--rules", rules, records, "--as-of", AS_OF];
    const viaDiff = runCli(["diff", ...args]);
    const viaShadow = runCli(["shadow", ...args]);
    expect(viaDiff.stdout.length).toBeGreaterThan(0);
    expect(viaDiff.stdout).toBe(viaShadow.stdout);
    expect(viaDiff.status).toBe(viaShadow.status);
  });

  it("verify reproduces every row of an untouched results file, refused row included", () => {
    const run = runCli(["verify", records, before, "--as-of", AS_OF]);
    expect(run.stdout).toContain("all 121 rows reproduce");
    expect(run.status).toBe(0);
  });

  it("verify finds an edited score (same digest, other bytes), an edited record (other digest) and a missing row, with exit code 1", () => {
    const lines = ndjsonResultLines(readFileSync(before, "utf8"));
    const edited = JSON.parse(lines[2]!) as { score: number };
    edited.score += 1;
    lines[2] = JSON.stringify(edited);
    const results = join(tmp, "edited.ndjson");
    // The last row left out, with the trailer of the rows left: a whole file, one row short.
    const kept = lines.slice(0, -1);
    const refused = kept.filter((l) => l.startsWith('{"row"')).length;
    writeFileSync(results, `${kept.join("\n")}\n${JSON.stringify(endOfResults(kept.length - refused, refused))}\n`);
    const recordLines = readFileSync(records, "utf8").split("\n").filter((l) => l !== "");
    const changed = JSON.parse(recordLines[5]!) as { name: string };
    changed.name += "（已改）";
    recordLines[5] = JSON.stringify(changed);
    const changedRecords = join(tmp, "changed.ndjson");
    writeFileSync(changedRecords, `${recordLines.join("\n")}\n`);

    const run = runCli(["verify", changedRecords, results, "--as-of", AS_OF]);
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/^row 2 \S+: same digest, but the result differs in score/m);
    expect(run.stdout).toMatch(/^row 5 \S+: digest differs/m);
    expect(run.stdout).toMatch(/^row 120: no results row for this input row/m);
    expect(run.stdout).toContain("MISMATCH 不一致: 3 of 121 rows");
  });

  it("verify needs the rule set the results were scored with", () => {
    const rules = join(tmp, "rules-copy");
    cpSync(join(ROOT, "rules", "quzhou-reference"), rules, { recursive: true });
    const b2 = JSON.parse(readFileSync(join(rules, "B2.json"), "utf8")) as { points: number };
    b2.points = 25;
    writeFileSync(join(rules, "B2.json"), JSON.stringify(b2));
    const run = runCli(["verify", records, before, "--as-of", AS_OF, "--rules", rules]);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain("pass its folder with --rules");
  });
});

describe("the shipped spreadsheets", () => {
  it("holds template.xlsx, example.xlsx and the example as a CSV folder of every sheet", () => {
    const dir = join(FIXTURES_DIR, "spreadsheets");
    expect(readdirSync(dir).sort()).toEqual(["example-csv", "example.xlsx", "template.xlsx"]);
    expect(readdirSync(join(dir, "example-csv")).length).toBe(10);
  });
});
