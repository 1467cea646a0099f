import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SPREADSHEET_LAYOUT, headerText, sheetRowsOf } from "../src/audit/spreadsheet-layout.js";
import type { InputRow } from "../src/cli/input.js";
import { InputError } from "../src/cli/input-error.js";
import { csvFolderReader, readWorkbookSheets, xlsxReader } from "../src/cli/readers/spreadsheet.js";
import { FIXTURES_DIR, organizationFixtures } from "./_lib/fixtures.js";
import { EXAMPLE_FIXTURES } from "../scripts/spreadsheet-example.js";

const SPREADSHEETS = join(FIXTURES_DIR, "spreadsheets");

// The fixture organizations scripts/make-spreadsheets.ts converted into the example, in its row order.
const EXAMPLE_SOURCES = EXAMPLE_FIXTURES;

const SHEETS = ["organizations", "annualInspections", "activities", "governmentProjects", "complaints", "penalties", "rectificationNotices", "violations", "listings", "honours"];

async function readAll(rows: AsyncIterable<InputRow>): Promise<InputRow[]> {
  const out: InputRow[] = [];
  for await (const r of rows) out.push(r);
  return out;
}

const fixtureRecord = (file: string) => organizationFixtures().find((f) => f.file === file)!.record;

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "social-org-credit-sheets-"));
});
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** A workbook in the layout holding the given records, with `edit` applied before it is saved. */
async function workbookOf(records: Array<Record<string, unknown>>, edit: (wb: ExcelJS.Workbook) => void = () => {}): Promise<string> {
  const wb = new ExcelJS.Workbook();
  for (const sheet of SPREADSHEET_LAYOUT) {
    const ws = wb.addWorksheet(sheet.name);
    ws.addRow(sheet.columns.map(headerText));
    for (const record of records) for (const row of sheetRowsOf(record)[sheet.name]!) ws.addRow(sheet.columns.map((c) => row[c.key]));
  }
  edit(wb);
  const path = join(tmp, `book-${Math.random().toString(36).slice(2)}.xlsx`);
  await wb.xlsx.writeFile(path);
  return path;
}

describe("the spreadsheet layout", () => {
  it("has a column for every field of the fixture records and a sheet for every repeated entry", () => {
    const columns = new Set(SPREADSHEET_LAYOUT.flatMap((s) => s.columns.map((c) => (s.field ? `${s.field}[].${c.key}` : c.key))));
    const fields = new Set<string>();
    const nulls = new Set<string>();
    for (const f of organizationFixtures()) {
      for (const [k, v] of Object.entries(f.record)) {
        if (Array.isArray(v)) {
          fields.add(`${k}[].id`);
          for (const e of v as Array<Record<string, unknown>>) for (const ek of Object.keys(e)) fields.add(`${k}[].${ek}`);
        } else if (v !== null && typeof v === "object") for (const nk of Object.keys(v)) fields.add(`${k}.${nk}`);
        else (v === null ? nulls : fields).add(k);
      }
    }
    // A field null in one fixture (evaluation) is an object with its own columns in another.
    for (const k of nulls) if (![...fields].some((f) => f.startsWith(`${k}.`))) fields.add(k);
    expect([...columns].sort()).toEqual([...fields].sort());
    expect(SPREADSHEET_LAYOUT.map((s) => s.name)).toEqual(SHEETS);
  });
});

