import { isIsoDate } from "../_lib/dates.js";
import type { Label, RecordIssue } from "../errors.js";
import {
  ABNORMAL_CAUSES,
  ACTIVITY_KINDS,
  COMPLETENESS,
  DISHONEST_CAUSES,
  GRADES,
  HONOUR_KINDS,
  INSPECTION_RESULTS,
  LISTS,
  ORGANIZATION_TYPES,
  PARTY_COVERAGE,
  PENALTY_KINDS,
  PROJECT_OUTCOMES,
  VIOLATION_KINDS,
  organizationRecordSchema,
} from "../record/schema.js";

/** How a column's cells are read. */
export type CellKind = "text" | "date" | "boolean" | "integer" | "number" | "enum";

/** One column of a sheet: its field (dotted for nested fields), how its cells read, and its label. */
export interface ColumnSpec {
  key: string;
  kind: CellKind;
  /** Allowed values of an `enum` column. */
  values?: readonly string[];
  /** Whether an empty cell means null; otherwise the cell is required. */
  nullable: boolean;
  label: Label;
}

/** One sheet (or CSV file) of the layout. */
export interface SheetSpec {
  name: string;
  label: Label;
  /** The record's array field this sheet fills, one row per entry; null for the organizations sheet. */
  field: string | null;
  columns: ColumnSpec[];
  /** Nested objects that are null when all their cells are empty (`evaluation`). */
  nullableGroups: string[];
}

/** What a cell holds once read: spreadsheet parsers give strings, numbers, booleans, dates or errors. */
export type RawCell = string | number | boolean | Date | null | { error: string };

/** A cell value as written to a sheet: dates as `YYYY-MM-DD` text. */
export type CellOut = string | number | boolean | null;

/** One data row of a sheet, with where it came from. */
export interface SheetRow {
  sheet: string;
  /** The 1-based row number as the spreadsheet shows it (the header is row 1); the line for CSV. */
  row: number;
  /** Cells by column key (a Map will do; the reader gives a view of the row's cells). */
  values: Pick<ReadonlyMap<string, RawCell>, "get">;
  /** Column letters (or 1-based CSV positions) by key, for error messages. */
  letters: ReadonlyMap<string, string>;
}

/** The name of the sheet with one row per organization; every other sheet is keyed by its `id` column. */
export const ORGANIZATIONS_SHEET = "organizations";

const col = (key: string, kind: CellKind, zh: string, en: string, extra: { values?: readonly string[]; nullable?: boolean } = {}): ColumnSpec => ({
  key,
  kind,
  ...(extra.values ? { values: extra.values } : {}),
  nullable: extra.nullable ?? false,
  label: { zh, en },
});

const idColumn = col("id", "text", "统一社会信用代码", "unified social credit code");

/**
 * The spreadsheet layout of organization records: the `organizations` sheet (nested fields as dotted
 * columns) and one sheet per repeated entry, keyed by the credit code in column `id`. Reading,
 * the template and the example all follow it; a CSV folder holds one `<sheet>.csv` per sheet.
 */
