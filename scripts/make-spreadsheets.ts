// Writes fixtures/spreadsheets/: the empty template workbook, a filled example converted from fixture
// organizations, and the same example as a CSV folder, byte-identical from run to run.
// Run: npx tsx scripts/make-spreadsheets.ts [OUT_DIR]   (default fixtures/spreadsheets)
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import ExcelJS from "exceljs";
import { DOCUMENT_DATE, withPinnedClock } from "../src/_lib/document-date.js";
import { csvField } from "../src/_lib/inert.js";
import { SPREADSHEET_LAYOUT, columnLetter, headerText, sheetRowsOf, type CellOut, type ColumnSpec } from "../src/audit/spreadsheet-layout.js";
import { EXAMPLE_FIXTURES } from "./spreadsheet-example.js";

const ROOT = join(import.meta.dirname, "..");
const OUT = process.argv[2] ?? join(ROOT, "fixtures", "spreadsheets");


/** Rows given input help (drop-down lists, text format) in the template. */
const TEMPLATE_ROWS = 2000;

function emptyMeaning(c: ColumnSpec): string {
  if (c.key.startsWith("evaluation.") && c.key !== "evaluation.expiresOn") return "all evaluation.* empty: no grade 全部为空：无评估等级";
  return c.nullable ? "null 空值" : "required 必填";
}

function allowed(c: ColumnSpec): string {
  if (c.kind === "enum") return (c.values ?? []).join(", ");
  return { text: "text 文本", date: "YYYY-MM-DD", boolean: "true / false (是 / 否)", integer: "whole number 整数", number: "number 数字", enum: "" }[c.kind];
}

function addReadme(workbook: ExcelJS.Workbook): void {
  const ws = workbook.addWorksheet("README");
  ws.columns = [
    { header: "工作表 sheet", width: 22 },
    { header: "列 column", width: 30 },
    { header: "中文", width: 30 },
    { header: "English", width: 40 },
    { header: "取值 allowed values", width: 60 },
    { header: "空单元格 empty cell", width: 36 },
  ];
  ws.getRow(1).font = { bold: true };
  ws.addRow(["", "", "每个组织在 organizations 表占一行；其余各表每行一条记录，以 id（统一社会信用代码）对应组织。", "One row per organization in organizations; every other sheet holds one entry per row, keyed by the credit code in id.", "", ""]);
  ws.addRow(["", "", "表头可写作“中文 列名”，程序只读最后的列名。", "A header may carry a label before the key; only the key (last word) is read.", "", ""]);
  for (const sheet of SPREADSHEET_LAYOUT) {
    for (const c of sheet.columns) ws.addRow([sheet.name, c.key, c.label.zh, c.label.en, allowed(c), emptyMeaning(c)]);
  }
}

/** exceljs 4 validates whole ranges at run time; its type declarations only know per-cell validation. */
type WithRangeValidations = { dataValidations: { add(range: string, validation: ExcelJS.DataValidation): void } };

function addSheets(workbook: ExcelJS.Workbook, rowsBySheet: Record<string, Array<Record<string, CellOut>>>): void {
  for (const sheet of SPREADSHEET_LAYOUT) {
    const ws = workbook.addWorksheet(sheet.name, { views: [{ state: "frozen", ySplit: 1 }] });
    ws.columns = sheet.columns.map((c) => ({ header: headerText(c), key: c.key, width: Math.max(14, Math.min(40, headerText(c).length + 6)) }));
    const header = ws.getRow(1);
    header.font = { bold: true };
    sheet.columns.forEach((c, i) => {
      header.getCell(i + 1).note = `${c.label.zh} / ${c.label.en}\n${allowed(c)}\n${emptyMeaning(c)}`;
    });
    for (const row of rowsBySheet[sheet.name] ?? []) ws.addRow(sheet.columns.map((c) => row[c.key] ?? null));
    sheet.columns.forEach((c, i) => {
      const range = `${columnLetter(i + 1)}2:${columnLetter(i + 1)}${TEMPLATE_ROWS}`;
      // Text format keeps dates and credit codes as typed, instead of Excel's own date or number.
      if (c.kind === "date" || c.kind === "text") ws.getColumn(i + 1).numFmt = "@";
      const list = c.kind === "enum" ? (c.values ?? []) : c.kind === "boolean" ? ["true", "false"] : null;
      if (list) {
        (ws as unknown as WithRangeValidations).dataValidations.add(range, {
          type: "list",
          allowBlank: true,
          formulae: [`"${list.join(",")}"`],
          showErrorMessage: true,
          errorTitle: c.key,
          error: `${c.label.zh} / ${c.label.en}: ${list.join(", ")}`,
        });
      }
    });
  }
}

async function writeWorkbook(path: string, rowsBySheet: Record<string, Array<Record<string, CellOut>>>): Promise<void> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = "social-org-credit";
  workbook.created = DOCUMENT_DATE;
  workbook.modified = DOCUMENT_DATE;
  addSheets(workbook, rowsBySheet);
  addReadme(workbook);
  await withPinnedClock(() => workbook.xlsx.writeFile(path));
}

function writeCsvFolder(dir: string, rowsBySheet: Record<string, Array<Record<string, CellOut>>>): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const sheet of SPREADSHEET_LAYOUT) {
    const lines = [sheet.columns.map((c) => csvField(headerText(c))).join(",")];
    for (const row of rowsBySheet[sheet.name] ?? []) lines.push(sheet.columns.map((c) => csvField(row[c.key] ?? null)).join(","));
    // A byte-order mark lets Excel open the UTF-8 file with its Chinese intact.
    writeFileSync(join(dir, `${sheet.name}.csv`), `\ufeff${lines.join("\r\n")}\r\n`);
  }
}

async function main(): Promise<void> {
  // Zip entry times are local times: one time zone keeps the workbooks byte-identical wherever they are made.
  process.env.TZ = "UTC";
  mkdirSync(OUT, { recursive: true });
  const records = EXAMPLE_FIXTURES.map((f) => (JSON.parse(readFileSync(join(ROOT, "fixtures", "organizations", f), "utf8")) as { record: Record<string, unknown> }).record);
  const example: Record<string, Array<Record<string, CellOut>>> = {};
  for (const record of records) {
    for (const [sheet, rows] of Object.entries(sheetRowsOf(record))) (example[sheet] ??= []).push(...rows);
  }
  await writeWorkbook(join(OUT, "template.xlsx"), {});
  await writeWorkbook(join(OUT, "example.xlsx"), example);
  writeCsvFolder(join(OUT, "example-csv"), example);
  process.stdout.write(`wrote ${OUT}: template.xlsx, example.xlsx and example-csv/ (${records.length} organizations)\n`);
}

await main();
