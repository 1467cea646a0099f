import { readdirSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { parse as parseCsv } from "csv-parse/sync";
import { compareStrings } from "../../_lib/canonical.js";
import {
  ORGANIZATIONS_SHEET,
  SPREADSHEET_LAYOUT,
  assembleRecord,
  columnLetter,
  isEmptyCell,
  parseHeader,
  readCell,
  sheetSpec,
  type RawCell,
  type SheetRow,
} from "../../audit/spreadsheet-layout.js";
import type { RecordIssue } from "../../errors.js";
import type { InputReader, InputRow } from "../input.js";
import { InputError } from "../input-error.js";
import { decodeText, InvalidTextError, type TextEncoding } from "../../_lib/line-text.js";
import { kindOf, readRegularFile } from "./files.js";
import { readXlsx } from "./xlsx.js";

/** One sheet as read from a workbook or a CSV file: its header and its data rows with their numbers. */
export interface SheetData {
  name: string;
  header: RawCell[];
  rows: Array<{ row: number; cells: RawCell[] }>;
  /** Rows that could not be read as cells (a CSV line with a stray quote or too many cells), with why and any cells read. */
  broken: Array<{ row: number; message: string; cells?: RawCell[] }>;
}

/** A row of a sheet as its cells, read by column key. */
class CellRow implements SheetRow {
  constructor(
    readonly sheet: string,
    readonly row: number,
    readonly letters: ReadonlyMap<string, string>,
    private readonly positions: ReadonlyMap<string, number>,
    private readonly cells: RawCell[],
  ) {}

  get values(): Pick<ReadonlyMap<string, RawCell>, "get"> {
    return this;
  }

  get(key: string): RawCell | undefined {
    const at = this.positions.get(key);
    return at === undefined ? undefined : (this.cells[at] ?? null);
  }
}

/** Sheets a workbook may hold besides the layout's: notes for the person filling it in. */
const IGNORED_SHEETS = new Set(["README", "说明"]);

function brokenRow(index: number, source: string, message: string, id: string | null): InputRow {
  return { index, source, record: id === null ? null : { id }, asOf: null, readError: message };
}

function lineIssue(sheet: string, row: number, message: string): RecordIssue {
  const en = `sheet ${sheet}, row ${row}: ${message}`;
  return { code: "unreadable_line", path: sheet, expected: "a row of cells matching the header", found: message, message: { zh: `工作表 ${sheet} 第 ${row} 行无法读取：${message}`, en } };
}

/**
 * Turns the sheets of one workbook (or CSV folder) into input rows: one per organization row, in
 * sheet order, each with its entries gathered from the other sheets by credit code; then one error
 * row per entry row whose credit code has no organization and per row that could not be read at all.
 *
 * @param label - the file or folder name, for `source`
 * @param sheets - the sheets read
 * @param start - the index of the first row
 * @param kind - whether the sheets are a workbook's sheets or a folder's CSV files (for messages)
 * @returns the rows; a file-level problem (missing sheet or column) throws an InputError first. The
 *   sheets' rows are consumed (emptied) as they are read, so that a large workbook is let go as it is scored.
 * @example
 * for (const row of rowsFromSheets("register.xlsx", sheets, 0)) console.log(row.source);
 */
export function* rowsFromSheets(label: string, sheets: SheetData[], start: number, kind: "sheet" | "file" = "sheet"): Generator<InputRow> {
  const problems: string[] = [];
  const known = sheets.filter((s) => !IGNORED_SHEETS.has(s.name));
  for (const s of known) if (!sheetSpec(s.name)) problems.push(`sheet "${s.name}" is not part of the layout (sheets: ${SPREADSHEET_LAYOUT.map((x) => x.name).join(", ")})`);
  // Every sheet of the layout must be there: a missing one would read as "none" and lose its entries
  // without a word; a sheet with its header only is how "none" is said.
  const missing = SPREADSHEET_LAYOUT.filter((spec) => !known.some((s) => s.name === spec.name)).map((spec) => (kind === "file" ? `${spec.name}.csv` : spec.name));
  if (missing.length > 0) {
    const what = kind === "file" ? `file${missing.length > 1 ? "s" : ""}` : `sheet${missing.length > 1 ? "s" : ""}`;
    problems.push(`there is no ${what} ${missing.join(", ")} (缺少${kind === "file" ? "文件" : "工作表"}); every ${kind} of the layout must be there, one with its header row only when there are no entries`);
  }
  const parsed = known.flatMap((s) => {
    const spec = sheetSpec(s.name);
    if (!spec) return [];
    const header = parseHeader(spec, s.header);
    problems.push(...header.problems.map((p) => `sheet ${s.name}: ${p}`));
    const letters = new Map(header.keys.flatMap((k, i) => (k === null ? [] : [[k, columnLetter(i + 1)] as const])));
    const positions = new Map(header.keys.flatMap((k, i) => (k === null ? [] : [[k, i] as const])));
    // A view of each row's cells by key, rather than a Map per row: a large workbook holds a million rows.
    const rows: SheetRow[] = s.rows.filter((r) => !r.cells.every((c) => isEmptyCell(c))).map((r) => new CellRow(s.name, r.row, letters, positions, r.cells));
    // The sheet's rows are consumed: held from here on by the rows above only, let go as they are used.
    s.rows = [];
    return [{ data: s, rows, idColumn: header.keys.indexOf("id") }];
  });
  if (problems.length > 0) throw new InputError(`${label}: ${problems.join("; ")}`);

  const idOf = (row: SheetRow): string | null => {
    const read = readCell(sheetSpec(row.sheet)!.columns[0]!, row.values.get("id") ?? null);
    return read.ok && typeof read.value === "string" ? read.value : null;
  };
  const organizations = parsed.find((p) => p.data.name === ORGANIZATIONS_SHEET)!;
  const firstRowOf = new Map<string, number>();
  for (const row of organizations.rows) {
    const id = idOf(row);
    if (id !== null && !firstRowOf.has(id)) firstRowOf.set(id, row.row);
  }
  const entriesOf = new Map<string, Record<string, SheetRow[]>>();
  const orphans: SheetRow[] = [];
  // A broken line whose credit code names an organization refuses that organization: its entries are incomplete.
  const lineIssues = new Map<string, RecordIssue[]>();
  const unplaced: Array<{ sheet: string; row: number; message: string }> = [];
  // An organization's own row that cannot be read (a stray quote in its name) is still that organization,
  // when its line starts with a credit code: one error row for it, its entries gathered under it rather
  // than each reported as belonging to no organization.
  const brokenOrganizations = new Map<string, { row: number; message: string }>();
  const idOfCell = (sheet: string, cell: RawCell): string | null => {
    const read = readCell(sheetSpec(sheet)!.columns[0]!, typeof cell === "string" ? cell.trim() : cell);
    return read.ok && typeof read.value === "string" ? read.value : null;
  };
  for (const b of organizations.data.broken) {
    const id = organizations.idColumn >= 0 ? idOfCell(ORGANIZATIONS_SHEET, b.cells?.[organizations.idColumn] ?? null) : null;
    if (id === null || firstRowOf.has(id)) continue;
    firstRowOf.set(id, b.row);
    brokenOrganizations.set(id, b);
  }
  for (const p of parsed) {
    for (const b of p.data.broken) {
      if (p === organizations && [...brokenOrganizations.values()].includes(b)) continue;
      const cell = p.idColumn >= 0 ? (b.cells?.[p.idColumn] ?? null) : null;
      const id = typeof cell === "string" ? cell.trim() : null;
      if (id !== null && firstRowOf.has(id)) lineIssues.set(id, [...(lineIssues.get(id) ?? []), lineIssue(p.data.name, b.row, b.message)]);
      else unplaced.push({ sheet: p.data.name, row: b.row, message: b.message });
    }
  }
  for (const p of parsed) {
    if (p.data.name === ORGANIZATIONS_SHEET) continue;
    for (const row of p.rows) {
      const id = idOf(row);
      if (id === null || !firstRowOf.has(id)) {
        orphans.push(row);
        continue;
      }
      const byId = entriesOf.get(id) ?? {};
      (byId[p.data.name] ??= []).push(row);
      entriesOf.set(id, byId);
    }
  }

  let index = start;
  // Each organization's rows and entries are let go once its record is built, so that a large workbook's
  // memory shrinks as it is scored rather than staying whole to the end.
  const orgRows = organizations.rows;
  organizations.rows = [];
  for (let i = 0; i < orgRows.length; i++) {
    const row = orgRows[i]!;
    orgRows[i] = undefined as unknown as SheetRow;
    const source = `${label}!${ORGANIZATIONS_SHEET}:${row.row}`;
    const id = idOf(row);
    if (id !== null && firstRowOf.get(id) !== row.row) {
      yield brokenRow(index++, source, `sheet ${ORGANIZATIONS_SHEET}, row ${row.row}: credit code ${id} already has row ${firstRowOf.get(id)}; one row per organization`, id);
      continue;
    }
    const assembled = assembleRecord(row, id === null ? {} : (entriesOf.get(id) ?? {}));
    if (id !== null) entriesOf.delete(id);
    const record = assembled.record;
    const issues = [...assembled.issues, ...(id === null ? [] : (lineIssues.get(id) ?? []))];
    yield issues.length === 0
      ? { index: index++, source, record, asOf: null, readError: null }
      : { index: index++, source, record, asOf: null, readError: issues.map((i) => i.message.en).join("; "), readIssues: issues };
  }
  for (const [id, b] of brokenOrganizations) {
    const entries = Object.values(entriesOf.get(id) ?? {}).reduce((n, rows) => n + rows.length, 0);
    entriesOf.delete(id);
    const more = lineIssues.get(id) ?? [];
    const message = [
      `sheet ${ORGANIZATIONS_SHEET}, row ${b.row}: ${b.message}; the organization is not read${entries > 0 ? ` (nor its ${entries} entr${entries > 1 ? "ies" : "y"} in the other sheets)` : ""}`,
      ...more.map((i) => i.message.en),
    ].join("; ");
    yield { ...brokenRow(index++, `${label}!${ORGANIZATIONS_SHEET}:${b.row}`, message, id), readIssues: [lineIssue(ORGANIZATIONS_SHEET, b.row, b.message), ...more] };
  }
  for (const row of orphans) {
    const id = idOf(row);
    const cell = row.values.get("id") ?? null;
    const why = id === null ? `its credit code cell is ${isEmptyCell(cell) ? "empty" : "not text"}` : `credit code ${id} has no row in sheet ${ORGANIZATIONS_SHEET}`;
    yield brokenRow(index++, `${label}!${row.sheet}:${row.row}`, `sheet ${row.sheet}, row ${row.row}, column ${row.letters.get("id")} (id): ${why}; the entry belongs to no organization`, id);
  }
  for (const b of unplaced) yield brokenRow(index++, `${label}!${b.sheet}:${b.row}`, `sheet ${b.sheet}, row ${b.row}: ${b.message}`, null);
}

/**
 * Reads the sheets of an XLSX workbook as header and rows, streamed and bounded (`XLSX_LIMITS`): the
 * layout's sheets cell by cell, the others (README) by name only.
 *
 * @param path - the .xlsx file
 * @returns the sheets, in workbook order
 * @example
 * const sheets = await readWorkbookSheets("fixtures/spreadsheets/example.xlsx");
 */
export async function readWorkbookSheets(path: string): Promise<SheetData[]> {
  return readXlsx(path, (name) => sheetSpec(name) !== undefined);
}

/**
 * Reads one CSV file of a CSV folder (UTF-8, a BOM allowed). A line the parser cannot read (a stray
 * quote) or with more cells than the header becomes a broken row; the other lines are still read. A
 * quote never closed swallows the rest of the file, so that file is refused whole (InputError).
 *
 * @param path - the .csv file
 * @param name - the sheet it stands for
 * @returns the sheet
 * @example
 * readCsvSheet("register/penalties.csv", "penalties");
 */
export function readCsvSheet(path: string, name: string, encoding?: TextEncoding): SheetData {
  const broken: SheetData["broken"] = [];
  const records = parseCsv(csvText(path, encoding), {
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    info: true,
    raw: true,
    on_skip: (error, raw) => {
      if (!error) return undefined;
      const row = (error as { lines?: number }).lines ?? 0;
      if (error.code === "CSV_QUOTE_NOT_CLOSED") throw new InputError(`${basename(path)}: a quote opened on line ${row} or before is never closed; the rest of the file cannot be read`);
      // The credit code, when the line starts with one, tells whose entries are incomplete.
      const cells = (raw ?? "").split(",").map((c) => c.replace(/^\ufeff?"?|"$/g, ""));
      // csv-parse counts fields from 0: "field 1" is column B.
      const field = /\bfield (\d+)\b/.exec(error.message);
      broken.push({ row, message: `not CSV: ${error.message}${field ? ` (column ${columnLetter(Number(field[1]) + 1)})` : ""}`, cells });
      return undefined;
    },
  }) as unknown as Array<{ record: string[]; info: { lines: number } }>;
  const [head, ...body] = records;
  const header: RawCell[] = head?.record ?? [];
  const rows: SheetData["rows"] = [];
  for (const r of body) {
    if (r.record.length > header.length && r.record.slice(header.length).some((c) => c.trim() !== "")) {
      broken.push({ row: r.info.lines, message: `${r.record.length} cells, but the header has ${header.length}`, cells: r.record });
      continue;
    }
    rows.push({ row: r.info.lines, cells: r.record });
  }
  return { name, header, rows, broken };
}

/** Largest CSV file read (it is read whole): 256 MiB. */
export const MAX_CSV_BYTES = 256 * 1024 * 1024;

/**
 * The text of a CSV file: by its byte-order mark (UTF-8, UTF-16LE/BE), else in the encoding asked for,
 * else UTF-8. A file that is not valid UTF-8 is refused, naming the byte; when it reads as GB18030 (as
 * Excel saves CSV on Chinese Windows), the message says to give `--encoding gb18030` — it is not read so
 * unasked, since a UTF-8 file with one damaged byte would then be read with every name garbled.
 */
function csvText(path: string, encoding: TextEncoding | undefined): string {
  const bytes = readRegularFile(path, MAX_CSV_BYTES);
  if (bytes === null) throw new InputError(`${basename(path)}: larger than ${MAX_CSV_BYTES} bytes`);
  try {
    return decodeText(bytes, encoding).text;
  } catch (error) {
    if (!(error instanceof InvalidTextError)) throw error;
    let hint = "";
    if (encoding === undefined) {
      try {
        decodeText(bytes, "gb18030");
        hint = "; it reads as GB18030 (Excel on Chinese Windows saves CSV so): give --encoding gb18030 if that is its encoding 可能是 GB18030 编码，请加 --encoding gb18030";
      } catch {
        // Neither UTF-8 nor GB18030: no hint.
      }
    }
    throw new InputError(`${basename(path)}: ${error.message}${hint}`);
  }
}

/** XLSX workbooks in the spreadsheet layout (see `SPREADSHEET_LAYOUT`). */
export const xlsxReader: InputReader = {
  name: "xlsx",
  accepts: (path, dir) => !dir && path.toLowerCase().endsWith(".xlsx"),
  async *read(path, start) {
    yield* rowsFromSheets(basename(path), await readWorkbookSheets(path), start);
  },
};

/** A folder holding `organizations.csv` and any of the entry sheets as `<sheet>.csv`. */
export const csvFolderReader: InputReader = {
  name: "csv-folder",
  accepts: (path, dir) => dir && readdirSync(path).some((f) => f.toLowerCase() === `${ORGANIZATIONS_SHEET}.csv`),
  async *read(path, start, options) {
    // Every entry is a `<sheet>.csv` file, or hidden (a name starting with "."), which is skipped: another
    // file or a subfolder would otherwise be left out without a word.
    const files = readdirSync(path).filter((f) => !f.startsWith(".")).sort(compareStrings);
    const strays: string[] = [];
    for (const f of files) {
      const stat = statSync(join(path, f));
      if (!f.toLowerCase().endsWith(".csv")) strays.push(stat.isDirectory() ? `${f}/ (a subfolder)` : f);
      else if (!stat.isFile()) throw new InputError(`${basename(path)}/${f}: ${kindOf(stat)}, not a regular file; only regular files are read 只读取普通文件`);
    }
    if (strays.length > 0) {
      throw new InputError(
        `${basename(path)}: a CSV folder holds only <sheet>.csv files (sheets: ${SPREADSHEET_LAYOUT.map((x) => x.name).join(", ")}), found ${strays.join(", ")}; move ${strays.length > 1 ? "them" : "it"} out 文件夹中有无法读取的条目`,
      );
    }
    const sheets = files.map((f) => readCsvSheet(join(path, f), f.slice(0, -4), options?.encoding));
    yield* rowsFromSheets(basename(path), sheets, start, "file");
  },
};
