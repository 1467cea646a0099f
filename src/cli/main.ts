import { terminalText } from "../_lib/inert.js";
import { RuleSetError } from "../errors.js";
import { LIBRARY_VERSION } from "../version.js";
import { UsageError, type Command } from "./command.js";
import { scoreCommand } from "./commands/score.js";
import { rulesCheckCommand } from "./commands/rules-check.js";
import { shadowCommand } from "./commands/diff-rules.js";
import { explainCommand } from "./commands/explain.js";
import { generateCommand } from "./commands/generate.js";
import { InputError } from "./input-error.js";
import { reportCommand } from "./commands/report.js";
import { diffCommand } from "./commands/diff.js";
import { verifyCommand } from "./commands/verify.js";

/** The subcommands, by name; each lives in its own module under commands/. */
export const COMMANDS: Map<string, Command> = new Map(
  [scoreCommand, generateCommand, reportCommand, diffCommand, verifyCommand, shadowCommand, rulesCheckCommand, explainCommand].map((c) => [c.name, c]),
);

function usage(): string {
  const lines = [...COMMANDS.values()].map((c) => `  social-org-credit ${c.summary}\n${c.usage}\n`);
  return `social-org-credit ${LIBRARY_VERSION} — social organization credit scores 社会组织信用评分

Usage:
${lines.join("\n")}
Exit codes: 0 every row done; 1 some row refused (each refused row is in the output); 2 usage error,
unreadable input or invalid rules (nothing done).`;
}

/**
 * Runs the command line with the given arguments and returns the exit code.
 *
 * @param argv - the arguments after the program name
 * @returns 0, 1 or 2 as documented in the usage text
 */
export async function runCli(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (name === "--version" || name === "-v") {
      process.stdout.write(`${LIBRARY_VERSION}\n`);
      return 0;
    }
    if (name === "--help" || name === "-h" || name === "help") {
      process.stdout.write(`${usage()}\n`);
      return 0;
    }
    if (name === undefined) throw new UsageError("a command is required");
    const command = COMMANDS.get(name);
    if (!command) throw new UsageError(`unknown command ${name}`);
    return await command.run(rest);
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      process.stderr.write(`error: ${terminalText((error as Error).message)}\n\n${usage()}\n`);
      return 2;
    }
    if (error instanceof RuleSetError) {
      process.stderr.write(
        `error: the rule set is invalid 规则集无效:\n${error.problems.map((p) => `  ${terminalText(`${p.file}${p.ruleId ? ` [${p.ruleId}]` : ""}${p.path ? ` ${p.path}` : ""}: ${p.message}`)}`).join("\n")}\n`,
      );
      return 2;
    }
    if (error instanceof InputError) {
      process.stderr.write(`error: ${terminalText(error.message)}\n`);
      return 2;
    }
    // Any system error (ENOENT, EACCES, ELOOP, EMFILE…) is about the input or the output, not a bug.
    if (typeof (error as NodeJS.ErrnoException).syscall === "string") {
      process.stderr.write(`error: ${terminalText((error as Error).message)}\n`);
      return 2;
    }
    throw error;
  }
}

// A reader that stops early (`generate ... | head`) closes the pipe: stop quietly instead of crashing.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code !== "EPIPE") throw error;
  process.exit(process.exitCode ?? 0);
});

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`internal error: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 3;
  },
);