describe("reading the shipped spreadsheets", () => {
  it("reads the filled example workbook as the fixture records it was made from, in order", async () => {
    const rows = await readAll(xlsxReader.read(join(SPREADSHEETS, "example.xlsx"), 0));
    expect(rows.map((r) => r.readError)).toEqual(EXAMPLE_SOURCES.map(() => null));
    expect(rows.map((r) => r.record)).toEqual(EXAMPLE_SOURCES.map(fixtureRecord));
    expect(rows.map((r) => r.source)).toEqual(EXAMPLE_SOURCES.map((_, i) => `example.xlsx!organizations:${i + 2}`));
  });

  it("reads the example CSV folder as the same fixture records", async () => {
    const dir = join(SPREADSHEETS, "example-csv");
    expect(csvFolderReader.accepts(dir, true)).toBe(true);
    const rows = await readAll(csvFolderReader.read(dir, 0));
    expect(rows.map((r) => r.readError)).toEqual(EXAMPLE_SOURCES.map(() => null));
    expect(rows.map((r) => r.record)).toEqual(EXAMPLE_SOURCES.map(fixtureRecord));
  });

  it("ships an empty template with every sheet of the layout, labelled headers and no rows", async () => {
    const sheets = await readWorkbookSheets(join(SPREADSHEETS, "template.xlsx"));
    expect(sheets.map((s) => s.name).filter((n) => n !== "README")).toEqual(SHEETS);
    const org = sheets.find((s) => s.name === "organizations")!;
    expect(org.header).toContain("党组织覆盖 party.coverage");
    expect(org.header).toContain("评估等级（空：无） evaluation.grade");
    expect(await readAll(xlsxReader.read(join(SPREADSHEETS, "template.xlsx"), 0))).toEqual([]);
  });
});

describe("scripts/make-spreadsheets.ts", () => {
  it("writes exactly the committed template, example and CSV folder (none edited by hand)", () => {
    const out = join(tmp, "made");
    const tsx = join(import.meta.dirname, "..", "node_modules", ".bin", "tsx");
    const run = spawnSync(tsx, [join(import.meta.dirname, "..", "scripts", "make-spreadsheets.ts"), out], { encoding: "utf8" });
    expect(run.status, run.stderr).toBe(0);
    for (const file of ["template.xlsx", "example.xlsx"]) expect(readFileSync(join(out, file)).equals(readFileSync(join(SPREADSHEETS, file))), file).toBe(true);
    const csvs = readdirSync(join(SPREADSHEETS, "example-csv")).sort();
    expect(readdirSync(join(out, "example-csv")).sort()).toEqual(csvs);
    for (const f of csvs) expect(readFileSync(join(out, "example-csv", f), "utf8"), f).toBe(readFileSync(join(SPREADSHEETS, "example-csv", f), "utf8"));
  });
});