export const SPREADSHEET_LAYOUT: readonly SheetSpec[] = [
  {
    name: ORGANIZATIONS_SHEET,
    label: { zh: "社会组织", en: "organizations" },
    field: null,
    nullableGroups: ["evaluation"],
    columns: [
      idColumn,
      col("name", "text", "名称", "name"),
      col("type", "enum", "类型", "type", { values: ORGANIZATION_TYPES }),
      col("registeredOn", "date", "登记日期", "registered on"),
      col("isTradeAssociation", "boolean", "行业协会商会", "trade association"),
      col("isCharity", "boolean", "慈善组织", "charity"),
      col("party.charterClause", "boolean", "党建入章", "party building in the charter"),
      col("party.coverage", "enum", "党组织覆盖", "party organization coverage", { values: PARTY_COVERAGE }),
      col("party.required", "boolean", "应建党组织", "party organization required"),
      col("party.activity", "enum", "党组织活动", "party organization activity", { values: COMPLETENESS }),
      col("party.integrityRules", "enum", "清廉制度", "integrity rules", { values: COMPLETENESS }),
      col("filings.changesOnTime", "boolean", "变更按时备案", "changes filed on time"),
      col("filings.electionOnSchedule", "boolean", "按期换届（空：未到期）", "election on schedule (empty: not yet due)", { nullable: true }),
      col("governance.meetings", "enum", "会员（代表）大会和理事会", "general assembly and board meetings", { values: ["per_charter", "late", "not_held"] }),
      col("governance.auditOpinion", "enum", "审计意见", "audit opinion", { values: ["unqualified", "qualified", "adverse", "none"] }),
      col("governance.financeCompliant", "boolean", "财务合规", "finances compliant"),
      col("governance.disclosure", "enum", "信息公开", "information disclosure", { values: ["full", "partial", "none"] }),
      col("satisfactionPercent", "number", "满意度（%，空：未调查）", "satisfaction % (empty: no survey)", { nullable: true }),
      col("evaluation.grade", "enum", "评估等级（空：无）", "evaluation grade (empty: none)", { values: GRADES }),
      col("evaluation.awardedOn", "date", "评估等级授予日期", "grade awarded on"),
      col("evaluation.expiresOn", "date", "评估等级有效期至（空：5年）", "grade expires on (empty: 5 years)", { nullable: true }),
      col("supervisorRating", "enum", "业务主管单位评价（空：无）", "supervisor rating (empty: none)", { values: ["good", "average", "poor"], nullable: true }),
      col("responsiblePersonDisqualified", "boolean", "负责人失格", "responsible person disqualified"),
      col("courtDefaulter", "boolean", "失信被执行人", "court judgment defaulter"),
      col("unreachable", "boolean", "无法联系", "unreachable"),
    ],
  },
  entrySheet("annualInspections", "年检", "annual inspections", [
    col("year", "integer", "年度", "year"),
    col("result", "enum", "年检结论", "result", { values: INSPECTION_RESULTS }),
  ]),
  entrySheet("activities", "业务活动", "activities", [col("on", "date", "日期", "on"), col("kind", "enum", "类别", "kind", { values: ACTIVITY_KINDS })]),
  entrySheet("governmentProjects", "政府购买服务项目", "government projects", [
    col("endedOn", "date", "结项日期", "ended on"),
    col("outcome", "enum", "结项评价", "outcome", { values: PROJECT_OUTCOMES }),
  ]),
  entrySheet("complaints", "投诉", "complaints", [col("on", "date", "日期", "on"), col("verified", "boolean", "查实", "verified")]),
  entrySheet("penalties", "行政处罚", "penalties", [
    col("on", "date", "日期", "on"),
    col("kind", "enum", "处罚种类", "kind", { values: PENALTY_KINDS }),
    col("amountYuan", "number", "罚款金额（元，非罚款为空）", "fine in yuan (empty unless a fine)", { nullable: true }),
  ]),
  entrySheet("rectificationNotices", "整改通知", "rectification notices", [
    col("issuedOn", "date", "下发日期", "issued on"),
    col("dueOn", "date", "整改期限", "due on"),
    col("completedOn", "date", "完成日期（空：未完成）", "completed on (empty: not completed)", { nullable: true }),
  ]),
  entrySheet("violations", "违规行为", "violations", [col("on", "date", "日期", "on"), col("kind", "enum", "类别", "kind", { values: VIOLATION_KINDS })]),
  entrySheet("listings", "名录记录", "listings", [
    col("list", "enum", "名录", "list", { values: LISTS }),
    col("cause", "enum", "列入原因", "cause", { values: [...new Set([...ABNORMAL_CAUSES, ...DISHONEST_CAUSES])] }),
    col("listedOn", "date", "列入日期", "listed on"),
    col("removedOn", "date", "移出日期（空：仍在名录）", "removed on (empty: still listed)", { nullable: true }),
  ]),
  entrySheet("honours", "表彰荣誉", "honours", [col("on", "date", "日期", "on"), col("kind", "enum", "类别", "kind", { values: HONOUR_KINDS })]),
];

