// Inputs are decoded by what they are, or refused naming the place: a byte-order mark (UTF-8, UTF-16LE,
// UTF-16BE) is read in JSON, NDJSON and CSV; bytes that are not UTF-8 are never turned into U+FFFD (an
// NDJSON line becomes an error row naming the line and byte, on the worker path too; a JSON or CSV file
// is refused, exit 2); a CSV folder in GB18030 (Excel on Chinese Windows) is read with --encoding gb18030.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ndjsonResults } from "./_lib/results.js";
import { decodeLine, InvalidTextError, invalidUtf8Offset } from "../src/_lib/line-text.js";
import { recordOfTask } from "../src/audit/parallel.js";
import { runCli } from "./_lib/cli.js";
import { FIXTURES_DIR, organizationFixtures } from "./_lib/fixtures.js";

const EXAMPLE_CSV = join(FIXTURES_DIR, "spreadsheets", "example-csv");
const fixtures = organizationFixtures();
const lines = fixtures.map((f) => JSON.stringify({ asOf: f.asOf, record: f.record }));
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "soc-encodings-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const put = (name: string, bytes: Buffer | string) => {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
};
const utf16le = (text: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]);
const utf16be = (text: string) => Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, "utf16le").swap16()]);
/** The results of scoring, one JSON line each. */
const scoreLines = (args: string[]) => {
  const r = runCli(["score", ...args, "--format", "ndjson"]);
  return { ...r, rows: r.stdout === "" ? [] : ndjsonResults<Record<string, unknown>>(r.stdout) };
};
const expectedNames = () => fixtures.map((f) => f.record.name);

/** GB18030 bytes of a text, built by inverting the decoder over its two-byte range (Node has no GB18030 encoder). */
function gb18030(text: string): Buffer {
  const table = new Map<string, number[]>();
  const decoder = new TextDecoder("gb18030");
  for (let lead = 0x81; lead <= 0xfe; lead++) {
    for (let trail = 0x40; trail <= 0xfe; trail++) {
      if (trail === 0x7f) continue;
      const c = decoder.decode(Uint8Array.from([lead, trail]));
      if (c.length === 1 && c !== "\ufffd" && !table.has(c)) table.set(c, [lead, trail]);
    }
  }
  const out: number[] = [];
  for (const c of text) {
    if (c.charCodeAt(0) < 0x80) out.push(c.charCodeAt(0));
    else {
      const bytes = table.get(c);
      if (!bytes) throw new Error(`no two-byte GB18030 code for ${c}`);
      out.push(...bytes);
    }
  }
  return Buffer.from(out);
}

function csvFolder(name: string, encode: (text: string) => Buffer): string {
  const folder = join(dir, name);
  mkdirSync(folder);
  for (const file of readdirSync(EXAMPLE_CSV)) {
    const text = readFileSync(join(EXAMPLE_CSV, file), "utf8").replace(/^\ufeff/, "");
    writeFileSync(join(folder, file), encode(text));
  }
  return folder;
}

