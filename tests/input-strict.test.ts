// Inputs are read as they say, or refused naming the place: a folder's every entry is read (or the folder
// refused naming what would be left out); a JSON object that repeats a key, or a string holding an unpaired
// surrogate, is an error row — in JSON files, NDJSON lines (on the worker path too) and envelopes.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordOfTask } from "../src/audit/parallel.js";
import { checkStrictJson, parseStrictJson, StrictJsonError } from "../src/_lib/strict-json.js";
import { runCli } from "./_lib/cli.js";
import { loadCli, type InProcessRun } from "./_lib/in-process.js";
import { FIXTURES_DIR } from "./_lib/fixtures.js";
import { cpSync } from "node:fs";

let dir: string;
let run: (argv: string[]) => Promise<InProcessRun>;
let lines: string[];
const AS_OF = ["--as-of", "2023-05-31", "--format", "ndjson"];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "soc-strict-"));
  run = await loadCli();
  const reg = join(dir, "reg.ndjson");
  expect((await run(["generate", "--count", "20", "--seed", "1", "--out", reg])).code).toBe(0);
  lines = readFileSync(reg, "utf8").trim().split("\n");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const rowsOf = (r: InProcessRun) =>
  r.stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { source?: string; organizationId?: string | null; error?: { code: string; message: string } });

describe("a folder of inputs", () => {
  it("reads upper-case extensions and refuses, naming them, a file of another kind and a subfolder", async () => {
    const f = join(dir, "f3");
    mkdirSync(join(f, "sub"), { recursive: true });
    writeFileSync(join(f, "a.ndjson"), `${lines.slice(0, 3).join("\n")}\n`);
    writeFileSync(join(f, "B.NDJSON"), `${lines.slice(3, 6).join("\n")}\n`);
    writeFileSync(join(f, "c.JSON"), lines[6]!);
    writeFileSync(join(f, "sub", "a.ndjson"), `${lines[0]}\n`);
    writeFileSync(join(f, "d.txt"), `${lines.slice(7, 9).join("\n")}\n`);
    const refused = await run(["score", f, ...AS_OF]);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe("");
    expect(refused.stderr).toMatch(/d\.txt/);
    expect(refused.stderr).toMatch(/sub\/ \(a subfolder\)/);
    rmSync(join(f, "sub"), { recursive: true });
    rmSync(join(f, "d.txt"));
    // Hidden entries (the CLI's own temporary outputs are `.name.<random>.tmp`) are skipped.
    writeFileSync(join(f, ".out.ndjson.1234.tmp"), "half a line");
    const read = await run(["score", f, ...AS_OF]);
    expect(read.stderr).toMatch(/read 7,/);
    expect(read.code).toBe(0);
  });

  it("that holds only a .txt file is refused naming it, not read as zero rows", async () => {
    const f = join(dir, "txt-only");
    mkdirSync(f);
    writeFileSync(join(f, "reg.txt"), `${lines[0]}\n`);
    const r = await run(["score", f, ...AS_OF]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/reg\.txt/);
    expect(r.stdout).toBe("");
  });

  it("of CSV files holds only <sheet>.csv files: another NDJSON file or a workbook is named and refused", async () => {
    const f = join(dir, "csv");
    cpSync(join(FIXTURES_DIR, "spreadsheets", "example-csv"), f, { recursive: true });
    expect((await run(["score", f, ...AS_OF])).code).toBe(0);
    writeFileSync(join(f, "more.ndjson"), `${lines[0]}\n`);
    cpSync(join(FIXTURES_DIR, "spreadsheets", "example.xlsx"), join(f, "example.xlsx"));
    const r = await run(["score", f, ...AS_OF]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/more\.ndjson/);
    expect(r.stderr).toMatch(/example\.xlsx/);
  });
});