describe("cell errors", () => {
  const [a, b, c] = ["01-clean-association.json", "03-trade-association-two-penalties.json", "23-grade-a-rectification-notices.json"].map(fixtureRecord) as [
    Record<string, unknown>,
    Record<string, unknown>,
    Record<string, unknown>,
  ];

  it("refuses the organization whose cell is bad, naming sheet, row and column, and reads the others", async () => {
    const path = await workbookOf([a, b, c], (wb) => {
      const org = wb.getWorksheet("organizations")!;
      const header = org.getRow(1).values as string[];
      const colOf = (key: string) => header.findIndex((h) => typeof h === "string" && h.endsWith(` ${key}`));
      org.getRow(2).getCell(colOf("party.coverage")).value = "yes"; // a: an unknown enum value
      org.getRow(4).getCell(colOf("registeredOn")).value = new Date(Date.UTC(2010, 2, 4)); // c: a real date cell is fine
      const penalties = wb.getWorksheet("penalties")!;
      penalties.getRow(3).getCell(2).value = "2022/08/01"; // b's second penalty: a date with slashes
      penalties.getRow(2).getCell(4).value = { error: "#N/A" } as ExcelJS.CellErrorValue; // b's first penalty: an Excel error
    });
    const rows = await readAll(xlsxReader.read(path, 0));
    expect(rows).toHaveLength(3);
    expect(rows[0]!.readError).toContain("sheet organizations, row 2, column H (party.coverage): expected one of own, joint, instructor, none, found \"yes\"");
    expect(rows[0]!.readIssues!.map((i) => i.path)).toEqual(["party.coverage"]);
    expect(rows[1]!.readError).toContain("sheet penalties, row 3, column B (on): expected a calendar date YYYY-MM-DD");
    expect(rows[1]!.readError).toContain("sheet penalties, row 2, column D (amountYuan)");
    expect(rows[1]!.readError).toContain("#N/A");
    expect(rows[1]!.readIssues!.map((i) => i.path).sort()).toEqual(["penalties.0.amountYuan", "penalties.1.on"]);
    expect(rows[2]!.readError).toBeNull();
    expect((rows[2]!.record as { registeredOn: string }).registeredOn).toBe("2010-03-04");
  });

  it("returns an entry row with an unknown credit code as an error row of its own", async () => {
    const path = await workbookOf([a], (wb) => {
      wb.getWorksheet("honours")!.addRow(["51330800MJ99999999", "2022-01-01", "integrity_model"]);
    });
    const rows = await readAll(xlsxReader.read(path, 0));
    expect(rows).toHaveLength(2);
    expect(rows[0]!.readError).toBeNull();
    const honours = (a.honours as unknown[]).length;
    expect(rows[1]!.source).toBe(`${path.split("/").pop()}!honours:${honours + 2}`);
    expect(rows[1]!.readError).toContain("credit code 51330800MJ99999999 has no row in sheet organizations");
    expect(rows[1]!.index).toBe(1);
  });

  it("refuses a second row for the same credit code and attaches entries to the first", async () => {
    const path = await workbookOf([a, a]);
    const rows = await readAll(xlsxReader.read(path, 0));
    expect(rows[1]!.readError).toContain("already has row 2");
    // The entries were written twice (once per copy): the first row holds both copies.
    expect((rows[0]!.record as { honours: unknown[] }).honours).toHaveLength(2 * (a.honours as unknown[]).length);
  });

  it("fails the whole workbook, naming them, when a sheet is unknown or a column is missing", async () => {
    const unknownSheet = await workbookOf([a], (wb) => wb.addWorksheet("penalty").addRow(["id"]));
    await expect(readAll(xlsxReader.read(unknownSheet, 0))).rejects.toThrow(/sheet "penalty" is not part of the layout/);
    const missingColumn = await workbookOf([a], (wb) => wb.getWorksheet("complaints")!.spliceColumns(3, 1));
    await expect(readAll(xlsxReader.read(missingColumn, 0))).rejects.toThrow(InputError);
    await expect(readAll(xlsxReader.read(missingColumn, 0))).rejects.toThrow(/sheet complaints lacks the column verified/);
  });

  /** A copy of the example CSV folder with extra lines put into honours.csv after its header. */
  function csvFolderWith(name: string, extraHonourLines: string[]): string {
    const dir = join(tmp, name);
    mkdirSync(dir);
    for (const sheet of SHEETS) writeFileSync(join(dir, `${sheet}.csv`), readFileSync(join(SPREADSHEETS, "example-csv", `${sheet}.csv`)));
    const lines = readFileSync(join(dir, "honours.csv"), "utf8").split("\r\n");
    lines.splice(1, 0, ...extraHonourLines);
    writeFileSync(join(dir, "honours.csv"), lines.join("\r\n"));
    return dir;
  }

  it("refuses the organization a broken CSV line belongs to, returns a broken line of nobody as its own error row, and reads the rest", async () => {
    const first = EXAMPLE_SOURCES[0]!;
    const id = (fixtureRecord(first) as { id: string }).id;
    const dir = csvFolderWith("csv-bad", [`${id},20"22-01-01,integrity_model`, "51330800MJ99999999,2022-01-01,integrity_model,extra"]);
    const rows = await readAll(csvFolderReader.read(dir, 0));
    expect(rows).toHaveLength(EXAMPLE_SOURCES.length + 1);
    expect(rows[0]!.readError).toMatch(/^sheet honours, row 2: not CSV: Invalid Opening Quote/);
    expect(rows.slice(1, EXAMPLE_SOURCES.length).map((r) => r.readError)).toEqual(EXAMPLE_SOURCES.slice(1).map(() => null));
    expect(rows[EXAMPLE_SOURCES.length]!.readError).toBe("sheet honours, row 3: 4 cells, but the header has 3");
    expect(rows.map((r) => r.index)).toEqual(rows.map((_, i) => i));
  });

  it("refuses a CSV folder whose quote is never closed (the rest of the file is unreadable)", async () => {
    const dir = csvFolderWith("csv-unclosed", ['51330800MJ99999999,"2022-01-01,integrity_model']);
    await expect(readAll(csvFolderReader.read(dir, 0))).rejects.toThrow(/honours\.csv: a quote opened on line \d+ or before is never closed/);
  });
});