function entrySheet(field: string, zh: string, en: string, columns: ColumnSpec[]): SheetSpec {
  return { name: field, label: { zh, en }, field, nullableGroups: [], columns: [{ ...idColumn, label: { zh: "统一社会信用代码（对应 organizations）", en: "credit code (of a row in organizations)" } }, ...columns] };
}

/**
 * The layout's sheet of a name.
 *
 * @param name - a sheet name (`penalties`)
 * @returns the sheet, or undefined for a name outside the layout
 * @example
 * sheetSpec("penalties")?.field; // "penalties"
 */
export function sheetSpec(name: string): SheetSpec | undefined {
  return SPREADSHEET_LAYOUT.find((s) => s.name === name);
}

/**
 * The letters of a 1-based column number, as spreadsheets name columns.
 *
 * @param n - the column number, from 1
 * @returns its letters
 * @example
 * columnLetter(27); // "AA"
 */
export function columnLetter(n: number): string {
  let s = "";
  for (let x = n; x > 0; x = Math.floor((x - 1) / 26)) s = String.fromCharCode(65 + ((x - 1) % 26)) + s;
  return s;
}

/**
 * The header text of a column as the template writes it: the Chinese label, a space, the key.
 *
 * @param c - the column
 * @returns the header cell's text
 * @example
 * headerText(sheetSpec("organizations")!.columns[0]!); // "统一社会信用代码 id"
 */
export function headerText(c: ColumnSpec): string {
  return `${c.label.zh} ${c.key}`;
}

/**
 * Reads a header row: each cell is a column key, optionally after a label and a space
 * (`党组织覆盖 party.coverage`). Reports unknown, repeated and missing columns.
 *
 * @param spec - the sheet
 * @param cells - the header cells, left to right
 * @returns the key of each position (null for an empty cell) and the problems found
 * @example
 * parseHeader(sheetSpec("honours")!, ["id", "on", "kind"]).problems; // []
 */
export function parseHeader(spec: SheetSpec, cells: RawCell[]): { keys: Array<string | null>; problems: string[] } {
  const known = new Set(spec.columns.map((c) => c.key));
  const problems: string[] = [];
  const seen = new Set<string>();
  const keys = cells.map((cell, i) => {
    const text = typeof cell === "string" ? cell.trim() : cell === null ? "" : String(cell);
    if (text === "") return null;
    const key = text.split(/\s+/).pop()!;
    if (!known.has(key)) problems.push(`column ${columnLetter(i + 1)} "${text}" is not a column of sheet ${spec.name}`);
    else if (seen.has(key)) problems.push(`column ${columnLetter(i + 1)} repeats column ${key}`);
    seen.add(key);
    return known.has(key) ? key : null;
  });
  const missing = spec.columns.filter((c) => !seen.has(c.key)).map((c) => c.key);
  if (missing.length > 0) problems.push(`sheet ${spec.name} lacks the column${missing.length > 1 ? "s" : ""} ${missing.join(", ")}`);
  return { keys, problems };
}

/**
 * Whether a cell is empty: no value, or only spaces.
 *
 * @param cell - the cell as read
 * @returns true for an empty cell
 * @example
 * isEmptyCell("  "); // true
 */
export function isEmptyCell(cell: RawCell | undefined): boolean {
  return cell === null || cell === undefined || (typeof cell === "string" && cell.trim() === "");
}

function describeCell(cell: RawCell): string {
  if (cell instanceof Date) return `the date-time ${Number.isNaN(cell.getTime()) ? "Invalid Date" : cell.toISOString()}`;
  if (typeof cell === "object" && cell !== null) return /^(a|an|the) /.test(cell.error) ? cell.error : `the cell error ${cell.error}`;
  if (typeof cell === "number") return `the number ${cell}`;
  if (typeof cell === "boolean") return `the boolean ${cell}`;
  const text = JSON.stringify(cell);
  return text.length > 60 ? `${text.slice(0, 57)}..."` : text;
}