describe("strict JSON", () => {
  it("finds a repeated key after escapes are decoded, naming its path", () => {
    expect(() => checkStrictJson('{"a":1,"b":{"c":[1,{"d":1,"d":2}]}}')).toThrow(/"d" appears twice .*\$\.b\.c\[1\]\.d/);
    expect(() => checkStrictJson('{"a":1,"\\u0061":2}')).toThrow(/"a" appears twice/);
    expect(() => checkStrictJson('[{"a":1},{"a":2}]')).not.toThrow();
    expect(() => checkStrictJson('{"a":{"a":{"a":1}},"b":"\\"a\\",\\"a\\""}')).not.toThrow();
    const many = `{${Array.from({ length: 40 }, (_, i) => `"k${i}":${i}`).join(",")},"k3":0}`;
    expect(() => checkStrictJson(many)).toThrow(/"k3" appears twice/);
  });

  it("finds an unpaired surrogate, escaped or not, and lets a pair pass", () => {
    expect(() => checkStrictJson('{"name":"\\ud800衢州"}')).toThrow(StrictJsonError);
    expect(() => checkStrictJson('{"name":"\\udc00"}')).toThrow(/unpaired surrogate .*\$\.name/);
    expect(() => checkStrictJson('["x","\ud800"]')).toThrow(/\$\[1\]/);
    expect(() => checkStrictJson('{"\\ud83d":1}')).toThrow(/key/);
    expect(parseStrictJson('{"name":"\\ud83d\\ude00😀"}')).toEqual({ name: "😀😀" });
  });

  it("refuses an NDJSON line with a repeated key, and one with an escaped lone surrogate, as error rows", async () => {
    const dup = lines[0]!.replace(/}$/, ',"penalties":[]}');
    const lone = lines[1]!.replace('"name":"', '"name":"\\ud800');
    const path = join(dir, "bad.ndjson");
    writeFileSync(path, `${dup}\n${lone}\n${lines[2]}\n`);
    const r = await run(["score", path, ...AS_OF]);
    expect(r.code).toBe(1);
    const rows = rowsOf(r);
    expect(rows[0]!.error!.message).toMatch(/line 1 .*"penalties" appears twice .*\$\.penalties/);
    expect(rows[1]!.error!.message).toMatch(/line 2 .*unpaired surrogate .*\$\.name/);
    expect(rows[2]!.error).toBeUndefined();
  });

  it("refuses a JSON file and an envelope that repeat a key", async () => {
    const path = join(dir, "bad.json");
    writeFileSync(path, `[${lines[0]},${lines[1]!.replace(/}$/, ',"penalties":[]}')}]`);
    const r = await run(["score", path, ...AS_OF]);
    expect(r.code).toBe(1);
    expect(rowsOf(r)[0]!.error!.message).toMatch(/"penalties" appears twice .*\$\[1\]\.penalties/);
    const env = join(dir, "env.json");
    writeFileSync(env, `{"asOf":"2023-05-31","record":${lines[0]},"asOf":"2020-01-01"}`);
    const e = await run(["score", env, "--format", "ndjson"]);
    expect(e.code).toBe(1);
    expect(rowsOf(e)[0]!.error!.message).toMatch(/"asOf" appears twice/);
  });

  it("is what a worker parses line bytes by", () => {
    const dup = Buffer.from(lines[0]!.replace(/}$/, ',"penalties":[]}'));
    expect(recordOfTask({ bytes: dup, asOf: "2023-05-31" })).toBeNull();
    expect(recordOfTask({ text: '{"id":"x","name":"\\udfff"}', asOf: "2023-05-31" })).toBeNull();
    expect(recordOfTask({ bytes: Buffer.from(lines[0]!), asOf: "2023-05-31" })).not.toBeNull();
  });

  it("refuses a repeated key on the worker path of the built CLI", () => {
    const path = join(dir, "many.ndjson");
    expect(runCli(["generate", "--count", "2100", "--seed", "3", "--out", path]).status).toBe(0);
    const many = readFileSync(path, "utf8").trim().split("\n");
    many[1500] = many[1500]!.replace(/}$/, ',"penalties":[]}');
    writeFileSync(path, `${many.join("\n")}\n`);
    const out = join(dir, "many-results.ndjson");
    const r = runCli(["score", path, "--as-of", "2023-05-31", "--format", "ndjson", "--workers", "2", "--out", out]);
    expect(r.status, r.stderr).toBe(1);
    const row = JSON.parse(readFileSync(out, "utf8").split("\n")[1500]!) as { error?: { message: string } };
    expect(row.error?.message).toMatch(/line 1501 .*"penalties" appears twice/);
  });
});
