// Issue 10, class 7: every command answers --help and -h with its own usage (exit 0); an unknown option
// shows the error and that command's usage only (exit 2); a mistyped command gets the nearest name.
import { beforeAll, describe, expect, it } from "vitest";
import { loadCli, type InProcessRun } from "./_lib/in-process.js";

let runCli: (argv: string[]) => Promise<InProcessRun>;
beforeAll(async () => {
  runCli = await loadCli();
});

// Each command line as typed, the start of its synopsis, and an option only its usage describes.
const COMMANDS: Array<{ argv: string[]; synopsis: string; option: string }> = [
  { argv: ["score"], synopsis: "score <file|folder>", option: "--workers" },
  { argv: ["generate"], synopsis: "generate --count N", option: "--first" },
  { argv: ["report"], synopsis: "report <results>", option: "--markdown" },
  { argv: ["diff"], synopsis: "diff <before> <after>", option: "--allow-incomplete" },
  { argv: ["verify"], synopsis: "verify <records> <results>", option: "--allow-incomplete" },
  { argv: ["shadow"], synopsis: "shadow --rules A --rules B", option: "--generate" },
  { argv: ["rules", "check"], synopsis: "rules check [DIR]", option: "DIR" },
  { argv: ["explain"], synopsis: "explain <file|folder> --id CODE", option: "--lang" },
];
const others = (synopsis: string) => COMMANDS.filter((c) => c.synopsis !== synopsis).map((c) => `social-org-credit ${c.synopsis}`);

describe("--help and -h", () => {
  for (const { argv, synopsis, option } of COMMANDS) {
    it(`${argv.join(" ")} --help and -h print its own usage on standard output, exit 0`, async () => {
      for (const flag of ["--help", "-h"]) {
        const r = await runCli([...argv, flag]);
        expect(r.code, `${argv.join(" ")} ${flag}: ${r.stderr}`).toBe(0);
        expect(r.stderr).toBe("");
        expect(r.stdout.startsWith(`Usage: social-org-credit ${synopsis}`)).toBe(true);
        expect(r.stdout).toContain(option);
        for (const other of others(synopsis)) expect(r.stdout).not.toContain(other);
      }
    });
  }

  it("--help after other arguments, and help <command>, print the same usage", async () => {
    const plain = await runCli(["report", "--help"]);
    expect((await runCli(["report", "results.ndjson", "--out", "x.html", "--help"])).stdout).toBe(plain.stdout);
    expect((await runCli(["help", "report"])).stdout).toBe(plain.stdout);
  });
});

describe("an unknown option", () => {
  it("prints the error and that command's usage only, exit 2", async () => {
    for (const { argv, synopsis } of COMMANDS) {
      const r = await runCli([...argv, "--colour"]);
      expect(r.code, argv.join(" ")).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(/^error: Unknown option '--colour'/);
      expect(r.stderr).toContain(`Usage: social-org-credit ${synopsis}`);
      for (const other of others(synopsis)) expect(r.stderr, argv.join(" ")).not.toContain(other);
    }
  });
});

describe("a mistyped command", () => {
  it("suggests the nearest command, exit 2", async () => {
    const cases: Array<[string, string]> = [
      ["scor", "score"],
      ["socre", "score"],
      ["reprot", "report"],
      ["verfy", "verify"],
      ["gen", "generate"],
      ["shadw", "shadow"],
      ["rule", "rules"],
    ];
    for (const [typed, meant] of cases) {
      const r = await runCli([typed]);
      expect(r.code, typed).toBe(2);
      expect(r.stderr, typed).toMatch(new RegExp(`^error: unknown command ${typed} 未知命令; did you mean ${meant}\\?`));
    }
  });

  it("suggests nothing for a name far from every command", async () => {
    const r = await runCli(["frobnicate"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: unknown command frobnicate 未知命令\n/);
    expect(r.stderr).not.toContain("did you mean");
  });
});
