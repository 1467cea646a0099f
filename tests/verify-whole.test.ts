// Issue 10, class 5: verify rechecks every row whole. A refused row must come back as the very error row
// score writes (row, source, id, code, message, every issue's code, path, expected, found and message), and
// a result as the very JSON: any single-byte edit of a results file, at any position of any row, is a mismatch.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { importCli } from "./_lib/in-process.js";
import { FIXTURES_DIR, organizationFixtures } from "./_lib/fixtures.js";

type RunCli = (argv: string[]) => Promise<number>;
let runCli: RunCli;
let out = "";
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "soc-verify-whole-"));
  runCli = await importCli();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeEach(() => {
  out = "";
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => ((out += String(chunk)), true));
  vi.spyOn(process.stderr, "write").mockImplementation(() => true);
});
afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

const clean = organizationFixtures().find((f) => f.file.startsWith("01-"))!;
const invalid = JSON.parse(readFileSync(join(FIXTURES_DIR, "invalid", "01-id-wrong-check-character.json"), "utf8")) as { record: Record<string, unknown> };

/**
 * A register with a result and every kind of refused row: invalid fields (issues with found values,
 * one holding a control character, one Chinese), an unknown field, a row that is not JSON, and a bare
 * record without asOf. The first line is an envelope so that score runs without --as-of.
 */
function register(): string {
  const lines = [
    JSON.stringify({ asOf: clean.asOf, record: clean.record }),
    JSON.stringify({ asOf: clean.asOf, record: invalid.record }),
    JSON.stringify({ asOf: clean.asOf, record: { ...clean.record, id: "X\u001b1", name: "", founded: "2023-02-30", 额外: 1 } }),
    "{not json",
    JSON.stringify({ ...clean.record, name: "无评价日" }),
  ];
  const path = join(dir, "register.ndjson");
  writeFileSync(path, `${lines.join("\n")}\n`);
  return path;
}

/** Single-byte edits of the bytes from `from` to `to`: each byte replaced (a letter by its other case, a digit by the next, anything else by `x`) and each byte deleted. */
function edits(bytes: Buffer, from: number, to: number): Array<{ at: number; kind: string; file: Buffer }> {
  const list: Array<{ at: number; kind: string; file: Buffer }> = [];
  for (let at = from; at < to; at++) {
    const b = bytes[at]!;
    const s = (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) ? b ^ 0x20 : b >= 0x30 && b <= 0x39 ? 0x30 + ((b - 0x30 + 1) % 10) : 0x78;
    const file = Buffer.from(bytes);
    file[at] = s;
    list.push({ at, kind: `byte ${at} ${String.fromCharCode(b)}→${String.fromCharCode(s)}`, file });
    list.push({ at, kind: `byte ${at} ${String.fromCharCode(b)} deleted`, file: Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1)]) });
  }
  return list;
}

/** The byte range of each line of a file (without its line feed). */
function lineRanges(bytes: Buffer): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  let start = 0;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0x0a) ranges.push([start, i]), (start = i + 1);
  return ranges;
}

describe("verify rechecks refused rows whole", () => {
  let records: string;
  let ndjson: Buffer;
  let json: Buffer;

  beforeAll(async () => {
    records = register();
    vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    expect(await runCli(["score", records, "--format", "ndjson", "--out", join(dir, "results.ndjson")])).toBe(1);
    expect(await runCli(["score", records, "--format", "json", "--out", join(dir, "results.json")])).toBe(1);
    vi.restoreAllMocks();
    ndjson = readFileSync(join(dir, "results.ndjson"));
    json = readFileSync(join(dir, "results.json"));
  });

  function unparsable(name: string, file: Buffer): boolean {
    if (!name.endsWith(".json")) return false;
    try {
      JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(file));
      return false;
    } catch {
      return true;
    }
  }

  async function missed(name: string, list: ReturnType<typeof edits>): Promise<string[]> {
    const path = join(dir, name);
    const passed: string[] = [];
    for (const e of list) {
      writeFileSync(path, e.file);
      out = "";
      let code: number;
      try {
        code = await runCli(["verify", records, path]);
      } catch (error) {
        passed.push(`${e.kind}: threw ${(error as Error).message}`);
        continue;
      }
      // An edit is caught when verify reports a mismatch (exit 1) and says so; nothing may pass as verified.
      // A JSON file that no longer parses at all is refused whole (exit 2), as any unreadable results file.
      if (unparsable(name, e.file)) {
        if (code !== 2 || /verified/.test(out)) passed.push(`${e.kind}: exit ${code} for a file that is not JSON`);
      } else if (code !== 1 || !/^MISMATCH/m.test(out)) passed.push(`${e.kind}: exit ${code}`);
    }
    return passed;
  }

  it("reports every single-byte edit of every refused row of an NDJSON results file (and passes the file unedited)", async () => {
    expect(await runCli(["verify", records, join(dir, "results.ndjson")])).toBe(0);
    expect(out).toMatch(/^verified .* all 5 rows/m);
    expect(await runCli(["verify", records, join(dir, "results.json")])).toBe(0);
    // The rows after the result; the last line is the end-of-results trailer, not a row.
    const ranges = lineRanges(ndjson).slice(1, -1);
    const list = ranges.flatMap(([from, to]) => edits(ndjson, from, to));
    expect(list.length).toBeGreaterThan(2000);
    expect(await missed("edited.ndjson", list)).toEqual([]);
  }, 600_000);

  it("reports every single-byte edit of every refused row of a JSON results file", async () => {
    // Between the result and the end-of-results trailer (then `]`).
    const ranges = lineRanges(json).slice(2, -2);
    const list = ranges.flatMap(([from, to]) => edits(json, from, to));
    expect(await missed("edited.json", list)).toEqual([]);
  }, 600_000);

  it("reports single-byte edits throughout a result row (every 5th byte)", async () => {
    const [from, to] = lineRanges(ndjson)[0]!;
    const list = edits(ndjson, from, to).filter((e) => e.at % 5 === 0);
    expect(list.length).toBeGreaterThan(1000);
    expect(await missed("edited-result.ndjson", list)).toEqual([]);
  }, 600_000);

  it("reports a changed hex digit's case in an escaped control character, and white space put between tokens", async () => {
    const text = ndjson.toString("utf8");
    expect(text).toContain("\\u001b");
    const variants = [text.replace("\\u001b", "\\u001B"), text.replace('"code":', '"code": '), text.replace('{"row":1,', '{ "row":1,')];
    for (const [i, v] of variants.entries()) {
      const path = join(dir, `variant-${i}.ndjson`);
      writeFileSync(path, v);
      out = "";
      expect(await runCli(["verify", records, path])).toBe(1);
      expect(out).toMatch(/^MISMATCH/m);
    }
    const jsonText = json.toString("utf8").replace("\\u001b", "\\u001B");
    writeFileSync(join(dir, "variant.json"), jsonText);
    expect(await runCli(["verify", records, join(dir, "variant.json")])).toBe(1);
  });

  it("names what differs in a refused row: the field, the recorded and the recomputed value", async () => {
    const lines = ndjson.toString("utf8").trimEnd().split("\n");
    const row = JSON.parse(lines[1]!) as { error: { issues: Array<{ found: string }> } };
    row.error.issues[0]!.found = "edited";
    lines[1] = JSON.stringify(row);
    writeFileSync(join(dir, "named.ndjson"), `${lines.join("\n")}\n`);
    expect(await runCli(["verify", records, join(dir, "named.ndjson")])).toBe(1);
    expect(out).toMatch(/row 1 .*error\.issues\.0\.found: "edited" → /);
  });
});
