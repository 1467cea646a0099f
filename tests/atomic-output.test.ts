// Issue 10, class 1: every output file is whole, or the previous one stays. The built CLI is run as a
// process (signals, two runs at once), on files in a temporary folder.
import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generatePopulation } from "../src/audit/generate.js";
import { CLI, ROOT, runCli, type Run } from "./_lib/cli.js";
import { ndjsonResults } from "./_lib/results.js";

const AS_OF = "2023-05-31";
let dir: string;

/** Files whose names mark them as temporary outputs, anywhere under a folder. */
function temporaries(folder: string): string[] {
  return readdirSync(folder, { recursive: true, encoding: "utf8" }).filter((name) => name.endsWith(".tmp"));
}

function population(name: string, count: number, seed: number): string {
  const path = join(dir, name);
  writeFileSync(path, [...generatePopulation({ count, seed, asOf: AS_OF })].map((r) => `${JSON.stringify(r)}\n`).join(""));
  return path;
}

/** A refusal: exit code 2, one line on standard error that names what it should. */
function expectRefused(run: Run, names: RegExp) {
  expect(run.status, run.stderr).toBe(2);
  expect(run.stderr.trimEnd().split("\n"), run.stderr).toHaveLength(1);
  expect(run.stderr).toMatch(names);
  expect(run.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
}

let records: string;
let recordsBytes: Buffer;
let results: string;
let resultsBytes: Buffer;

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npx tsup\` before these tests`);
  dir = mkdtempSync(join(tmpdir(), "soc-atomic-"));
  records = population("records.ndjson", 30, 4);
  recordsBytes = readFileSync(records);
  results = join(dir, "results.ndjson");
  expect(runCli(["score", records, "--as-of", AS_OF, "--format", "ndjson", "--out", results]).status).toBe(0);
  resultsBytes = readFileSync(results);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("an output that names an input is refused before anything is opened", () => {
  it("score x.ndjson --out x.ndjson (and by another spelling, and through a link) leaves the register as it was", () => {
    const link = join(dir, "records-link.ndjson");
    symlinkSync(records, link);
    const cases: Array<[string, string]> = [...["ndjson", "json", "csv", "xlsx"].map((f): [string, string] => [records, f]), [join(dir, ".", "records.ndjson"), "ndjson"], [link, "ndjson"]];
    for (const [out, format] of cases) {
      {
        const run = runCli(["score", records, "--as-of", AS_OF, "--format", format, "--out", out]);
        expectRefused(run, /--out .*records(-link)?\.ndjson is an input of this run/);
        expect(readFileSync(records).equals(recordsBytes), `${format} ${out}`).toBe(true);
      }
    }
    expect(temporaries(dir)).toEqual([]);
  });

  it("score refuses an --out inside the input folder and a file of its --rules folder", () => {
    const folder = join(dir, "register");
    mkdirSync(folder);
    cpSync(records, join(folder, "a.ndjson"));
    expectRefused(runCli(["score", folder, "--as-of", AS_OF, "--out", join(folder, "a.ndjson")]), /is an input of this run/);
    expectRefused(runCli(["score", folder, "--as-of", AS_OF, "--out", join(folder, "results.json")]), /is inside an input folder of this run/);
    expect(existsSync(join(folder, "results.json"))).toBe(false);
    const rules = join(dir, "rules-copy");
    cpSync(join(ROOT, "rules", "quzhou-reference"), rules, { recursive: true });
    const manifest = readFileSync(join(rules, "manifest.json"));
    expectRefused(runCli(["score", records, "--as-of", AS_OF, "--rules", rules, "--out", join(rules, "manifest.json")]), /manifest\.json is an input of this run/);
    expect(readFileSync(join(rules, "manifest.json")).equals(manifest)).toBe(true);
  });

  it("report R --markdown R, report R --out R and report R --out X --markdown X are refused, R untouched", () => {
    expectRefused(runCli(["report", results, "--out", join(dir, "r.html"), "--markdown", results]), /--markdown .*results\.ndjson is an input of this run/);
    expectRefused(runCli(["report", results, "--out", results]), /--out .*results\.ndjson is an input of this run/);
    const same = join(dir, "same.html");
    expectRefused(runCli(["report", results, "--out", same, "--markdown", same]), /--markdown .*same\.html is the same file as --out/);
    expect(readFileSync(results).equals(resultsBytes)).toBe(true);
    expect(existsSync(join(dir, "r.html"))).toBe(false);
    expect(existsSync(same)).toBe(false);
  });

  it("diff A A --out A and diff A B --out B are refused, A and B untouched", () => {
    const other = join(dir, "other.ndjson");
    cpSync(results, other);
    expectRefused(runCli(["diff", results, results, "--out", results]), /--out .*results\.ndjson is an input of this run/);
    expectRefused(runCli(["diff", results, other, "--out", other]), /--out .*other\.ndjson is an input of this run/);
    expect(readFileSync(results).equals(resultsBytes)).toBe(true);
    expect(readFileSync(other).equals(resultsBytes)).toBe(true);
  });

  it("shadow --out over its population is refused", () => {
    const rules = join(ROOT, "rules", "quzhou-reference");
    expectRefused(runCli(["shadow", "--rules", rules, "--rules", rules, records, "--as-of", AS_OF, "--out", records]), /--out .*records\.ndjson is an input of this run/);
    expect(readFileSync(records).equals(recordsBytes)).toBe(true);
  });
});