function expectedOf(c: ColumnSpec): string {
  const what = {
    text: "text",
    date: "a calendar date YYYY-MM-DD",
    boolean: "true or false (是/否)",
    integer: "a whole number",
    number: "a number",
    enum: `one of ${(c.values ?? []).join(", ")}`,
  }[c.kind];
  return c.nullable ? `${what}, or an empty cell` : what;
}

const TRUE_TEXT = new Set(["true", "是"]);
const FALSE_TEXT = new Set(["false", "否"]);

/**
 * Converts one cell to the JSON value of its field, or says why it cannot.
 *
 * @param c - the column
 * @param cell - the cell as read (a spreadsheet date comes as a Date at UTC midnight)
 * @returns `{ ok: true, value }` or `{ ok: false, expected, found }`
 * @example
 * const on = sheetSpec("honours")!.columns.find((c) => c.key === "on")!;
 * readCell(on, "2023-02-30"); // { ok: false, expected: "a calendar date YYYY-MM-DD", found: "\"2023-02-30\"" }
 */
export function readCell(c: ColumnSpec, cell: RawCell): { ok: true; value: string | number | boolean | null } | { ok: false; expected: string; found: string } {
  const fail = () => ({ ok: false as const, expected: expectedOf(c), found: describeCell(cell) });
  if (isEmptyCell(cell)) return c.nullable ? { ok: true, value: null } : { ok: false, expected: expectedOf(c), found: "an empty cell" };
  if (typeof cell === "object" && cell !== null && !(cell instanceof Date)) return fail();
  const text = typeof cell === "string" ? cell.trim() : null;
  switch (c.kind) {
    case "text":
      if (text !== null) return { ok: true, value: text };
      // A long numeric code typed into a number cell keeps its digits only while it is a safe integer.
      return typeof cell === "number" && Number.isSafeInteger(cell) ? { ok: true, value: String(cell) } : fail();
    case "date": {
      if (cell instanceof Date) {
        const iso = Number.isNaN(cell.getTime()) ? "" : cell.toISOString();
        // Spreadsheet dates come at UTC midnight; a time of day means the cell is not a plain date.
        return iso.endsWith("T00:00:00.000Z") && isIsoDate(iso.slice(0, 10)) ? { ok: true, value: iso.slice(0, 10) } : fail();
      }
      return text !== null && isIsoDate(text) ? { ok: true, value: text } : fail();
    }
    case "boolean":
      if (typeof cell === "boolean") return { ok: true, value: cell };
      if (text !== null && TRUE_TEXT.has(text.toLowerCase())) return { ok: true, value: true };
      if (text !== null && FALSE_TEXT.has(text.toLowerCase())) return { ok: true, value: false };
      return fail();
    case "integer":
      if (typeof cell === "number" && Number.isSafeInteger(cell)) return { ok: true, value: cell };
      return text !== null && /^-?\d{1,15}$/.test(text) ? { ok: true, value: Number(text) } : fail();
    case "number":
      if (typeof cell === "number" && Number.isFinite(cell)) return { ok: true, value: cell };
      return text !== null && /^-?\d{1,15}(\.\d+)?$/.test(text) ? { ok: true, value: Number(text) } : fail();
    case "enum":
      return text !== null && (c.values ?? []).includes(text) ? { ok: true, value: text } : fail();
  }
}

/**
 * Where a cell is, in words, for error messages.
 *
 * @param row - the row
 * @param key - the column key
 * @returns the place in English and Chinese
 * @example
 * cellPlace(row, "kind").en; // "sheet penalties, row 7, column C (kind)"
 */
export function cellPlace(row: SheetRow, key: string): { en: string; zh: string } {
  const letter = row.letters.get(key) ?? "?";
  return {
    en: `sheet ${row.sheet}, row ${row.row}, column ${letter} (${key})`,
    zh: `工作表 ${row.sheet} 第 ${row.row} 行 ${letter} 列（${key}）`,
  };
}

