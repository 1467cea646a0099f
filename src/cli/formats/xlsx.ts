import ExcelJS from "exceljs";
import { DOCUMENT_DATE, withPinnedClockSync } from "../../_lib/document-date.js";
import { spreadsheetText, terminalText } from "../../_lib/inert.js";
import type { Result } from "../../result/types.js";
import type { OutputFormat, OutputRow } from "../output.js";

type Cell = string | number | boolean | null;

/** A column of an output sheet: its header (Chinese label, then the key) and its cell for a row. */
interface OutColumn<T> {
  header: string;
  width: number;
  cell(row: T): Cell;
}

const ids = (list: Array<{ id: string }>) => list.map((x) => x.id).join(" ");

function resultColumns(dims: string[]): Array<OutColumn<{ index: number; source: string; result: Result }>> {
  return [
    { header: "序号 row", width: 8, cell: (r) => r.index },
    { header: "来源 source", width: 28, cell: (r) => r.source },
    { header: "统一社会信用代码 organizationId", width: 22, cell: (r) => r.result.organizationId },
    { header: "名称 name", width: 30, cell: (r) => r.result.name },
    { header: "评价日 asOf", width: 12, cell: (r) => r.result.asOf },
    { header: "得分 score", width: 8, cell: (r) => r.result.score },
    { header: "分数等级 scoreLevel", width: 10, cell: (r) => r.result.scoreLevel },
    { header: "最终等级 grade", width: 10, cell: (r) => r.result.grade },
    { header: "严重失信 seriouslyDishonest", width: 10, cell: (r) => r.result.seriouslyDishonest },
    ...dims.map((d) => ({ header: `维度 dimension_${d}`, width: 10, cell: (r: { result: Result }) => r.result.dimensions.find((x) => x.id === d)?.score ?? null })),
    { header: "基础分 baseScore", width: 10, cell: (r) => r.result.baseScore },
    { header: "扣分 deductionTotal", width: 10, cell: (r) => r.result.deductionTotal },
    { header: "加分 bonusTotal", width: 10, cell: (r) => r.result.bonusTotal },
    { header: "封顶 caps", width: 14, cell: (r) => ids(r.result.caps) },
    { header: "否决 vetoes", width: 14, cell: (r) => ids(r.result.vetoes) },
    { header: "A级门槛 gateHeld", width: 10, cell: (r) => r.result.gate.held },
    { header: "名录处置 listActions", width: 40, cell: (r) => r.result.listActions.map((a) => `${a.id}(${a.causes.join(" ")})`).join(" ") },
    { header: "上一等级 nextLevel", width: 10, cell: (r) => r.result.nextLevel?.level ?? null },
    { header: "差分 pointsNeeded", width: 10, cell: (r) => r.result.nextLevel?.pointsNeeded ?? null },
    { header: "受限于 blockedBy", width: 14, cell: (r) => r.result.nextLevel?.blockedBy.join(" ") ?? null },
    { header: "规则集 ruleSet", width: 24, cell: (r) => `${r.result.ruleSet.id}@${r.result.ruleSet.version}` },
    { header: "摘要 digest", width: 30, cell: (r) => r.result.digest },
  ];
}

type MeasureRow = { result: Result; measure: Result["measures"][number] };
const MEASURE_COLUMNS: Array<OutColumn<MeasureRow>> = [
  { header: "统一社会信用代码 organizationId", width: 22, cell: (r) => r.result.organizationId },
  { header: "名称 name", width: 30, cell: (r) => r.result.name },
  { header: "最终等级 grade", width: 10, cell: (r) => r.result.grade },
  { header: "措施 measure", width: 30, cell: (r) => r.measure.id },
  { header: "类别 kind", width: 12, cell: (r) => r.measure.kind },
  { header: "措施（中文） labelZh", width: 24, cell: (r) => r.measure.label.zh },
  { header: "措施（英文） labelEn", width: 30, cell: (r) => r.measure.label.en },
  { header: "参数 params", width: 16, cell: (r) => (Object.keys(r.measure.params).length > 0 ? JSON.stringify(r.measure.params) : null) },
  { header: "原因 reasons", width: 30, cell: (r) => r.measure.reasons.join(" ") },
];