describe("JSON input", () => {
  it("reads a file with a UTF-8 byte-order mark (as Notepad saves it)", () => {
    const r = scoreLines([put("bom.json", `\ufeff${JSON.stringify(lines.map((l) => JSON.parse(l)))}`)]);
    expect(r.stderr).not.toMatch(/error:/);
    expect(r.rows.map((x) => x.name)).toEqual(expectedNames());
  });

  it("reads UTF-16LE and UTF-16BE files by their byte-order mark", () => {
    const text = JSON.stringify(lines.map((l) => JSON.parse(l)));
    for (const [name, bytes] of [["le.json", utf16le(text)], ["be.json", utf16be(text)]] as const) {
      const r = scoreLines([put(name, bytes)]);
      expect(r.rows.map((x) => x.name), name).toEqual(expectedNames());
    }
  });

  it("refuses a file that is not valid UTF-8, exit 2, naming the file and the byte", () => {
    const good = Buffer.from(lines[0]!);
    const at = good.indexOf(Buffer.from(fixtures[0]!.record.name as string));
    const bad = Buffer.concat([good.subarray(0, at), Buffer.from([0xc3, 0x28]), good.subarray(at)]);
    const r = runCli(["score", put("bad.json", bad)]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(new RegExp(`bad\\.json: not valid UTF-8 at byte ${at}\\b`));
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });
});

describe("NDJSON input", () => {
  const bad = () => {
    const line = Buffer.from(lines[1]!);
    const at = line.indexOf(Buffer.from(fixtures[1]!.record.name as string));
    // A lone continuation byte inside the name: a decoder that replaces would score the organization as "\ufffd…".
    return { bytes: Buffer.concat([line.subarray(0, at), Buffer.from([0x80]), line.subarray(at)]), at };
  };

  it("makes a line with invalid UTF-8 an error row naming the line and byte offset, and scores the others", () => {
    const { bytes, at } = bad();
    const start = Buffer.byteLength(`${lines[0]!}\n`);
    const file = put("bad.ndjson", Buffer.concat([Buffer.from(`${lines[0]!}\n`), bytes, Buffer.from(`\n${lines.slice(2).join("\n")}\n`)]));
    const r = scoreLines([file]);
    expect(r.status).toBe(1);
    expect(r.rows).toHaveLength(lines.length);
    const row = r.rows[1] as { source: string; error: { code: string; message: string } };
    expect(row.source).toBe("bad.ndjson:2");
    expect(row.error.message).toContain(`line 2 is not valid UTF-8 at byte ${at} of the line (byte ${start + at} of the file)`);
    expect(JSON.stringify(r.rows)).not.toContain("\ufffd");
    expect(r.rows.filter((x) => "grade" in x)).toHaveLength(lines.length - 1);
  });

  it("refuses such a line on the worker path too (the worker decodes the raw line bytes)", () => {
    const { bytes } = bad();
    const body = Buffer.concat([bytes, Buffer.from("\n"), ...fixtures.slice(2).map((f) => Buffer.from(`${JSON.stringify(f.record)}\n`))]);
    const r = scoreLines([put("bad-workers.ndjson", body), "--as-of", fixtures[1]!.asOf, "--workers", "2"]);
    const row = r.rows[0] as { error?: { message: string } };
    expect(row.error?.message).toMatch(/line 1 is not valid UTF-8 at byte \d+ of the line/);
    expect(JSON.stringify(r.rows)).not.toContain("\ufffd");
    // The worker's own decoding refuses it as well: the task has no record.
    expect(recordOfTask({ bytes, asOf: "2023-05-31" })).toBeNull();
  });

  it("reads a UTF-16LE and a UTF-16BE file by its byte-order mark, line by line", () => {
    const text = `${lines.join("\r\n")}\r\n`;
    for (const [name, bytes] of [["le.ndjson", utf16le(text)], ["be.ndjson", utf16be(text)]] as const) {
      const r = scoreLines([put(name, bytes)]);
      expect(r.rows.map((x) => x.name), name).toEqual(expectedNames());
    }
  });

  it("decodeLine refuses every invalid UTF-8 sequence, at the byte the strict decoder stops, and never returns U+FFFD", () => {
    const strict = new TextDecoder("utf-8", { fatal: true });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 24 }), (bytes) => {
        let valid = true;
        try {
          strict.decode(bytes);
        } catch {
          valid = false;
        }
        if (valid) {
          expect(invalidUtf8Offset(bytes)).toBe(-1);
          return;
        }
        const at = invalidUtf8Offset(bytes);
        // Every prefix up to the offset is whole text; the sequence starting there is not.
        expect(() => strict.decode(bytes.subarray(0, at))).not.toThrow();
        expect(() => decodeLine(bytes)).toThrow(InvalidTextError);
        try {
          decodeLine(bytes);
        } catch (error) {
          expect((error as InvalidTextError).byteOffset).toBe(at);
        }
      }),
      { seed: 20231130, numRuns: 3000 },
    );
  });
});

describe("CSV folders", () => {
  const expected = () => scoreLines([EXAMPLE_CSV, "--as-of", "2023-05-31"]).stdout;

  it("reads a folder saved by Excel on Chinese Windows (GB18030) when asked with --encoding gb18030, names intact", () => {
    const folder = csvFolder("gb18030", gb18030);
    const r = scoreLines([folder, "--as-of", "2023-05-31", "--encoding", "gb18030"]);
    expect(r.stdout).toBe(expected());
    expect(r.stdout).toContain("衢州市");
  });

  it("refuses that folder unasked, exit 2, naming file and byte and suggesting --encoding gb18030 (never read garbled)", () => {
    const folder = csvFolder("gb18030-unasked", gb18030);
    const r = runCli(["score", folder, "--as-of", "2023-05-31"]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/\.csv: not valid UTF-8 at byte \d+.*--encoding gb18030/);
  });

  it("reads UTF-16LE and UTF-16BE CSV files by their byte-order mark", () => {
    for (const [name, enc] of [["csv-le", utf16le], ["csv-be", utf16be]] as const) {
      expect(scoreLines([csvFolder(name, enc), "--as-of", "2023-05-31"]).stdout, name).toBe(expected());
    }
  });

  it("verify reads the records with the --encoding score was given", () => {
    const folder = csvFolder("gb18030-verify", gb18030);
    const results = put("gb-results.ndjson", scoreLines([folder, "--as-of", "2023-05-31", "--encoding", "gb18030"]).stdout);
    const r = runCli(["verify", folder, results, "--encoding", "gb18030"]);
    expect(r.stdout).toMatch(/verified/);
    expect(r.status).toBe(0);
  });
});
