// Issue 10, class 2: every fault of an output is one line naming the file and exit code 2 — a full disk,
// a missing folder, a folder, no permission, a closed pipe, an internal error — and never a stack trace.
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generatePopulation } from "../src/audit/generate.js";
import { CLI, ROOT, runCli, type Run } from "./_lib/cli.js";

const AS_OF = "2023-05-31";
const FORMATS = ["json", "ndjson", "csv", "table", "xlsx"];
let dir: string;
let records: string;

/** Exit code 2 and exactly one line on standard error, matching `line`; no stack frame, no Node event dump. */
function expectOneLine(r: { status: number | null; stderr: string }, line: RegExp) {
  expect(r.status, r.stderr).toBe(2);
  expect(r.stderr.trimEnd().split("\n"), r.stderr).toHaveLength(1);
  expect(r.stderr).toMatch(line);
  expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+|Unhandled 'error' event|node:internal/);
}

/** Runs the CLI with standard output on a file descriptor of our choosing. */
function runWithStdout(args: string[], fd: number, env: Record<string, string> = {}): Run {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", fd, "pipe"], env: { ...process.env, ...env } });
  return { status: r.status, stdout: "", stderr: r.stderr };
}

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npx tsup\` before these tests`);
  dir = mkdtempSync(join(tmpdir(), "soc-faults-"));
  chmodSync(dir, 0o755);
  records = join(dir, "records.ndjson");
  writeFileSync(records, [...generatePopulation({ count: 200, seed: 5, asOf: AS_OF })].map((r) => `${JSON.stringify(r)}\n`).join(""));
  chmodSync(records, 0o644);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("a full disk (ENOSPC)", () => {
  it("standard output on /dev/full: score and generate end with one line and exit 2", () => {
    const full = openSync("/dev/full", "w");
    try {
      expectOneLine(runWithStdout(["score", records, "--as-of", AS_OF, "--format", "ndjson"], full), /^error: cannot write standard output .*\(ENOSPC\)$/m);
      expectOneLine(runWithStdout(["generate", "--count", "50", "--seed", "1"], full), /^error: cannot write standard output .*\(ENOSPC\)$/m);
    } finally {
      closeSync(full);
    }
  });

  it("--out /dev/full, in every format: one line naming the file, exit 2", () => {
    for (const format of FORMATS) {
      expectOneLine(runCli(["score", records, "--as-of", AS_OF, "--format", format, "--out", "/dev/full"]), /^error: cannot write \/dev\/full .*\(ENOSPC\)$/m);
    }
    expectOneLine(runCli(["generate", "--count", "50", "--seed", "1", "--out", "/dev/full"]), /^error: cannot write \/dev\/full .*\(ENOSPC\)$/m);
  });

  it("a file system that fills up halfway: exit 2, the previous --out untouched, no temporary file left", () => {
    // A 64 KiB tmpfs where this machine lets us mount one (root), else /dev/full stands in for the disk.
    const small = join(dir, "small");
    mkdirSync(small);
    let mounted = false;
    try {
      execFileSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", small], { stdio: "ignore" });
      mounted = true;
    } catch {
      // not allowed here
    }
    try {
      const target = mounted ? join(small, "results.ndjson") : "/dev/full";
      if (mounted) writeFileSync(target, "previous results\n");
      for (const format of mounted ? ["ndjson", "xlsx"] : ["ndjson"]) {
        expectOneLine(runCli(["score", records, "--as-of", AS_OF, "--format", format, "--out", target]), /^error: cannot write .* no space left .*\(ENOSPC\)$/m);
        if (mounted) {
          expect(readFileSync(target, "utf8")).toBe("previous results\n");
          expect(readdirSync(small)).toEqual(["results.ndjson"]);
        }
      }
    } finally {
      if (mounted) execFileSync("umount", [small]);
    }
  });
});

describe("a missing folder (ENOENT) and a folder (EISDIR) as --out", () => {
  it("--out in a missing folder, in every format (xlsx included): one line naming the file, exit 2, no file", () => {
    for (const format of FORMATS) {
      const out = join(dir, "no-such-folder", `results.${format}`);
      expectOneLine(runCli(["score", records, "--as-of", AS_OF, "--format", format, "--out", out]), new RegExp(`^error: cannot write .*no-such-folder/results\\.${format} .*\\(ENOENT\\)$`, "m"));
    }
    expect(existsSync(join(dir, "no-such-folder"))).toBe(false);
    const report = join(dir, "r.ndjson");
    expect(runCli(["score", records, "--as-of", AS_OF, "--format", "ndjson", "--out", report]).status).toBe(0);
    expectOneLine(runCli(["report", report, "--out", join(dir, "no-such-folder", "r.html")]), /^error: cannot write .*r\.html .*\(ENOENT\)$/m);
    expectOneLine(runCli(["diff", report, report, "--out", join(dir, "no-such-folder", "d.txt")]), /^error: cannot write .*d\.txt .*\(ENOENT\)$/m);
    expectOneLine(runCli(["generate", "--count", "3", "--seed", "1", "--out", join(dir, "no-such-folder", "g.ndjson")]), /^error: cannot write .*g\.ndjson .*\(ENOENT\)$/m);
  });

  it("--out that is a folder, in every format: one line naming it, exit 2, the folder unchanged", () => {
    const folder = join(dir, "a-folder");
    mkdirSync(folder);
    for (const format of FORMATS) {
      expectOneLine(runCli(["score", records, "--as-of", AS_OF, "--format", format, "--out", folder]), /^error: cannot write .*a-folder .*\(EISDIR\)$/m);
    }
    expect(readdirSync(folder)).toEqual([]);
  });
});

