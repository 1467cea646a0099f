// Workbooks written cell by cell as XML, as other applications write them (LibreOffice's boolean formulas,
// WPS's inline strings, date serials, formulas without a saved value), zipped by tests/_lib/zip.ts.
import { SPREADSHEET_LAYOUT, columnLetter, headerText, sheetRowsOf } from "../../src/audit/spreadsheet-layout.js";
import { zipOf, type ZipEntry } from "./zip.js";

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** The XML of one cell at `ref` holding a value: text inline, numbers plain, booleans as LibreOffice writes them. */
export function cellXml(ref: string, value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "boolean") return `<c r="${ref}" t="b"><f aca="false">${value ? "TRUE()" : "FALSE()"}</f><v>${value ? 1 : 0}</v></c>`;
  if (typeof value === "number") return `<c r="${ref}"><v>${value}</v></c>`;
  return `<c r="${ref}" t="inlineStr"><is><t xml:space="preserve">${esc(String(value))}</t></is></c>`;
}

/** A cell's XML in place of the one the record gives: by sheet, 0-based data row and column key. */
export type CellOverride = (sheet: string, row: number, key: string, ref: string) => string | undefined;

export interface HandWorkbookOptions {
  override?: CellOverride;
  /** Sheets left out of the workbook. */
  omit?: string[];
  /** Extra entries (or replacements) of the zip. */
  extra?: ZipEntry[];
  /** Text put inside the organizations sheet's <sheetData> after its rows. */
  organizationsTail?: string;
  /** Applied to each sheet's XML and to the workbook's (a writer's own namespace prefixes, say). */
  transform?: (xml: string) => string;
}

/** Style 0 is General; style 1 a date format (built-in 14), as a date typed into a cell gets. */
const STYLES = `<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>`;

/** The bytes of an XLSX workbook in the layout holding the records, written as XML by hand. */
export function handWorkbook(records: Array<Record<string, unknown>>, options: HandWorkbookOptions = {}): Buffer {
  const sheets = SPREADSHEET_LAYOUT.filter((s) => !(options.omit ?? []).includes(s.name));
  const entries: ZipEntry[] = [
    { name: "[Content_Types].xml", data: `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>` },
    {
      name: "xl/workbook.xml",
      data: `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>${sheets
        .map((s, i) => `<sheet name="${s.name}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`)
        .join("")}</sheets></workbook>`,
    },
    {
      name: "xl/_rels/workbook.xml.rels",
      data: `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${sheets
        .map((_, i) => `<Relationship Id="rId${i + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`)
        .join("")}<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`,
    },
    { name: "xl/styles.xml", data: STYLES },
  ];
  sheets.forEach((sheet, i) => {
    const rows = [`<row r="1">${sheet.columns.map((c, j) => cellXml(`${columnLetter(j + 1)}1`, headerText(c))).join("")}</row>`];
    let n = 0;
    for (const record of records) {
      for (const row of sheetRowsOf(record)[sheet.name]!) {
        const r = n + 2;
        const cells = sheet.columns.map((c, j) => {
          const ref = `${columnLetter(j + 1)}${r}`;
          return options.override?.(sheet.name, n, c.key, ref) ?? cellXml(ref, row[c.key]);
        });
        rows.push(`<row r="${r}">${cells.join("")}</row>`);
        n++;
      }
    }
    const tail = sheet.name === "organizations" ? (options.organizationsTail ?? "") : "";
    entries.push({
      name: `xl/worksheets/sheet${i + 1}.xml`,
      data: (options.transform ?? ((x: string) => x))(`<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${rows.join("")}${tail}</sheetData></worksheet>`),
    });
  });
  if (options.transform) entries[1] = { name: entries[1]!.name, data: options.transform(entries[1]!.data as string) };
  for (const e of options.extra ?? []) {
    const at = entries.findIndex((x) => x.name === e.name);
    if (at >= 0) entries[at] = e;
    else entries.push(e);
  }
  return zipOf(entries);
}
