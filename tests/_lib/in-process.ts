// The CLI run inside the test process (faster than a process per run, and seen by coverage): load it once
// per test file with `loadCli()`, then `run(argv)` returns its exit code and what it wrote.
import { expect, vi } from "vitest";
import { LIBRARY_VERSION } from "../../src/version.js";

export interface InProcessRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Imports src/cli/main.ts (which runs the command line it finds as it loads: it is given --version) and
 * returns its `runCli`, for a test file that captures the output itself.
 */
export async function importCli(): Promise<(argv: string[]) => Promise<number>> {
  const argv = process.argv;
  process.argv = [process.execPath, "social-org-credit", "--version"];
  const write = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
  try {
    const { runCli } = (await import("../../src/cli/main.js")) as { runCli: (argv: string[]) => Promise<number> };
    await vi.waitFor(() => expect(write).toHaveBeenCalledWith(`${LIBRARY_VERSION}\n`));
    return runCli;
  } finally {
    write.mockRestore();
    process.argv = argv;
    process.exitCode = undefined;
  }
}

/**
 * The CLI in process, as `importCli`, with a runner that captures standard output and standard error of
 * one command line at a time.
 */
export async function loadCli(): Promise<(argv: string[]) => Promise<InProcessRun>> {
  const runCli = await importCli();
  return async (args) => {
    let out = "";
    let err = "";
    const spies = [
      vi.spyOn(process.stdout, "write").mockImplementation((chunk) => ((out += String(chunk)), true)),
      vi.spyOn(process.stderr, "write").mockImplementation((chunk) => ((err += String(chunk)), true)),
    ];
    try {
      const code = await runCli(args);
      return { code, stdout: out, stderr: err };
    } finally {
      for (const spy of spies) spy.mockRestore();
      process.exitCode = undefined;
    }
  };
}
