// The CLI run inside the test process (tests/cli.test.ts runs the built command as a subprocess, which
// coverage cannot see): the same behaviour, checked against the hand-worked fixtures, with its output captured.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { boundedLines, decodeLine, isBlankLine } from "../src/cli/lines.js";
import { LIBRARY_VERSION } from "../src/version.js";
import { FIXTURES_DIR, organizationFixtures } from "./_lib/fixtures.js";
import { jsonResults, ndjsonResults } from "./_lib/results.js";
import { otherCreditCode } from "./_lib/credit-codes.js";

type RunCli = (argv: string[]) => Promise<number>;
let runCli: RunCli;
let out = "";
let err = "";
let dir: string;

const fixtures = organizationFixtures();
const ORGANIZATIONS = join(FIXTURES_DIR, "organizations");
const clean = fixtures.find((f) => f.file.startsWith("01-"))!;
/** The clean record under another credit code: rows of one input need distinct ones (a repeat is refused). */
const cleanAs = (n: number, edit: Record<string, unknown> = {}) => ({ ...clean.record, id: otherCreditCode(clean.record.id as string, n), ...edit });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "soc-cli-in-process-"));
  // The module runs the command line it was started with as soon as it loads: give it --version.
  const argv = process.argv;
  process.argv = [process.execPath, "social-org-credit", "--version"];
  const write = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
  try {
    ({ runCli } = (await import("../src/cli/main.js")) as { runCli: RunCli });
    await vi.waitFor(() => expect(write).toHaveBeenCalledWith(`${LIBRARY_VERSION}\n`));
  } finally {
    write.mockRestore();
    process.argv = argv;
    process.exitCode = undefined;
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeEach(() => {
  out = "";
  err = "";
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => ((out += String(chunk)), true));
  vi.spyOn(process.stderr, "write").mockImplementation((chunk) => ((err += String(chunk)), true));
});
afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}
const expectedGrades = () => fixtures.map((f) => [f.record.id, f.expected.score, f.expected.grade]);

describe("runCli", () => {
  it("prints the usage with --help and exits 0", async () => {
    expect(await runCli(["--help"])).toBe(0);
    expect(out).toMatch(/social-org-credit score <file\|folder>/);
  });

  it("exits 2 with the usage for a missing command, an unknown command and bad options", async () => {
    const bare = file("bare.json", JSON.stringify([clean.record]));
    const cases: Array<[string[], RegExp]> = [
      [[], /a command is required/],
      [["grade"], /unknown command grade/],
      [["score"], /exactly one input/],
      [["score", bare, "--format", "xml"], /--format must be one of json, ndjson, csv, table/],
      [["score", bare, "--as-of", "2023-02-30"], /--as-of must be a calendar date/],
      [["score", bare], /--as-of is required/],
      [["score", bare, "--colour"], /Unknown option/],
    ];
    for (const [argv, message] of cases) {
      err = "";
      expect(await runCli(argv), argv.join(" ")).toBe(2);
      expect(err, argv.join(" ")).toMatch(message);
    }
  });

  it("exits 2 naming the file for a missing input and for an invalid rule set", async () => {
    expect(await runCli(["score", join(dir, "missing.json"), "--as-of", clean.asOf])).toBe(2);
    expect(err).toMatch(/ENOENT/);
    const rules = join(dir, "empty-rules");
    (await import("node:fs")).mkdirSync(rules);
    writeFileSync(join(rules, "manifest.json"), "{}");
    err = "";
    expect(await runCli(["score", ORGANIZATIONS, "--rules", rules])).toBe(2);
    expect(err).toMatch(/the rule set is invalid[\s\S]*manifest\.json/);
  });

  it("scores the fixture folder as json, each with its hand-worked score and grade, exit 0", async () => {
    expect(await runCli(["score", ORGANIZATIONS, "--format", "json"])).toBe(0);
    const rows = jsonResults<{ organizationId: string; score: number; grade: string }>(out);
    expect(rows.map((r) => [r.organizationId, r.score, r.grade])).toEqual(expectedGrades());
    expect(err.startsWith(`read ${fixtures.length}, scored ${fixtures.length}, refused 0`)).toBe(true);
  });

  it("writes ndjson to --out and nothing to standard output", async () => {
    const path = join(dir, "out.ndjson");
    expect(await runCli(["score", ORGANIZATIONS, "--format", "ndjson", "--out", path])).toBe(0);
    expect(out).toBe("");
    const rows = ndjsonResults<{ organizationId: string; score: number; grade: string }>(readFileSync(path, "utf8"));
    expect(rows.map((r) => [r.organizationId, r.score, r.grade])).toEqual(expectedGrades());
  });

  it("writes csv with a header and one line per row, a refused row included, exit 1", async () => {
    const mixed = file("mixed.json", JSON.stringify([clean.record, cleanAs(1, { registeredOn: "2023-02-29" }), cleanAs(2, { name: 'A, "quoted" name' })]));
    expect(await runCli(["score", mixed, "--as-of", clean.asOf, "--format", "csv"])).toBe(1);
    const lines = out.trim().split("\n");
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^row,source,organizationId,name,asOf,status,score,scoreLevel,grade,/);
    expect(lines[1]).toContain(`,scored,${clean.expected.score},`);
    expect(lines[2]).toMatch(/,refused,.*registeredOn: expected a real calendar date/);
    expect(lines[3]).toContain('"A, ""quoted"" name"');
  });

  it("prints a table with a refused line, the grade counts and the legend", async () => {
    const mixed = file("mixed-table.json", JSON.stringify([clean.record, "junk", cleanAs(1, { courtDefaulter: true })]));
    expect(await runCli(["score", mixed, "--as-of", clean.asOf, "--format", "table"])).toBe(1);
    expect(out).toMatch(/REFUSED 拒绝/);
    expect(out).toMatch(/E!/);
    expect(out).toMatch(/read 3, scored 2, refused 1; grades 等级: A 1, E 1\./);
  });

  it("prints an empty json array and a zero summary for an empty folder", async () => {
    const empty = join(dir, "empty");
    (await import("node:fs")).mkdirSync(empty);
    expect(await runCli(["score", empty, "--as-of", clean.asOf])).toBe(0);
    // No row, and the trailer that says so.
    expect(out).toBe('[\n{"endOfResults":{"rows":0,"scored":0,"refused":0}}\n]\n');
    out = "";
    expect(await runCli(["score", empty, "--as-of", clean.asOf, "--format", "table"])).toBe(0);
    expect(out).toMatch(/read 0, scored 0, refused 0; grades 等级: none\./);
  });

  it("reads NDJSON with CRLF line ends, a byte-order mark, blank lines, a bad line and no final newline", async () => {
    const text = JSON.stringify(clean.record);
    const path = file("crlf.ndjson", `\uFEFF${text}\r\n\r\n{"id": \r\n${JSON.stringify({ asOf: clean.asOf, record: cleanAs(1) })}`);
    expect(await runCli(["score", path, "--as-of", clean.asOf, "--format", "ndjson"])).toBe(1);
    const rows = ndjsonResults<{ source?: string; grade?: string; error?: { code: string; message: string } }>(out);
    expect(rows.map((r) => r.grade ?? r.error?.code)).toEqual([clean.expected.grade, "unreadable_row", clean.expected.grade]);
    expect(rows[1]!.error!.message).toMatch(/^line 3 is not JSON/);
  });

  it("refuses an entry without its own asOf when the first entry has one and no --as-of is given", async () => {
    const path = file("mixed-envelopes.ndjson", `${JSON.stringify({ asOf: clean.asOf, record: clean.record })}\n${JSON.stringify(cleanAs(1))}\n`);
    expect(await runCli(["score", path, "--format", "ndjson"])).toBe(1);
    const rows = ndjsonResults<{ grade?: string; error?: { code: string } }>(out);
    expect(rows.map((r) => r.grade ?? r.error?.code)).toEqual([clean.expected.grade, "missing_as_of"]);
  });
});

