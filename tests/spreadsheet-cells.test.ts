// Cells as applications write them, in workbooks written as XML by hand (tests/_lib/workbook-xml.ts):
// booleans as `=TRUE()`/`=FALSE()` formula cells with cached values (LibreOffice), inline strings and
// formula string results (WPS), shared formulas, rich shared strings with phonetic runs, date serials
// (Excel's 1900 leap-year bug below 61); a formula with no cached value is refused naming its cell.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { InputRow } from "../src/cli/input.js";
import { xlsxReader } from "../src/cli/readers/spreadsheet.js";
import { runCli } from "./_lib/cli.js";
import { organizationFixtures } from "./_lib/fixtures.js";
import { cellXml, handWorkbook, type HandWorkbookOptions } from "./_lib/workbook-xml.js";

const fixtures = organizationFixtures().slice(0, 6);
const records = fixtures.map((f) => f.record as Record<string, unknown>);
const AS_OF = "2023-05-31";
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "soc-cells-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function book(name: string, recs: Array<Record<string, unknown>>, options: HandWorkbookOptions = {}): string {
  const path = join(dir, name);
  writeFileSync(path, handWorkbook(recs, options));
  return path;
}
async function rowsOf(path: string): Promise<InputRow[]> {
  const out: InputRow[] = [];
  for await (const r of xlsxReader.read(path, 0)) out.push(r);
  return out;
}
/** Days from 1899-12-30 (Excel's serial 0 for dates from 1 March 1900). */
const serialOf = (iso: string) => (Date.parse(`${iso}T00:00:00Z`) - Date.UTC(1899, 11, 30)) / 86_400_000;

