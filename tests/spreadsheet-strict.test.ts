// A workbook is read as it is, or refused naming the place — never guessed: two sheets of one name (Excel
// forbids it; a crafted file with a hidden second `penalties` would count every penalty twice), a boolean
// cell holding anything but 0 or 1, a cell or a row given twice or out of order (the last silently won).
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SPREADSHEET_LAYOUT } from "../src/audit/spreadsheet-layout.js";
import type { InputRow } from "../src/cli/input.js";
import { InputError } from "../src/cli/input-error.js";
import { csvFolderReader, xlsxReader } from "../src/cli/readers/spreadsheet.js";
import { FIXTURES_DIR, organizationFixtures } from "./_lib/fixtures.js";
import { handWorkbook, type HandWorkbookOptions } from "./_lib/workbook-xml.js";

const records = organizationFixtures()
  .slice(0, 3)
  .map((f) => f.record as Record<string, unknown>);
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "soc-sheet-strict-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function book(name: string, options: HandWorkbookOptions = {}): string {
  const path = join(dir, name);
  writeFileSync(path, handWorkbook(records, options));
  return path;
}
async function rowsOf(path: string): Promise<InputRow[]> {
  const out: InputRow[] = [];
  for await (const r of xlsxReader.read(path, 0)) out.push(r);
  return out;
}
async function refusal(path: string): Promise<string> {
  try {
    await rowsOf(path);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as Error).message;
  }
  throw new Error("the workbook was read");
}

describe("a workbook", () => {
  const penalties = SPREADSHEET_LAYOUT.findIndex((s) => s.name === "penalties") + 1;
  const second = (name: string) => (xml: string) => xml.replace("</sheets>", `<sheet name="${name}" sheetId="99" state="hidden" r:id="rId${penalties}"/></sheets>`);

  it("that repeats a sheet name, also in another case, is refused naming it", async () => {
    expect(await refusal(book("twice.xlsx", { transform: second("penalties") }))).toMatch(/two sheets named "penalties"/);
    expect(await refusal(book("case.xlsx", { transform: second("PENALTIES") }))).toMatch(/two sheets named "penalties" and "PENALTIES"/);
  });

  it("refuses a boolean cell holding anything but 0 or 1, naming the cell with expected and found", async () => {
    for (const v of ["2", "yes", "01", "1.0", "-1", "true"]) {
      const override: HandWorkbookOptions["override"] = (sheet, row, key, ref) =>
        sheet === "organizations" && row === 0 && key === "isTradeAssociation" ? `<c r="${ref}" t="b"><v>${v}</v></c>` : undefined;
      const [row] = await rowsOf(book(`bool-${v}.xlsx`, { override }));
      expect(row!.readError, v).toContain(`sheet organizations, row 2, column E (isTradeAssociation): expected true or false (是/否), found a boolean cell holding "${v}"`);
    }
    const ok: HandWorkbookOptions["override"] = (sheet, row, key, ref) => (sheet === "organizations" && row === 0 && key === "isTradeAssociation" ? `<c r="${ref}" t="b"><v>0</v></c>` : undefined);
    const [row] = await rowsOf(book("bool-0.xlsx", { override: ok }));
    expect(row!.readError).toBeNull();
    expect((row!.record as { isTradeAssociation: boolean }).isTradeAssociation).toBe(false);
  });

  it("refuses a cell given twice in a row, or out of order, naming it", async () => {
    const twice: HandWorkbookOptions["override"] = (sheet, row, key, ref) =>
      sheet === "organizations" && row === 0 && key === "isTradeAssociation" ? `<c r="${ref}" t="b"><v>1</v></c><c r="${ref}" t="b"><v>0</v></c>` : undefined;
    expect(await refusal(book("cell-twice.xlsx", { override: twice }))).toMatch(/sheet organizations has cell E2 again or out of order in row 2/);
    const back: HandWorkbookOptions["override"] = (sheet, row, key, ref) =>
      sheet === "organizations" && row === 0 && key === "isTradeAssociation" ? `<c r="${ref}" t="b"><v>1</v></c><c r="A2"><v>1</v></c>` : undefined;
    expect(await refusal(book("cell-back.xlsx", { override: back }))).toMatch(/cell A2 again or out of order in row 2/);
  });

  it("refuses a row number given twice, or out of order, naming it", async () => {
    const again = (xml: string) => (xml.includes("<sheetData>") && xml.includes('<row r="3">') ? xml.replace('<row r="3">', '<row r="2">') : xml);
    expect(await refusal(book("row-twice.xlsx", { transform: again }))).toMatch(/sheet organizations has row 2 after row 2/);
  });
});

describe("a CSV folder", () => {
  it("with a stray quote in a name gives one error row for that organization, naming its row and column, its entries not misreported", async () => {
    const f = join(dir, "quote-csv");
    cpSync(join(FIXTURES_DIR, "spreadsheets", "example-csv"), f, { recursive: true });
    const orgs = join(f, "organizations.csv");
    const text = readFileSync(orgs, "utf8");
    expect(text).toContain(",衢州市慈善义工协会,");
    writeFileSync(orgs, text.replace(",衢州市慈善义工协会,", ',衢州市慈"善义工协会,'));
    const rows: InputRow[] = [];
    for await (const r of csvFolderReader.read(f, 0)) rows.push(r);
    expect(rows).toHaveLength(9);
    const refused = rows.filter((r) => r.readError !== null);
    expect(refused).toHaveLength(1);
    expect(refused[0]!.source).toBe("quote-csv!organizations:2");
    expect((refused[0]!.record as { id: string }).id).toBe("51330800MJ1200011L");
    expect(refused[0]!.readError).toMatch(/^sheet organizations, row 2: not CSV: .*\(column B\)/);
    expect(refused[0]!.readError).not.toMatch(/no row in sheet organizations/);
  });
});
