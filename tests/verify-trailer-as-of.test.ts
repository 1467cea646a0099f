// Issue 10, class 5: verify holds the end-of-results trailer to the bytes score writes, and a results file
// to the --as-of it is verified with.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { importCli } from "./_lib/in-process.js";
import { organizationFixtures } from "./_lib/fixtures.js";
import { otherCreditCode } from "./_lib/credit-codes.js";

let runCli: (argv: string[]) => Promise<number>;
let out = "";
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "soc-verify-trailer-"));
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
const id = clean.record.id as string;
// Two bare records, one refused (an unknown field): the trailer counts both kinds.
function bare(): string {
  const path = join(dir, "bare.ndjson");
  writeFileSync(path, `${JSON.stringify(clean.record)}\n${JSON.stringify({ ...clean.record, id: otherCreditCode(id, 1), 额外: 1 })}\n`);
  return path;
}
const TRAILER = '{"endOfResults":{"rows":2,"scored":1,"refused":1}}';

async function scored(format: "ndjson" | "json"): Promise<{ input: string; results: string; text: string }> {
  const input = bare();
  const results = join(dir, `res.${format}`);
  expect(await runCli(["score", input, "--as-of", "2024-06-30", "--format", format, "--out", results])).toBe(1);
  const text = readFileSync(results, "utf8");
  expect(text).toContain(TRAILER);
  out = "";
  return { input, results, text };
}

describe("verify: the end-of-results trailer, byte for byte", () => {
  it("verifies the file score wrote", async () => {
    for (const format of ["ndjson", "json"] as const) {
      const { input, results } = await scored(format);
      expect(await runCli(["verify", input, results, "--as-of", "2024-06-30"]), out).toBe(0);
    }
  });

  const ndjsonEdits: Array<[string, (t: string) => string]> = [
    ["keys reordered", (t) => t.replace(TRAILER, '{"endOfResults":{"scored":1,"refused":1,"rows":2}}')],
    ["a space inside", (t) => t.replace(TRAILER, '{"endOfResults": {"rows":2,"scored":1,"refused":1}}')],
    ["a space after", (t) => t.replace(`${TRAILER}\n`, `${TRAILER} \n`)],
    ["an extra newline", (t) => `${t}\n`],
  ];
  it.each(ndjsonEdits)("NDJSON: %s is a mismatch", async (_, edit) => {
    const { input, results, text } = await scored("ndjson");
    writeFileSync(results, edit(text));
    expect(await runCli(["verify", input, results, "--as-of", "2024-06-30"])).toBe(1);
    expect(out).toMatch(/end-of-results trailer/);
    expect(out).toMatch(/MISMATCH/);
  });

  it.each([
    ["a space inside", (t: string) => t.replace(TRAILER, '{"endOfResults":{"rows":2, "scored":1,"refused":1}}')],
    ["keys reordered", (t: string) => t.replace(TRAILER, '{"endOfResults":{"refused":1,"rows":2,"scored":1}}')],
  ])("JSON array: %s is a mismatch", async (_, edit) => {
    const { input, results, text } = await scored("json");
    writeFileSync(results, edit(text));
    expect(await runCli(["verify", input, results, "--as-of", "2024-06-30"])).toBe(1);
    expect(out).toMatch(/end-of-results trailer/);
  });
});

describe("verify --as-of is held against the results", () => {
  it("reports each result scored on another asOf than the --as-of given", async () => {
    const { input, results } = await scored("ndjson");
    expect(await runCli(["verify", input, results, "--as-of", "2020-01-01"])).toBe(1);
    expect(out).toMatch(/row 0 .*scored on asOf "2024-06-30", not on the --as-of given \(2020-01-01\)/);
  });
});
