// Issue 10, class 1: a complete results file is told from a cut one. score's json and ndjson end with an
// end-of-results trailer written last; report, diff and verify refuse a file without a valid one unless
// given --allow-incomplete, and then say so in what they print.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCli, type InProcessRun } from "./_lib/in-process.js";
import { invalidFixtures, organizationFixtures } from "./_lib/fixtures.js";

const AS_OF = "2023-05-31";
const TRAILER = '{"endOfResults":{"rows":3,"scored":2,"refused":1}}';
let dir: string;
let records: string;
let ndjson: string;
let json: string;
let lines: string[];

const clean = organizationFixtures().filter((f) => f.asOf === AS_OF);
const bad = invalidFixtures()[0]!;

function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

function expectIncompleteRefused(r: InProcessRun, name: string) {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
  expect(r.stderr).toContain(`${name}: not a complete results file`);
  expect(r.stderr).toContain("--allow-incomplete");
}

let runCli: (argv: string[]) => Promise<InProcessRun>;

beforeAll(async () => {
  runCli = await loadCli();
  dir = mkdtempSync(join(tmpdir(), "soc-trailer-"));
  records = file("records.json", JSON.stringify([clean[0]!.record, bad.record, clean[1]!.record]));
  ndjson = join(dir, "results.ndjson");
  json = join(dir, "results.json");
  expect((await runCli(["score", records, "--as-of", AS_OF, "--format", "ndjson", "--out", ndjson])).code).toBe(1);
  expect((await runCli(["score", records, "--as-of", AS_OF, "--format", "json", "--out", json])).code).toBe(1);
  lines = readFileSync(ndjson, "utf8").split("\n").filter((l) => l !== "");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("score writes the trailer last", async () => {
  it("ndjson: the last line counts the rows, scored and refused; on standard output too", async () => {
    expect(lines).toHaveLength(4);
    expect(lines[3]).toBe(TRAILER);
    expect((await runCli(["score", records, "--as-of", AS_OF, "--format", "ndjson"])).stdout).toBe(readFileSync(ndjson, "utf8"));
  });

  it("json: the array's last element; on standard output too; an empty input has a trailer of zeros", async () => {
    const value = JSON.parse(readFileSync(json, "utf8")) as unknown[];
    expect(value).toHaveLength(4);
    expect(JSON.stringify(value[3])).toBe(TRAILER);
    expect((await runCli(["score", records, "--as-of", AS_OF, "--format", "json"])).stdout).toBe(readFileSync(json, "utf8"));
    const empty = file("empty.json", "[]");
    expect(JSON.parse((await runCli(["score", empty, "--as-of", AS_OF, "--format", "json"])).stdout)).toEqual([{ endOfResults: { rows: 0, scored: 0, refused: 0 } }]);
  });
});

describe("report, diff and verify refuse a cut results file", async () => {
  const cuts = () => ({
    // Cut at a line: every row there but the trailer.
    "no-trailer.ndjson": `${lines.slice(0, 3).join("\n")}\n`,
    // Cut inside a line.
    "mid-line.ndjson": `${lines.join("\n").slice(0, 40)}`,
    // A row lost, the trailer kept.
    "row-lost.ndjson": `${[lines[0], lines[2], lines[3]].join("\n")}\n`,
    // Two files joined.
    "joined.ndjson": `${lines.join("\n")}\n${lines.join("\n")}\n`,
    // A JSON array cut short.
    "cut.json": readFileSync(json, "utf8").slice(0, -40),
  });

  it("report: exit 2 naming the file, and no report written; score's own output is reported", async () => {
    for (const [name, content] of Object.entries(cuts())) {
      const path = file(name, content);
      const out = join(dir, `${name}.html`);
      expectIncompleteRefused(await runCli(["report", path, "--out", out]), name);
      expect(existsSync(out), name).toBe(false);
    }
    const whole = await runCli(["report", ndjson, "--out", join(dir, "whole.html")]);
    expect(whole.code).toBe(0);
    expect(whole.stderr).toContain("report of 3 rows (2 scored, 1 refused)");
  });

  it("diff and verify: exit 2 naming the file; score's own output passes", async () => {
    for (const [name, content] of Object.entries(cuts())) {
      const path = file(name, content);
      expectIncompleteRefused(await runCli(["diff", ndjson, path]), name);
      expectIncompleteRefused(await runCli(["diff", path, ndjson, "--format", "json"]), name);
      expectIncompleteRefused(await runCli(["verify", records, path, "--as-of", AS_OF]), name);
    }
    const diff = await runCli(["diff", ndjson, json]);
    expect(diff.code).toBe(0);
    expect(diff.stdout).not.toContain("INCOMPLETE");
    expect((await runCli(["verify", records, json, "--as-of", AS_OF])).stdout).toBe("verified 核验通过: all 3 rows reproduce their recorded result or refusal\n");
  });
});

describe("--allow-incomplete goes on and says so", async () => {
  it("report shows a notice at the top of the HTML page and of the Markdown", async () => {
    const path = file("report-cut.ndjson", `${lines.slice(0, 3).join("\n")}\n`);
    const out = join(dir, "cut-report.html");
    const r = await runCli(["report", path, "--out", out, "--allow-incomplete"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/INCOMPLETE 不完整: .*report-cut\.ndjson/);
    const html = readFileSync(out, "utf8");
    const md = readFileSync(join(dir, "cut-report.md"), "utf8");
    expect(html).toMatch(/<h1>[^\n]*<\/h1>\n<p role="alert"[^>]*>INCOMPLETE 不完整: .*report-cut\.ndjson is not a complete results file \(it has no end-of-results trailer\)/);
    expect(md.split("\n").slice(0, 4).join("\n")).toMatch(/^# .*\n\n> \*\*INCOMPLETE 不完整: .*report-cut\.ndjson is not a complete results file/);
  });

  it("diff prints a line saying which file is incomplete, in text and in json", async () => {
    const path = file("diff-cut.ndjson", `${lines.slice(0, 3).join("\n")}\n`);
    const text = await runCli(["diff", ndjson, path, "--allow-incomplete"]);
    expect(text.code).toBe(0);
    expect(text.stdout.split("\n")[0]).toMatch(/^INCOMPLETE 不完整: .*diff-cut\.ndjson is not a complete results file \(it has no end-of-results trailer\)/);
    const asJson = await runCli(["diff", ndjson, path, "--allow-incomplete", "--format", "json"]);
    expect((JSON.parse(asJson.stdout) as { incomplete: string[] }).incomplete).toEqual([expect.stringMatching(/diff-cut\.ndjson is not a complete results file/)]);
  });

  it("verify prints a line saying the results file is incomplete, and checks the rows it has", async () => {
    const path = file("verify-cut.ndjson", `${lines.slice(0, 2).join("\n")}\n`);
    const r = await runCli(["verify", records, path, "--as-of", AS_OF, "--allow-incomplete"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^INCOMPLETE 不完整: .*verify-cut\.ndjson is not a complete results file/m);
    expect(r.stdout).toMatch(/^row 2: no results row for this input row/m);
  });
});
