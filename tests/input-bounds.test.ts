// Only regular files are read, workbooks within bounds, and every sheet of the layout must be there:
// a device, a FIFO, a zip bomb or a sheet left out is refused with one line and exit code 2 — never read
// forever, never scored as if the missing entries did not exist.
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, ROOT } from "./_lib/cli.js";
import { FIXTURES_DIR, organizationFixtures } from "./_lib/fixtures.js";
import { handWorkbook } from "./_lib/workbook-xml.js";

const EXAMPLE_CSV = join(FIXTURES_DIR, "spreadsheets", "example-csv");
const fixture = organizationFixtures()[0]!;
const record = fixture.record as Record<string, unknown>;
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "soc-bounds-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The CLI with a time limit: a reader that reads forever is killed, and the test fails on its null status. */
function run(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: "utf8", timeout: 15_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
function expectRefused(args: string[], message: RegExp) {
  const r = run(args);
  expect(r.status, r.stderr).toBe(2);
  expect(r.stderr).toMatch(message);
  expect(r.stderr.trim().split("\n")).toHaveLength(1);
  expect(r.stdout).toBe("");
}
const mkfifo = (path: string) => {
  expect(spawnSync("mkfifo", [path]).status).toBe(0);
  return path;
};

describe("only regular files are read", () => {
  it("refuses /dev/zero behind an .ndjson name (it would be read forever)", () => {
    const link = join(dir, "zero.ndjson");
    symlinkSync("/dev/zero", link);
    expectRefused(["score", link, "--as-of", "2023-05-31"], /zero\.ndjson: a character device, not a regular file/);
  });

  it("refuses /dev/urandom behind an .xlsx and a .json name", () => {
    for (const name of ["random.xlsx", "random.json"]) {
      const link = join(dir, name);
      symlinkSync("/dev/urandom", link);
      expectRefused(["score", link, "--as-of", "2023-05-31"], new RegExp(`${name.replace(".", "\\.")}: a character device, not a regular file`));
    }
  });

  it("refuses a FIFO given as an NDJSON input (its open would wait for a writer forever)", () => {
    expectRefused(["score", mkfifo(join(dir, "pipe.ndjson")), "--as-of", "2023-05-31"], /pipe\.ndjson: a named pipe \(FIFO\), not a regular file/);
  });

  it("refuses a FIFO inside a folder of inputs and inside a CSV folder", () => {
    const folder = join(dir, "with-fifo");
    mkdirSync(folder);
    writeFileSync(join(folder, "a.json"), JSON.stringify({ asOf: fixture.asOf, record }));
    mkfifo(join(folder, "b.ndjson"));
    expectRefused(["score", folder], /with-fifo\/b\.ndjson: a named pipe \(FIFO\), not a regular file/);
    const csv = join(dir, "csv-fifo");
    cpSync(EXAMPLE_CSV, csv, { recursive: true });
    unlinkSync(join(csv, "penalties.csv"));
    mkfifo(join(csv, "penalties.csv"));
    expectRefused(["score", csv, "--as-of", "2023-05-31"], /csv-fifo\/penalties\.csv: a named pipe \(FIFO\), not a regular file/);
  });
});

describe("every sheet of the layout must be there", () => {
  it("refuses a workbook without its penalties sheet, naming it (its vetoes would vanish)", () => {
    const book = join(dir, "no-penalties.xlsx");
    writeFileSync(book, handWorkbook([record], { omit: ["penalties"] }));
    expectRefused(["score", book, "--as-of", fixture.asOf], /no-penalties\.xlsx: there is no sheet penalties\b/);
  });

  it("names every missing sheet at once", () => {
    const book = join(dir, "no-listings.xlsx");
    writeFileSync(book, handWorkbook([record], { omit: ["listings", "honours"] }));
    expectRefused(["score", book, "--as-of", fixture.asOf], /there is no sheets listings, honours/);
  });

  it("refuses a CSV folder without penalties.csv, naming the file; a header-only file means none", () => {
    const csv = join(dir, "csv-missing");
    cpSync(EXAMPLE_CSV, csv, { recursive: true });
    unlinkSync(join(csv, "penalties.csv"));
    expectRefused(["score", csv, "--as-of", "2023-05-31"], /csv-missing: there is no file penalties\.csv/);
    // With its header only, the sheet is there and says "no penalties".
    const header = "统一社会信用代码（对应 organizations） id,日期 on,处罚种类 kind,罚款金额（元，非罚款为空） amountYuan\n";
    writeFileSync(join(csv, "penalties.csv"), header);
    const r = run(["score", csv, "--as-of", "2023-05-31", "--format", "ndjson"]);
    expect(r.stderr).not.toMatch(/error:/);
    expect(r.stdout.trim().split("\n").length).toBeGreaterThan(1);
  });
});

describe("workbooks are read within bounds", () => {
  it("refuses an entry that inflates far beyond its compressed size (a zip bomb), before it is held", () => {
    // 64 MiB of spaces inside the sheet's XML deflate to some 64 KB: a ratio of about 1000.
    const book = join(dir, "bomb.xlsx");
    writeFileSync(book, handWorkbook([record], { organizationsTail: " ".repeat(64 * 1024 * 1024) }));
    expectRefused(["score", book, "--as-of", fixture.asOf], /bomb\.xlsx: xl\/worksheets\/sheet1\.xml inflates more than 200 times its compressed size/);
  });

  it("refuses a workbook whose directory declares more than 2 GiB uncompressed", () => {
    const book = join(dir, "declared.xlsx");
    writeFileSync(book, handWorkbook([record], { extra: [{ name: "xl/media/huge.bin", data: "x", declaredSize: 0xfffffff0 }] }));
    expectRefused(["score", book, "--as-of", fixture.asOf], /declared\.xlsx: its entries declare \d+ bytes uncompressed, more than the 2147483648/);
  });

  it("refuses a sheet with a row beyond a spreadsheet's 1,048,576", () => {
    const book = join(dir, "rows.xlsx");
    writeFileSync(book, handWorkbook([record], { organizationsTail: `<row r="1048577"><c r="A1048577" t="inlineStr"><is><t>x</t></is></c></row>` }));
    expectRefused(["score", book, "--as-of", fixture.asOf], /rows\.xlsx: sheet organizations has a row beyond row 1048576/);
  });
});
