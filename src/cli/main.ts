import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { createEvaluator } from "../evaluate.js";
import { InvalidRecordError, RuleSetError, SocialOrgCreditError } from "../errors.js";
import { isIsoDate } from "../_lib/dates.js";
import { loadRuleSet } from "../rule-set/load.js";
import { referenceRuleSet } from "../rule-set/reference.js";
import { LIBRARY_VERSION } from "../version.js";
import { formatCsv, formatJson, formatNdjson, formatTable, type OutputRow } from "./format.js";
import { readInput } from "./input.js";

const USAGE = `social-org-credit ${LIBRARY_VERSION} — social organization credit scores 社会组织信用评分

Usage:
  social-org-credit score <file|folder> [--as-of YYYY-MM-DD] [--rules DIR] [--format json|ndjson|csv|table] [--out FILE]

  <file|folder>  a JSON file (one record, or an array), an NDJSON file (.ndjson/.jsonl, one per line), or a
                 folder of such files. An entry may be a record or an envelope { "asOf", "record" }.
  --as-of        the evaluation date; required unless every entry is an envelope with its own asOf
                 (when given, it applies to every entry).
  --rules        a rule-set folder (default: the bundled quzhou-reference rules).
  --format       json (default), ndjson, csv or table.
  --out          write there instead of standard output.

Exit codes: 0 every row scored; 1 some row refused (each refused row is in the output); 2 usage error,
unreadable input or invalid rules (nothing scored).`;

class UsageError extends Error {}

async function score(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      "as-of": { type: "string" },
      rules: { type: "string" },
      format: { type: "string", default: "json" },
      out: { type: "string" },
    },
  });
  if (positionals.length !== 1) throw new UsageError("score takes exactly one input file or folder");
  const format = values.format!;
  if (!["json", "ndjson", "csv", "table"].includes(format)) throw new UsageError(`--format must be json, ndjson, csv or table; found ${format}`);
  const asOf = values["as-of"] ?? null;
  if (asOf !== null && !isIsoDate(asOf)) throw new UsageError(`--as-of must be a calendar date YYYY-MM-DD; found ${asOf}`);

  const ruleSet = values.rules ? loadRuleSet(values.rules) : referenceRuleSet;
  const evaluator = createEvaluator(ruleSet);
  const input = readInput(positionals[0]!);
  if (asOf === null && input.some((r) => r.asOf === null && r.readError === null)) {
    throw new UsageError("--as-of is required: some entries are bare records without their own asOf");
  }

  const rows: OutputRow[] = [];
  for (const row of input) {
    const id = row.record !== null && typeof row.record === "object" && typeof (row.record as { id?: unknown }).id === "string" ? ((row.record as { id: string }).id).slice(0, 64) : null;
    if (row.readError !== null) {
      rows.push({ ok: false, index: row.index, source: row.source, organizationId: null, error: { code: "unreadable_row", message: row.readError, issues: [] } });
      continue;
    }
    try {
      const result = await evaluator.evaluate(row.record, { asOf: (asOf ?? row.asOf)! });
      rows.push({ ok: true, index: row.index, source: row.source, result });
    } catch (error) {
      if (!(error instanceof SocialOrgCreditError)) throw error;
      const issues = error instanceof InvalidRecordError ? error.issues : [];
      rows.push({ ok: false, index: row.index, source: row.source, organizationId: id, error: { code: error.code, message: error.message, issues } });
    }
  }

  const text = { json: formatJson, ndjson: formatNdjson, csv: formatCsv, table: formatTable }[format as "json"](rows);
  if (values.out) writeFileSync(values.out, text);
  else process.stdout.write(text);
  const refused = rows.filter((r) => !r.ok).length;
  if (format !== "table" || values.out) process.stderr.write(`read ${rows.length}, scored ${rows.length - refused}, refused ${refused}\n`);
  return refused > 0 ? 1 : 0;
}

/**
 * Runs the command line with the given arguments and returns the exit code.
 *
 * @param argv - the arguments after the program name
 * @returns 0, 1 or 2 as documented in the usage text
 */
export async function runCli(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === "score") return await score(rest);
    if (command === "--version" || command === "-v") {
      process.stdout.write(`${LIBRARY_VERSION}\n`);
      return 0;
    }
    if (command === undefined) {
      process.stderr.write(`${USAGE}\n`);
      return 2;
    }
    if (command === "--help" || command === "-h" || command === "help") {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    throw new UsageError(`unknown command ${command}`);
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      process.stderr.write(`error: ${(error as Error).message}\n\n${USAGE}\n`);
      return 2;
    }
    if (error instanceof RuleSetError) {
      process.stderr.write(`error: the rule set is invalid 规则集无效:\n${error.problems.map((p) => `  ${p.file}${p.ruleId ? ` [${p.ruleId}]` : ""}${p.path ? ` ${p.path}` : ""}: ${p.message}`).join("\n")}\n`);
      return 2;
    }
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      process.stderr.write(`error: ${(error as Error).message}\n`);
      return 2;
    }
    throw error;
  }
}

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`internal error: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 3;
  },
);
