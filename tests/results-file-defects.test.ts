// Issue 10, after the merge: report and diff read a results file as whole only when it is: a damaged line,
// a file holding no result at all, a repeated credit code and a malformed trailer are each refused.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCli, type InProcessRun } from "./_lib/in-process.js";

let dir: string;
let reg: string;
let res: string;
let lines: string[];
let runCli: (argv: string[]) => Promise<InProcessRun>;

function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

function oneLine(r: InProcessRun) {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr.trimEnd().split("\n"), r.stderr).toHaveLength(1);
}

beforeAll(async () => {
  runCli = await loadCli();
  dir = mkdtempSync(join(tmpdir(), "soc-rfd-"));
  reg = join(dir, "reg.ndjson");
  res = join(dir, "res.ndjson");
  expect((await runCli(["generate", "--count", "20", "--seed", "1", "--out", reg])).code).toBe(0);
  expect((await runCli(["score", reg, "--as-of", "2023-05-31", "--format", "ndjson", "--out", res])).code).toBe(0);
  lines = readFileSync(res, "utf8").split("\n").filter((l) => l !== "");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("a damaged line makes a damaged file for report and diff", () => {
  const damaged = () => file("dmg.ndjson", `${lines.map((l, i) => (i === 4 ? `{${l}` : l)).join("\n")}\n`);

  it("report refuses it, naming the file and the line; --allow-incomplete goes on, saying so", async () => {
    const dmg = damaged();
    const r = await runCli(["report", dmg, "--out", join(dir, "dmg.html")]);
    oneLine(r);
    expect(r.stderr).toContain(`${dmg}: not a complete results file`);
    expect(r.stderr).toContain("dmg.ndjson:5");
    const going = await runCli(["report", dmg, "--out", join(dir, "dmg.html"), "--allow-incomplete"]);
    expect(going.code, going.stderr).toBe(0);
    expect(going.stderr).toContain("INCOMPLETE");
    expect(readFileSync(join(dir, "dmg.html"), "utf8")).toContain("INCOMPLETE");
  });

  it("diff refuses it; --allow-incomplete says so and exits 1", async () => {
    const dmg = damaged();
    const r = await runCli(["diff", dmg, res]);
    oneLine(r);
    expect(r.stderr).toContain("dmg.ndjson:5");
    const going = await runCli(["diff", dmg, res, "--allow-incomplete"]);
    expect(going.code).toBe(1);
    expect(going.stdout).toContain("INCOMPLETE");
  });
});

describe("a file with no result or error row is not a results file, even with --allow-incomplete", () => {
  for (const content of ["hello\n", '{"a":1}\n', ""]) {
    it(JSON.stringify(content), async () => {
      const notres = file("notres.json", content);
      for (const argv of [
        ["report", notres, "--out", join(dir, "q.html"), "--allow-incomplete"],
        ["diff", notres, res, "--allow-incomplete"],
      ]) {
        const r = await runCli(argv);
        oneLine(r);
        expect(r.stderr).toContain("notres.json");
        expect(r.stderr).toMatch(/not a (complete )?results file|not a result or an error row/);
      }
    });
  }
});

describe("a repeated credit code", () => {
  it("report refuses it, naming both rows", async () => {
    const repeated = [lines[0]!, lines[0]!, ...lines.slice(2, 20), '{"endOfResults":{"rows":20,"scored":20,"refused":0}}'];
    const dup = file("dup.ndjson", `${repeated.join("\n")}\n`);
    const r = await runCli(["report", dup, "--out", join(dir, "dup.html")]);
    oneLine(r);
    expect(r.stderr).toContain("dup.ndjson:2");
    expect(r.stderr).toContain("dup.ndjson:1");
    expect(r.stderr).toContain("统一社会信用代码重复");
  });
});

describe("a malformed trailer is called malformed", () => {
  for (const trailer of ['{"endOfResults":{"rows":"20","scored":20,"refused":0}}', '{"endOfResults":{"rows":20,"scored":20}}']) {
    it(trailer, async () => {
      const bad = file("bad.ndjson", `${[...lines.slice(0, 20), trailer].join("\n")}\n`);
      for (const argv of [
        ["report", bad, "--out", join(dir, "bad.html")],
        ["diff", bad, res],
      ]) {
        const r = await runCli(argv);
        oneLine(r);
        expect(r.stderr).toContain("malformed");
        expect(r.stderr).not.toContain("-1 rows");
      }
    });
  }
});