describe("no permission (EACCES)", () => {
  it("--out in a folder the user may not write: one line naming the file, exit 2", () => {
    const locked = join(dir, "locked");
    mkdirSync(locked);
    chmodSync(locked, 0o555);
    // Root may write anywhere: run it without the capabilities that override file permissions (not as
    // another user, who may not be able to read the checkout at all: CI clones into a private folder).
    const asRoot = process.getuid?.() === 0;
    const drop = ["--inh-caps=-dac_override,-dac_read_search", "--bounding-set=-dac_override,-dac_read_search"];
    for (const format of ["ndjson", "xlsx"]) {
      const args = [CLI, "score", records, "--as-of", AS_OF, "--format", format, "--out", join(locked, `r.${format}`)];
      const r = asRoot ? spawnSync("setpriv", [...drop, process.execPath, ...args], { cwd: ROOT, encoding: "utf8" }) : spawnSync(process.execPath, args, { cwd: ROOT, encoding: "utf8" });
      expectOneLine({ status: r.status, stderr: r.stderr }, new RegExp(`^error: cannot write .*locked/r\\.${format} .*\\(EACCES\\)$`, "m"));
    }
    expect(readdirSync(locked)).toEqual([]);
  });
});

describe("a closed pipe (EPIPE)", () => {
  it("score | head -1 ends quietly (nothing on standard error) with exit 2: not every row was delivered; a closed standard error does not stop a run (the output is whole, exit 0)", () => {
    const r1 = spawnSync("bash", ["-c", `"${process.execPath}" "${CLI}" score "${records}" --as-of ${AS_OF} --format ndjson | head -1 > /dev/null; echo "\${PIPESTATUS[0]}"`], { cwd: ROOT, encoding: "utf8" });
    expect(r1.stderr).toBe("");
    expect(r1.stdout.trim()).toBe("2");

    const out = join(dir, "closed-stderr.ndjson");
    const r = spawnSync("bash", ["-c", `"${process.execPath}" "${CLI}" score "${records}" --as-of ${AS_OF} --format ndjson --out "${out}" 2>&1 | true; echo "\${PIPESTATUS[0]}"`], { cwd: ROOT, encoding: "utf8" });
    expect(r.stdout.trim()).toBe("0");
    expect(readFileSync(out, "utf8")).toMatch(/\{"endOfResults":\{"rows":200,"scored":200,"refused":0\}\}\n$/);
  });

  it("every command whose output is cut by a closed pipe exits 2 quietly", () => {
    // More output than a pipe holds (64 KiB), in every format.
    const big = join(dir, "pipe-big.ndjson");
    expect(spawnSync(process.execPath, [CLI, "generate", "--count", "3000", "--seed", "1", "--out", big], { cwd: ROOT }).status).toBe(0);
    for (const [format, cut] of [
      ["ndjson", "head -c 10"],
      ["csv", "head -c 10"],
      ["table", "head -1"],
      ["json", "head -c 10"],
    ] as const) {
      const r = spawnSync("bash", ["-c", `"${process.execPath}" "${CLI}" score "${big}" --as-of ${AS_OF} --format ${format} | ${cut} > /dev/null; echo "\${PIPESTATUS[0]}"`], { cwd: ROOT, encoding: "utf8" });
      expect(r.stderr, format).toBe("");
      expect(r.stdout.trim(), format).toBe("2");
    }
    const g = spawnSync("bash", ["-c", `"${process.execPath}" "${CLI}" generate --count 2000 --seed 1 | head -c 10 > /dev/null; echo "\${PIPESTATUS[0]}"`], { cwd: ROOT, encoding: "utf8" });
    expect(g.stderr).toBe("");
    expect(g.stdout.trim()).toBe("2");
  });
});

describe("an internal error (a bug)", () => {
  // A fault injected under the CLI: statSync throws a TypeError (no system error) for one file name.
  const preload = () => {
    const path = join(dir, "inject-fault.cjs");
    writeFileSync(
      path,
      `const fs = require("node:fs"); const stat = fs.statSync;
fs.statSync = function (p, ...rest) { if (String(p).includes("inject-fault")) throw new TypeError("injected fault"); return stat.call(this, p, ...rest); };
require("node:module").syncBuiltinESMExports();\n`,
    );
    return path;
  };

  it("prints one line and exits 2; the stack only when SOCIAL_ORG_CREDIT_DEBUG=1", () => {
    const input = join(dir, "inject-fault.json");
    writeFileSync(input, "[]");
    const run = (env: Record<string, string>) => spawnSync(process.execPath, ["--require", preload(), CLI, "score", input, "--as-of", AS_OF], { cwd: ROOT, encoding: "utf8", env: { ...process.env, ...env } });
    const plain = run({});
    expectOneLine({ status: plain.status, stderr: plain.stderr }, /^internal error 内部错误: TypeError: injected fault .*SOCIAL_ORG_CREDIT_DEBUG=1/m);
    const debug = run({ SOCIAL_ORG_CREDIT_DEBUG: "1" });
    expect(debug.status).toBe(2);
    expect(debug.stderr).toMatch(/injected fault\n\s+at /);
  });
});