describe("cells as applications write them", () => {
  it("scores a register of boolean formulas, inline strings, shared formulas, rich and phonetic shared strings and date serials as its JSON", () => {
    const names = records.map((r) => r.name as string);
    const shared = `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">${names
      .map((n) => `<si><r><t>${n.slice(0, 2)}</t></r><r><rPr><b/></rPr><t>${n.slice(2)}</t></r><rPh sb="0" eb="2"><t>フリガナ</t></rPh></si>`)
      .join("")}</sst>`;
    const override: HandWorkbookOptions["override"] = (sheet, row, key, ref) => {
      if (sheet !== "organizations") return undefined;
      // The name from the shared strings (Excel, WPS), the type as a formula's string result (WPS), the
      // registration date as a date-formatted serial, a boolean as a shared formula's cached value.
      if (key === "name") return `<c r="${ref}" t="s"><v>${row}</v></c>`;
      if (key === "type") return `<c r="${ref}" t="str"><f>"${records[row]!.type as string}"</f><v>${records[row]!.type as string}</v></c>`;
      if (key === "registeredOn") return `<c r="${ref}" s="1"><v>${serialOf(records[row]!.registeredOn as string)}</v></c>`;
      if (key === "unreachable") return `<c r="${ref}" t="b">${row === 0 ? `<f t="shared" ref="Y2:Y7" si="0">FALSE()</f>` : `<f t="shared" si="0"/>`}<v>${records[row]!.unreachable ? 1 : 0}</v></c>`;
      return undefined;
    };
    const path = book("apps.xlsx", records, {
      override,
      extra: [
        { name: "xl/sharedStrings.xml", data: shared },
        {
          name: "xl/_rels/workbook.xml.rels",
          data: `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${Array.from(
            { length: 10 },
            (_, i) => `<Relationship Id="rId${i + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`,
          ).join("")}<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rIdT" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`,
        },
      ],
    });
    const json = join(dir, "apps.json");
    writeFileSync(json, JSON.stringify(records));
    const fromJson = runCli(["score", json, "--as-of", AS_OF, "--format", "ndjson"]);
    const fromBook = runCli(["score", path, "--as-of", AS_OF, "--format", "ndjson"]);
    expect(fromBook.stdout).toBe(fromJson.stdout);
    expect(fromBook.status).toBe(fromJson.status);
  });

  it("reads a FALSE() formula as false, not as an empty cell", async () => {
    const record = records.find((r) => r.isCharity === false)!;
    const [row] = await rowsOf(book("false.xlsx", [record]));
    expect(row!.readError).toBeNull();
    expect((row!.record as { isCharity: unknown }).isCharity).toBe(false);
  });

  it("refuses a formula with no cached value, naming its cell, in a boolean and in a text column", async () => {
    const override: HandWorkbookOptions["override"] = (sheet, row, key, ref) => {
      if (sheet !== "organizations" || row !== 0) return undefined;
      if (key === "isTradeAssociation") return `<c r="${ref}" t="b"><f>TRUE()</f></c>`;
      if (key === "name") return `<c r="${ref}" t="str"><f>CONCAT("a","b")</f></c>`;
      return undefined;
    };
    const [row] = await rowsOf(book("uncached.xlsx", records.slice(0, 1), { override }));
    expect(row!.readError).toContain("sheet organizations, row 2, column E (isTradeAssociation): expected true or false (是/否), found a formula with no saved value");
    expect(row!.readError).toContain("sheet organizations, row 2, column B (name): expected text, found a formula with no saved value");
  });

  it("reads date serials below 61 as Excel shows them (its 1900 leap-year bug) and refuses serial 60, the 29 February 1900 that never was", async () => {
    const cases: Array<[number, string]> = [
      [1, "1900-01-01"],
      [31, "1900-01-31"],
      [59, "1900-02-28"],
      [61, "1900-03-01"],
      [serialOf("2012-04-10"), "2012-04-10"],
    ];
    const record = { ...records[0]!, annualInspections: [], activities: [], governmentProjects: [], evaluation: null };
    for (const [serial, iso] of cases) {
      const override: HandWorkbookOptions["override"] = (sheet, _row, key, ref) => (sheet === "organizations" && key === "registeredOn" ? `<c r="${ref}" s="1"><v>${serial}</v></c>` : undefined);
      const [row] = await rowsOf(book(`serial-${serial}.xlsx`, [record], { override }));
      expect((row!.record as { registeredOn: unknown }).registeredOn, `serial ${serial}`).toBe(iso);
    }
    const override: HandWorkbookOptions["override"] = (sheet, _row, key, ref) => (sheet === "organizations" && key === "registeredOn" ? `<c r="${ref}" s="1"><v>60</v></c>` : undefined);
    const [row] = await rowsOf(book("serial-60.xlsx", [record], { override }));
    expect(row!.readError).toMatch(/sheet organizations, row 2, column D \(registeredOn\): .*1900-02-29/);
  });

  it("reads a cell whose text holds escaped characters (`&amp;`, `_x000D_`, numeric references) as the text", async () => {
    const record = { ...records[0]!, name: "衢州 A&B\r\n协会" };
    const override: HandWorkbookOptions["override"] = (sheet, _row, key, ref) =>
      sheet === "organizations" && key === "name" ? `<c r="${ref}" t="inlineStr"><is><t>&#x8862;州 A&amp;B_x000D_&#10;协会</t></is></c>` : undefined;
    const [row] = await rowsOf(book("escaped.xlsx", [record], { override }));
    expect((row!.record as { name: unknown }).name).toBe("衢州 A&B\r\n协会");
    expect(cellXml("A1", true)).toContain("TRUE()");
  });

  it("reads sheets whose XML carries a namespace prefix on every element (as some writers save it)", async () => {
    const prefixed = (xml: string) =>
      xml.replace(/<(\/?)([A-Za-z])/g, "<$1x:$2").replace('xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"', 'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"');
    const rows = await rowsOf(book("prefixed.xlsx", records.slice(0, 2), { transform: prefixed }));
    expect(rows.map((r) => r.readError)).toEqual([null, null]);
    expect(rows.map((r) => (r.record as { name: unknown }).name)).toEqual(records.slice(0, 2).map((r) => r.name));
  });

  it("refuses a sheet whose header reaches beyond 256 columns, naming the sheet, instead of reading it cut", async () => {
    const wide = (xml: string) => xml.replace('</row>', '<c r="JA1" t="inlineStr"><is><t>extra</t></is></c></row>');
    await expect(rowsOf(book("wide.xlsx", records.slice(0, 1), { transform: (x) => (x.includes("<sheetData>") && x.includes("名称 name") ? wide(x) : x) }))).rejects.toThrow(
      /sheet organizations has a header cell in column 261; a sheet of the layout has at most 256 columns/,
    );
  });
});
