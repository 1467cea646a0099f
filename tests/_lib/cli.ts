import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

// CLI tests run the built command (`tsup` writes dist/cli.js), as a user or a backend script would.
export const ROOT = join(import.meta.dirname, "..", "..");
export const CLI = join(ROOT, "dist", "cli.js");

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI from the repository root and returns its exit code and output. */
export function runCli(args: string[], env: Record<string, string> = {}): Run {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npx tsup\` before these tests`);
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
