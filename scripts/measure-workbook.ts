// Measures the CLI reading a large workbook: writes N generated organizations (default 450,000) as an XLSX
// in the spreadsheet layout (streamed, with exceljs's writer), scores it with the built CLI under
// /usr/bin/time, and prints the file size, the time and the peak resident memory. Not a test: a figure
// for the README's Input limits. Run: npx tsup --silent && npx tsx scripts/measure-workbook.ts [N] [DIR]
import { spawnSync } from "node:child_process";
import { mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import ExcelJS from "exceljs";
import { generatePopulation } from "../src/audit/generate.js";
import { SPREADSHEET_LAYOUT, headerText, sheetRowsOf } from "../src/audit/spreadsheet-layout.js";

const count = Number(process.argv[2] ?? 450_000);
const dir = process.argv[3] ?? "/tmp/social-org-credit-measure";
mkdirSync(dir, { recursive: true });
const path = join(dir, `register-${count}.xlsx`);
const asOf = "2023-05-31";

const writer = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path, useSharedStrings: true });
const sheets = new Map(SPREADSHEET_LAYOUT.map((s) => [s.name, writer.addWorksheet(s.name)]));
for (const s of SPREADSHEET_LAYOUT) sheets.get(s.name)!.addRow(s.columns.map(headerText)).commit();
for (const record of generatePopulation({ count, seed: 2023, asOf })) {
  const rows = sheetRowsOf(JSON.parse(JSON.stringify(record)) as Record<string, unknown>);
  // At most one entry per sheet and organization, so that every sheet stays within a sheet's 1,048,576 rows.
  for (const s of SPREADSHEET_LAYOUT) for (const row of (rows[s.name] ?? []).slice(0, 1)) sheets.get(s.name)!.addRow(s.columns.map((c) => row[c.key] ?? null)).commit();
}
for (const ws of sheets.values()) ws.commit();
await writer.commit();

const cli = join(import.meta.dirname, "..", "dist", "cli.js");
const run = spawnSync("/usr/bin/time", ["-f", "%e s, peak RSS %M KB", process.execPath, cli, "score", path, "--as-of", asOf, "--format", "ndjson", "--workers", "0"], {
  encoding: "utf8",
  maxBuffer: 1 << 30,
  stdio: ["ignore", "ignore", "pipe"],
});
console.log(`${path}: ${statSync(path).size} bytes; exit ${run.status}; ${run.stderr.trim().split("\n").slice(-2).join(" | ")}`);
