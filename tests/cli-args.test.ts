// Issue 10, after the merge: a command line is read strictly, and every problem with it is one line, exit 2:
// a negative number is a value (then judged), an option given twice is refused, help about a mistyped
// command suggests the nearest one, and --encoding is refused where it cannot apply (NDJSON).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCli, type InProcessRun } from "./_lib/in-process.js";
import { LIBRARY_VERSION } from "../src/version.js";

let dir: string;
let reg: string;
let runCli: (argv: string[]) => Promise<InProcessRun>;

beforeAll(async () => {
  runCli = await loadCli();
  dir = mkdtempSync(join(tmpdir(), "soc-args-"));
  reg = join(dir, "reg.ndjson");
  expect((await runCli(["generate", "--count", "3", "--seed", "1", "--out", reg])).code).toBe(0);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Exit 2 with a first line that is the whole message: no escaped line break in it. */
function refused(r: InProcessRun, pattern: RegExp) {
  expect(r.code, r.stderr).toBe(2);
  const first = r.stderr.split("\n")[0]!;
  expect(first).toMatch(pattern);
  expect(first).not.toContain("\\x0a");
  expect(r.stdout).toBe("");
}

describe("option values that start with a dash", () => {
  it("a negative number is taken as the value and refused as out of range", async () => {
    refused(await runCli(["generate", "--count", "-1", "--seed", "1"]), /^error: --count must be a whole number .*found -1$/);
    refused(await runCli(["generate", "--count", "2", "--seed", "-1"]), /^error: --seed must be a whole number .*found -1$/);
    refused(await runCli(["score", reg, "--as-of", "2023-05-31", "--workers", "-1"]), /^error: --workers must be a whole number .*found -1$/);
  });

  it("an option followed by another option, or by nothing: one line saying the value is missing", async () => {
    refused(await runCli(["score", reg, "--as-of", "--out", join(dir, "x.ndjson")]), /^error: --as-of takes a value; .*--as-of=VALUE/);
    refused(await runCli(["score", reg, "--out"]), /^error: --out takes a value; found nothing$/);
  });

  it("-h in a group of short options is help: -hx is about -x", async () => {
    refused(await runCli(["score", "-hx"]), /^error: Unknown option '-x'/);
  });
});

describe("an option given twice", () => {
  it("is refused, naming both values, for every command", async () => {
    refused(await runCli(["score", reg, "--as-of", "2023-05-31", "--as-of", "2024-05-31"]), /^error: --as-of is given twice \(2023-05-31, then 2024-05-31\)/);
    refused(await runCli(["generate", "--count", "2", "--count", "3"]), /^error: --count is given twice/);
    refused(await runCli(["report", reg, "--out", "a.html", "--out", "b.html"]), /^error: --out is given twice/);
    refused(await runCli(["diff", reg, reg, "--allow-incomplete", "--allow-incomplete"]), /^error: --allow-incomplete is given twice/);
  });

  it("shadow's two --rules are the documented repeat, not refused as one", async () => {
    const r = await runCli(["shadow", "--rules", "rules/quzhou-reference", "--rules", "rules/quzhou-reference", reg, "--as-of", "2023-05-31"]);
    expect(r.stderr).not.toContain("given twice");
  });
});

describe("help about a command", () => {
  it("a mistyped command suggests the nearest one, exit 2", async () => {
    const r = await runCli(["help", "scor"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("did you mean score?");
    const bogus = await runCli(["help", "--bogus"]);
    expect(bogus.code).toBe(2);
    expect(bogus.stdout).toBe("");
    const sub = await runCli(["help", "rules", "chek"]);
    expect(sub.code).toBe(2);
    expect(sub.stderr).toContain("did you mean rules check?");
    expect((await runCli(["help", "rules", "check"])).code).toBe(0);
    expect((await runCli(["help", "score"])).code).toBe(0);
  });

  it("-V is --version", async () => {
    const r = await runCli(["-V"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${LIBRARY_VERSION}\n`);
  });
});

describe("--encoding with NDJSON", () => {
  it("is refused for an .ndjson file and a folder holding one, for score and verify; utf-8 is accepted", async () => {
    const folder = join(dir, "folder");
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, "a.jsonl"), "");
    for (const argv of [
      ["score", reg, "--as-of", "2023-05-31", "--encoding", "gb18030"],
      ["score", folder, "--as-of", "2023-05-31", "--encoding", "GB18030"],
      ["verify", reg, reg, "--as-of", "2023-05-31", "--encoding", "gb18030"],
    ]) {
      const r = await runCli(argv);
      refused(r, /^error: --encoding .*NDJSON.*UTF-8, or UTF-16 with a byte-order mark/);
    }
    expect((await runCli(["score", reg, "--as-of", "2023-05-31", "--encoding", "utf-8"])).code).toBe(0);
  });
});