function cellIssue(row: SheetRow, key: string, path: string, expected: string, found: string): RecordIssue {
  const place = cellPlace(row, key);
  return {
    code: "invalid_cell",
    path,
    expected,
    found,
    message: { zh: `${place.zh}：应为 ${expected}，实为 ${found}`, en: `${place.en}: expected ${expected}, found ${found}` },
  };
}

/** Reads a row's columns into a plain object (dotted keys nested), collecting every cell problem. */
function readRowFields(spec: SheetSpec, row: SheetRow, pathPrefix: string, issues: RecordIssue[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const groupEmpty = new Map(
    spec.nullableGroups.map((g) => [g, spec.columns.filter((c) => c.key.startsWith(`${g}.`)).every((c) => isEmptyCell(row.values.get(c.key) ?? null))]),
  );
  for (const c of spec.columns) {
    if (spec.field !== null && c.key === "id") continue;
    const [head, leaf] = c.key.includes(".") ? (c.key.split(".") as [string, string]) : [c.key, null];
    if (leaf !== null && groupEmpty.get(head)) {
      out[head] = null;
      continue;
    }
    const read = readCell(c, row.values.get(c.key) ?? null);
    if (!read.ok) issues.push(cellIssue(row, c.key, `${pathPrefix}${c.key}`, read.expected, read.found));
    const value = read.ok ? read.value : null;
    if (leaf === null) out[head] = value;
    else ((out[head] ??= {}) as Record<string, unknown>)[leaf] = value;
  }
  return out;
}

/**
 * Assembles one organization record from its row of the organizations sheet and its rows of the entry
 * sheets (in sheet order), in the field order of record v1. Every cell that cannot be read is an issue
 * naming the sheet, row and column; the record is then not to be scored.
 *
 * @param organization - the organization's row
 * @param entries - the rows of each entry sheet with this organization's id, by sheet name
 * @returns the record and the cell issues (empty when every cell was read)
 * @example
 * const { record, issues } = assembleRecord(orgRow, { penalties: [penaltyRow] });
 */
export function assembleRecord(organization: SheetRow, entries: Readonly<Record<string, readonly SheetRow[]>>): { record: Record<string, unknown>; issues: RecordIssue[] } {
  const issues: RecordIssue[] = [];
  const fields = readRowFields(sheetSpec(ORGANIZATIONS_SHEET)!, organization, "", issues);
  const record: Record<string, unknown> = {};
  for (const key of Object.keys(organizationRecordSchema.shape)) {
    const spec = sheetSpec(key);
    record[key] = spec ? (entries[key] ?? []).map((row, i) => readRowFields(spec, row, `${key}.${i}.`, issues)) : fields[key];
  }
  return { record, issues };
}

function cellOut(value: unknown): CellOut {
  return value === undefined ? null : (value as CellOut);
}

/**
 * The rows a record fills in each sheet: the inverse of `assembleRecord`, for the template, the
 * example and exports. Dates stay `YYYY-MM-DD` text.
 *
 * @param record - an organization record v1
 * @returns rows of cells by column key, by sheet name
 * @example
 * sheetRowsOf(record).penalties; // [{ id: "5133…", on: "2022-08-01", kind: "warning", amountYuan: null }]
 */
export function sheetRowsOf(record: Record<string, unknown>): Record<string, Array<Record<string, CellOut>>> {
  const out: Record<string, Array<Record<string, CellOut>>> = {};
  for (const spec of SPREADSHEET_LAYOUT) {
    const rowOf = (source: Record<string, unknown>) =>
      Object.fromEntries(
        spec.columns.map((c) => {
          if (c.key === "id") return [c.key, record.id as CellOut];
          const [head, leaf] = c.key.includes(".") ? c.key.split(".") : [c.key, null];
          const top = source[head!] as Record<string, unknown> | null | undefined;
          return [c.key, cellOut(leaf === null ? top : top?.[leaf])];
        }),
      );
    out[spec.name] = spec.field === null ? [rowOf(record)] : ((record[spec.field] as Array<Record<string, unknown>>) ?? []).map(rowOf);
  }
  return out;
}
