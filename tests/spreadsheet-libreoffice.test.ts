// Workbooks as LibreOffice Calc itself writes them (Debian's libreoffice-calc, run headless; npm test's
// pre-script installs it on a fresh machine): the example and the filled template, saved by LibreOffice,
// are scored byte for byte as the originals are. LibreOffice writes every boolean as a `=TRUE()` or
// `=FALSE()` formula cell with its cached value, strings shared, columns styled its own way.
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SPREADSHEET_LAYOUT, sheetRowsOf } from "../src/audit/spreadsheet-layout.js";
import { EXAMPLE_FIXTURES } from "../scripts/spreadsheet-example.js";
import { runCli } from "./_lib/cli.js";
import { FIXTURES_DIR, organizationFixtures } from "./_lib/fixtures.js";

const SOFFICE = "/usr/bin/soffice";
const SPREADSHEETS = join(FIXTURES_DIR, "spreadsheets");
let dir: string;
let converted: string;

/** The template filled with the example's fixture organizations by exceljs, as a program filling it would. */
async function fillTemplate(path: string): Promise<void> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(join(SPREADSHEETS, "template.xlsx"));
  const byFile = new Map(organizationFixtures().map((f) => [f.file, f.record as Record<string, unknown>]));
  for (const sheet of SPREADSHEET_LAYOUT) {
    const ws = wb.getWorksheet(sheet.name)!;
    let r = 2;
    for (const file of EXAMPLE_FIXTURES) {
      for (const row of sheetRowsOf(byFile.get(file)!)[sheet.name]!) ws.getRow(r++).values = sheet.columns.map((c) => row[c.key] ?? null) as ExcelJS.CellValue[];
    }
  }
  await wb.xlsx.writeFile(path);
}

beforeAll(async () => {
  expect(existsSync(SOFFICE), `${SOFFICE} is missing: npm test's pre-script (scripts/test-tools.sh) installs libreoffice-calc`).toBe(true);
  dir = mkdtempSync(join(tmpdir(), "soc-libreoffice-"));
  mkdirSync(join(dir, "original"));
  converted = join(dir, "libreoffice");
  copyFileSync(join(SPREADSHEETS, "example.xlsx"), join(dir, "original", "example.xlsx"));
  await fillTemplate(join(dir, "original", "filled.xlsx"));
  // Its own profile, so that runs side by side do not share (and lock) one.
  const r = spawnSync(
    SOFFICE,
    [`-env:UserInstallation=file://${join(dir, "profile")}`, "--headless", "--convert-to", "xlsx", "--outdir", converted, join(dir, "original", "example.xlsx"), join(dir, "original", "filled.xlsx")],
    { encoding: "utf8", timeout: 120_000 },
  );
  expect(r.status, r.stderr).toBe(0);
  expect(existsSync(join(converted, "example.xlsx")) && existsSync(join(converted, "filled.xlsx")), r.stdout + r.stderr).toBe(true);
}, 150_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const score = (path: string) => runCli(["score", path, "--as-of", "2023-05-31", "--format", "ndjson"]);

describe("workbooks saved by LibreOffice Calc", () => {
  it("the example, saved by LibreOffice, scores byte for byte as the original (every boolean a formula cell)", () => {
    const original = score(join(dir, "original", "example.xlsx"));
    const saved = score(join(converted, "example.xlsx"));
    expect(original.status).toBe(0);
    expect(saved.stderr).toBe(original.stderr);
    expect(saved.stdout).toBe(original.stdout);
    expect(saved.status).toBe(0);
  });

  it("the template filled, saved by LibreOffice, scores byte for byte as the filled template and as the example", () => {
    const filled = score(join(dir, "original", "filled.xlsx"));
    const saved = score(join(converted, "filled.xlsx"));
    expect(filled.status).toBe(0);
    expect(saved.stdout).toBe(filled.stdout);
    expect(saved.status).toBe(0);
    // The same organizations as the example, with the same results (only the file name in each source differs).
    const example = score(join(SPREADSHEETS, "example.xlsx"));
    expect(saved.stdout.replaceAll("filled.xlsx", "example.xlsx")).toBe(example.stdout);
  });
});
