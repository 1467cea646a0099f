import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { terminalText } from "../_lib/inert.js";
import { RuleSetError } from "../errors.js";
import { LIBRARY_VERSION } from "../version.js";
import { OutputError, removeTemporaryFiles, writeFault } from "./atomic-file.js";
import { progressLineShown } from "./progress.js";
import { UsageError, commandUsage, nearestName, type Command } from "./command.js";
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

const EXIT_CODES = `Exit codes: 0 every row done; 1 some row refused (each refused row is in the output); 2 usage error,
unreadable input, invalid rules, an output that cannot be written, an interrupted run (nothing done), or
standard output closed by its reader before every row reached it.`;

function usage(): string {
  const lines = [...COMMANDS.values()].map((c) => `  social-org-credit ${c.summary}\n${c.usage}\n`);
  return `social-org-credit ${LIBRARY_VERSION} — social organization credit scores 社会组织信用评分

Usage:
${lines.join("\n")}
Each command answers --help with its own usage.
${EXIT_CODES}`;
}

/** The subcommands of a command that has them (`rules check`). */
const SUBCOMMANDS: Record<string, string[]> = { rules: ["check"] };

/** Says that a command does not exist, with the nearest one when it is near enough; exit code 2. */
function unknownCommand(name: string, names: string[] = [...COMMANDS.keys()]): number {
  const near = nearestName(name, names);
  process.stderr.write(
    `error: unknown command ${terminalText(name)} 未知命令${near ? `; did you mean ${near}? 是否要用 ${near}？` : ""}\nThe commands: ${[...COMMANDS.keys()].join(", ")}; social-org-credit --help shows their usage.\n`,
  );
  return 2;
}

/** Environment variable that lets an internal error show its stack (for a developer, never by default). */
export const DEBUG_ENV = "SOCIAL_ORG_CREDIT_DEBUG";

/** Whether an argument list asks for help: `--help` or `-h` before any `--`. */
function asksHelp(args: string[]): boolean {
  for (const a of args) {
    if (a === "--") return false;
    if (a === "--help" || a === "-h") return true;
  }
  return false;
}

/**
 * Runs the command line with the given arguments and returns the exit code.
 *
 * @param argv - the arguments after the program name
 * @returns 0, 1 or 2 as documented in the usage text
 */
export async function runCli(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  let command: Command | undefined;
  try {
    if (name === "--version" || name === "-v" || name === "-V") {
      process.stdout.write(`${LIBRARY_VERSION}\n`);
      return 0;
    }
    if (name === "--help" || name === "-h" || name === "help") {
      if (rest[0] === undefined) {
        process.stdout.write(`${usage()}\n`);
        return 0;
      }
      // help about a command that does not exist is a mistyped command, not a request for all of them.
      const about = COMMANDS.get(rest[0]);
      if (!about) return unknownCommand(rest[0]);
      const sub = SUBCOMMANDS[about.name];
      if (sub !== undefined && rest[1] !== undefined && !sub.includes(rest[1])) return unknownCommand(`${about.name} ${rest[1]}`, sub.map((s) => `${about.name} ${s}`));
      process.stdout.write(`${commandUsage(about)}\n`);
      return 0;
    }
    if (name === undefined) throw new UsageError("a command is required");
    command = COMMANDS.get(name);
    if (!command) return unknownCommand(name);
    if (asksHelp(rest)) {
      process.stdout.write(`${commandUsage(command)}\n`);
      return 0;
    }
    return await command.run(rest);
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      // A command's own usage only: the whole list would bury the line that matters.
      process.stderr.write(`error: ${terminalText((error as Error).message)}\n\n${command ? commandUsage(command) : usage()}\n`);
      return 2;
    }
    if (error instanceof RuleSetError) {
      process.stderr.write(
        `error: the rule set is invalid 规则集无效:\n${error.problems.map((p) => `  ${terminalText(`${p.file}${p.ruleId ? ` [${p.ruleId}]` : ""}${p.path ? ` ${p.path}` : ""}: ${p.message}`)}`).join("\n")}\n`,
      );
      return 2;
    }
    if (error instanceof InputError || error instanceof OutputError) {
      process.stderr.write(`error: ${terminalText(error.message)}\n`);
      return 2;
    }
    // Any system error (ENOENT, EACCES, ELOOP, EMFILE…) is about the input or the output, not a bug.
    if (typeof (error as NodeJS.ErrnoException).syscall === "string") {
      process.stderr.write(`error: ${terminalText((error as Error).message.split("\n")[0]!)}\n`);
      return 2;
    }
    throw error;
  }
}

/** The one line an internal error (a bug) shows; its stack only when DEBUG_ENV asks for it. */
function internalError(error: unknown): string {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  if (process.env[DEBUG_ENV] === "1" && error instanceof Error && error.stack) return `internal error 内部错误: ${error.stack}\n`;
  return `internal error 内部错误: ${terminalText(message.split("\n")[0]!)} (a bug: please report it; ${DEBUG_ENV}=1 shows where)\n`;
}

/** Ends the process now: temporary outputs removed, one line said, the code given. */
function endNow(code: number, line: string | null): never {
  removeTemporaryFiles();
  if (line !== null) {
    try {
      process.stderr.write(line);
    } catch {
      // standard error is gone too
    }
  }
  process.exit(code);
}

// A reader that stops early (`generate ... | head`) closes the pipe: stop quietly, as Unix tools do. Any
// other fault of standard output (a full disk, /dev/full) is one line and exit code 2.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  // Not every row reached the reader: exit code 2 (0 would say every row was delivered), and nothing said.
  if (error.code === "EPIPE") endNow(2, null);
  endNow(2, `error: ${writeFault("standard output", error).message}\n`);
});
// Nothing to say on a standard error that is gone.
process.stderr.on("error", () => {});

/** Whether this module is the program being run (dist/cli.js, or a link to it), not a module a test imported. */
function isProgram(): boolean {
  try {
    return realpathSync(process.argv[1] ?? "") === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

if (isProgram()) {
  // An interrupted run leaves no output behind: the files being written are removed, the previous ones stay.
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => endNow(2, `${progressLineShown() ? "\r\x1b[K" : ""}interrupted by ${signal} 运行被中断: no output was written; files from before are untouched\n`));
  }
  process.on("exit", removeTemporaryFiles);
  process.on("uncaughtException", (error) => endNow(2, internalError(error)));
  process.on("unhandledRejection", (error) => endNow(2, internalError(error)));
}

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    removeTemporaryFiles();
    process.stderr.write(internalError(error));
    process.exitCode = 2;
  },
);