describe("boundedLines", () => {
  it("yields each line, drops a line longer than the limit to its end, and keeps counting lines", async () => {
    const path = file("lines.txt", "short\r\nthis line is far too long\n\nok\nlast");
    const lines = [];
    for await (const line of boundedLines(path, 10)) lines.push(line);
    expect(lines).toEqual([
      { lineNo: 1, text: "short", tooLong: false },
      { lineNo: 2, text: null, tooLong: true },
      { lineNo: 3, text: "", tooLong: false },
      { lineNo: 4, text: "ok", tooLong: false },
      { lineNo: 5, text: "last", tooLong: false },
    ]);
  });

  it("splits lines across reads and keeps multi-byte characters whole", async () => {
    const long = "名".repeat(400_000); // 1,200,000 bytes: spans two 1 MiB reads
    const path = file("chunks.txt", `short\n${long}\n${long}\nlast`);
    const lines = [];
    for await (const line of boundedLines(path, 2_000_000)) lines.push(line.text);
    expect(lines).toEqual(["short", long, long, "last"]);
    // The same line over the limit is dropped whole, across reads, and the next line is still read.
    const counted = [];
    for await (const line of boundedLines(path, 1_000_000)) counted.push([line.lineNo, line.tooLong]);
    expect(counted).toEqual([[1, false], [2, true], [3, true], [4, false]]);
  });

  it("judges blank lines from their bytes as String#trim would, and decodes a line as UTF-8 without BOM or CR", () => {
    const bytes = (text: string) => Buffer.from(text, "utf8");
    for (const blank of ["", " ", "\t\r", " \u3000 ", "\uFEFF", "\u00A0\u2028"]) expect(isBlankLine(bytes(blank)), JSON.stringify(blank)).toBe(true);
    for (const text of ["{}", " x", "\u3000名", "\uFEFF{"]) expect(isBlankLine(bytes(text)), JSON.stringify(text)).toBe(false);
    expect(decodeLine(bytes("\uFEFF{\"a\":1}\r"))).toBe('{"a":1}');
    expect(decodeLine(bytes("名\r\r"))).toBe("名\r");
    // Bytes that are not UTF-8 are refused, never turned into U+FFFD (issue 10).
    expect(() => decodeLine(Uint8Array.from([0x7b, 0xff, 0x7d]))).toThrow(/not valid UTF-8 at byte 1/);
  });
});