describe("a run that fails leaves the previous output as it was", () => {
  it("a run that ends in exit 2 halfway (a broken workbook after good rows) neither truncates nor replaces --out", () => {
    const folder = join(dir, "mixed-folder");
    mkdirSync(folder);
    cpSync(records, join(folder, "a.ndjson"));
    writeFileSync(join(folder, "b.xlsx"), "this is not a zip file");
    for (const format of ["json", "ndjson", "csv", "xlsx"]) {
      const previous = join(dir, `previous.${format}`);
      writeFileSync(previous, `previous ${format}\n`);
      const run = runCli(["score", folder, "--as-of", AS_OF, "--format", format, "--out", previous]);
      expect(run.status, format).toBe(2);
      expect(readFileSync(previous, "utf8"), format).toBe(`previous ${format}\n`);
    }
    expect(temporaries(dir)).toEqual([]);
  });

  it("a run that never had an output does not create one", () => {
    const out = join(dir, "never.ndjson");
    const folder = join(dir, "mixed-folder");
    expect(runCli(["score", folder, "--as-of", AS_OF, "--format", "ndjson", "--out", out]).status).toBe(2);
    expect(existsSync(out)).toBe(false);
    expect(temporaries(dir)).toEqual([]);
  });
});

/** Runs the CLI as a child process and resolves with its exit code, signal and standard error. */
function start(args: string[]) {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += String(d)));
  child.stdout.resume();
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => child.on("close", (code, signal) => resolve({ code, signal, stderr })));
  return { child, done };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("a run interrupted halfway leaves the previous output whole", () => {
  let big: string;
  beforeAll(() => {
    big = join(dir, "big.ndjson");
    expect(runCli(["generate", "--count", "50000", "--seed", "8", "--out", big]).status).toBe(0);
  });

  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    it(`${signal} halfway through scoring 50,000 organizations: exit 2, one line, the previous --out untouched, no temporary file`, async () => {
      const folder = mkdtempSync(join(dir, `signal-${signal}-`));
      const out = join(folder, "results.ndjson");
      writeFileSync(out, "the previous results\n");
      const { child, done } = start(["score", big, "--as-of", AS_OF, "--format", "ndjson", "--out", out, "--workers", "1"]);
      // Halfway: once output is being written (a temporary file beside the target, or the target itself growing).
      const t0 = Date.now();
      while (Date.now() - t0 < 30_000) {
        const names = readdirSync(folder);
        const growing = names.filter((n) => n !== "results.ndjson").some((n) => statSync(join(folder, n)).size > 0) || statSync(out).size !== 21;
        if (growing) break;
        await sleep(20);
      }
      child.kill(signal);
      const r = await done;
      expect(r.signal).toBeNull();
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`interrupted by ${signal}`));
      // Standard error is a pipe here, no progress line was drawn: exactly one line, no blank one before it.
      expect(r.stderr).toMatch(/^interrupted by/);
      expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
      expect(readFileSync(out, "utf8")).toBe("the previous results\n");
      expect(readdirSync(folder)).toEqual(["results.ndjson"]);
    });
  }
});

describe("two runs writing one --out at once", () => {
  it("both exit 0 and the file is one run's whole output, not a mix", async () => {
    const a = population("two-a.ndjson", 1500, 21);
    const b = population("two-b.ndjson", 900, 22);
    const folder = mkdtempSync(join(dir, "two-"));
    const out = join(folder, "results.ndjson");
    const alone = (input: string) => {
      const path = `${input}.results.ndjson`;
      expect(runCli(["score", input, "--as-of", AS_OF, "--format", "ndjson", "--workers", "0", "--out", path]).status).toBe(0);
      return readFileSync(path, "utf8");
    };
    const expected = [alone(a), alone(b)];
    for (let round = 0; round < 2; round++) {
      const runs = [a, b].map((input) => start(["score", input, "--as-of", AS_OF, "--format", "ndjson", "--workers", "0", "--out", out]));
      const ends = await Promise.all(runs.map((r) => r.done));
      expect(ends.map((e) => e.code)).toEqual([0, 0]);
      const written = readFileSync(out, "utf8");
      expect(expected.includes(written), `round ${round}: ${written.length} bytes, expected ${expected[0]!.length} or ${expected[1]!.length}`).toBe(true);
      expect(ndjsonResults(written).length).toBeGreaterThan(0);
      expect(readdirSync(folder)).toEqual(["results.ndjson"]);
    }
  });
});