type ErrorRow = { row: Extract<OutputRow, { ok: false }>; issue: { path: string; code: string; expected: string; found: string; message: { zh: string; en: string } } | null };
const ERROR_COLUMNS: Array<OutColumn<ErrorRow>> = [
  { header: "序号 row", width: 8, cell: (r) => r.row.index },
  { header: "来源 source", width: 28, cell: (r) => r.row.source },
  { header: "统一社会信用代码 organizationId", width: 22, cell: (r) => r.row.organizationId },
  { header: "错误 code", width: 16, cell: (r) => r.issue?.code ?? r.row.error.code },
  { header: "字段 path", width: 26, cell: (r) => r.issue?.path ?? null },
  { header: "应为 expected", width: 36, cell: (r) => r.issue?.expected ?? null },
  { header: "实为 found", width: 24, cell: (r) => r.issue?.found ?? null },
  { header: "说明 messageZh", width: 50, cell: (r) => r.issue?.message.zh ?? null },
  { header: "message messageEn", width: 60, cell: (r) => r.issue?.message.en ?? r.row.error.message },
];

function addSheet<T>(workbook: ExcelJS.stream.xlsx.WorkbookWriter, name: string, columns: Array<OutColumn<T>>) {
  const ws = workbook.addWorksheet(name, { views: [{ state: "frozen", ySplit: 1 }] });
  ws.columns = columns.map((c) => ({ header: c.header, width: c.width }));
  ws.getRow(1).font = { bold: true };
  ws.getRow(1).commit();
  // Text that a spreadsheet would take for a formula once edited or saved as CSV gets a leading apostrophe.
  return (row: T) => ws.addRow(columns.map((c) => inert(c.cell(row)))).commit();
}

// Characters XML cannot hold (C0 controls but tab, line feed and CR; DEL), which exceljs would drop
// without a word: shown escaped instead, as the terminal shows them.
const NOT_IN_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;
const inert = (cell: Cell): Cell => (typeof cell === "string" ? spreadsheetText(cell).replace(NOT_IN_XML, terminalText) : cell);

/** The zip archive exceljs streams the workbook through; each entry takes the time given, or the clock's. */
type Zip = { append(source: unknown, data: { name: string; date?: Date }): unknown };

/**
 * A streamed workbook whose bytes depend on its content only: the document properties and every zip
 * entry carry DOCUMENT_DATE (as the committed spreadsheets do), never the clock; the zip (archiver)
 * writes entry times in UTC, so the time zone does not matter either.
 */
function reproducibleWorkbook(options: Partial<ExcelJS.stream.xlsx.WorkbookStreamWriterOptions>): ExcelJS.stream.xlsx.WorkbookWriter {
  // The constructor adds the theme and the package relations to the zip at once: with the clock pinned.
  const workbook = withPinnedClockSync(() => new ExcelJS.stream.xlsx.WorkbookWriter(options));
  // docProps/core.xml is written from these at the end.
  Object.assign(workbook, { created: DOCUMENT_DATE, modified: DOCUMENT_DATE, creator: "social-org-credit", lastModifiedBy: "social-org-credit" });
  const zip = (workbook as unknown as { zip: Zip }).zip;
  const append = zip.append.bind(zip);
  zip.append = (source, data) => append(source, { ...data, date: DOCUMENT_DATE });
  return workbook;
}

/**
 * The XLSX output of `score` (needs `--out`): sheet `results` (one row per scored organization),
 * `measures` (one row per measure of each organization) and `errors` (one row per problem of each
 * refused row). Rows are written as they come; the workbook is finished at the end. A text cell that
 * begins with `=`, `+`, `-`, `@`, tab or CR gets a leading apostrophe (spreadsheetText); the same rows give
 * the same bytes, whenever and wherever they are written.
 */
export const xlsxFormat: OutputFormat = {
  name: "xlsx",
  needsFile: true,
  create(_sink, { ruleSet, stream }) {
    // The workbook goes to the output file's stream: written beside the target, renamed into place when whole.
    const workbook = reproducibleWorkbook({ stream: stream as unknown as import("node:stream").Stream, useStyles: true, useSharedStrings: false });
    const dims = ruleSet.manifest.dimensions.map((d) => d.id);
    const addResult = addSheet(workbook, "results", resultColumns(dims));
    const addMeasure = addSheet(workbook, "measures", MEASURE_COLUMNS);
    const addError = addSheet(workbook, "errors", ERROR_COLUMNS);
    return {
      async write(row) {
        if (row.ok) {
          addResult(row);
          for (const measure of row.result.measures) addMeasure({ result: row.result, measure });
        } else if (row.error.issues.length === 0) addError({ row, issue: null });
        else for (const issue of row.error.issues) addError({ row, issue });
      },
      async end() {
        await workbook.commit();
      },
    };
  },
};
