import { closeSync, fstatSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import { isIsoDate } from "../../_lib/dates.js";
import { terminalText } from "../../_lib/inert.js";
import { createEvaluator, evaluateTask } from "../../evaluate.js";
import type { RecordIssue } from "../../errors.js";
import type { Result } from "../../result/types.js";
import { loadRuleSet } from "../../rule-set/load.js";
import { REFERENCE_RULES_DIR, referenceRuleSet } from "../../rule-set/reference.js";
import { refuseOutputsOverInputs } from "../atomic-file.js";
import { UsageError, type Command, parseCommandArgs } from "../command.js";
import { MAX_JSON_BYTES, readRows, type InputRow } from "../input.js";
import { endOfResultsJson, errorObject } from "../output.js";
import { MISSING_AS_OF, readableId } from "./score.js";
import { createProgress } from "../progress.js";
import { readResultRows, type ResultFileRow } from "../results-file.js";
import { DuplicateGuard } from "../duplicates.js";
import { encodingOption } from "./score.js";

/** One row whose recorded outcome the recomputation does not reproduce. */
export interface Mismatch {
  position: number;
  organizationId: string | null;
  problem: string;
}

/** The top-level fields whose JSON differs between two results. */
function differingFields(a: Result, b: Result): string[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  return keys.filter((k) => JSON.stringify((a as unknown as Record<string, unknown>)[k]) !== JSON.stringify((b as unknown as Record<string, unknown>)[k]));
}

const isPlain = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object";

/** The leaf paths (at most `max`) whose values differ between two JSON values, as `path: recorded → recomputed`. */
function differingLeaves(a: unknown, b: unknown, max = 3, path = "", out: string[] = []): string[] {
  if (out.length >= max) return out;
  if (isPlain(a) && isPlain(b) && Array.isArray(a) === Array.isArray(b)) {
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])]) differingLeaves(a[k], b[k], max, path ? `${path}.${k}` : k, out);
    return out;
  }
  const show = (v: unknown) => {
    const text = v === undefined ? "(none)" : JSON.stringify(v);
    return text.length > 60 ? `${text.slice(0, 59)}…` : text;
  };
  if (JSON.stringify(a) !== JSON.stringify(b)) out.push(`${path || "(row)"}: ${show(a)} → ${show(b)}`);
  return out;
}

/**
 * The JSON text of each row of a results file in score's JSON layout (`[`, one row per line, each but the
 * last ending with a comma, `]`), so that a JSON array is compared byte for byte as NDJSON is. Null for a
 * file laid out otherwise (then each row's value is compared).
 */
function jsonArrayRowTexts(path: string): string[] | null {
  if (!path.endsWith(".json")) return null;
  let text: string;
  try {
    if (statSync(path).size > MAX_JSON_BYTES) return null;
    text = new TextDecoder("utf-8", { ignoreBOM: true }).decode(readFileSync(path));
  } catch {
    return null;
  }
  if (text === "[]\n") return [];
  const lines = text.split("\n");
  if (lines[0] !== "[" || lines.at(-1) !== "" || lines.at(-2) !== "]" || lines.length < 4) return null;
  const rows = lines.slice(1, -2);
  for (let i = 0; i < rows.length - 1; i++) {
    if (!rows[i]!.endsWith(",")) return null;
    rows[i] = rows[i]!.slice(0, -1);
  }
  return rows;
}

/**
 * Whether a results file ends with the very bytes score writes after its rows: the end-of-results trailer
 * for these counts, on a line of its own, then (a JSON array) `]`, then one newline. Its values are read by
 * results-file.ts; this holds its bytes too, so that a reordered key, an added one, a space or an extra
 * newline in it is a mismatch like any edit of a row.
 *
 * @returns null when they match, or what is there instead (at most the last 200 bytes)
 */
function trailerMismatch(path: string, counts: { scored: number; refused: number }): string | null {
  const trailer = endOfResultsJson(counts);
  const rows = counts.scored + counts.refused;
  const isArray = path.endsWith(".json");
  const whole = isArray ? `[\n${trailer}\n]\n` : `${trailer}\n`;
  const tail = isArray ? `,\n${trailer}\n]\n` : `\n${trailer}\n`;
  const expected = Buffer.from(rows === 0 ? whole : tail);
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, Math.max(expected.length + 1, 200));
    const bytes = Buffer.alloc(length);
    readSync(fd, bytes, 0, length, size - length);
    const matches = rows === 0 ? size === expected.length && bytes.equals(expected) : bytes.subarray(length - expected.length).equals(expected);
    if (matches) return null;
    return `the end of the results file is not the end-of-results trailer score writes (${trailer}${isArray ? ", then ]" : ""}, then one newline); found …${JSON.stringify(bytes.subarray(Math.max(0, length - expected.length - 8)).toString("utf8"))} (the results file was edited)`;
  } finally {
    closeSync(fd);
  }
}

/** What score writes for an input row now: its result, or its error row (whole, as JSON text). */
type Outcome = { ok: true; result: Result } | { ok: false; code: string; message: string; text: string };

export const verifyCommand: Command = {
  name: "verify",
  summary: "verify <records> <results> [--rules DIR] [--as-of YYYY-MM-DD] [--encoding utf-8|gb18030] [--allow-incomplete]",
  usage: `  <records>      the input that was scored (any kind score reads: JSON, NDJSON, XLSX, CSV folder).
  <results>      what score wrote for it (json or ndjson), one row per input row, in order.
  --rules        the rule set it was scored with (default: the bundled reference rules).
  --as-of        the --as-of given to score, if any: rechecks refused rows of bare records, and every
                 result must carry it as its asOf (score gives each row the --as-of it is given).
  --allow-incomplete  check a results file without its end-of-results trailer (cut short) or whose trailer
                 does not match its rows, saying so in the output; refused otherwise (exit code 2).
  --encoding     the --encoding given to score, if any.
  Recomputes every row: a result must come back with the same digest and the same JSON, byte for byte;
  a refused row must come back as the same error row, byte for byte (row, source, id, code, message and
  every problem); the end-of-results trailer must be the bytes score writes. Exit code 1 on any mismatch.`,
  async run(args) {
    const { values, positionals } = parseCommandArgs({
      args,
      allowPositionals: true,
      options: { rules: { type: "string" }, "as-of": { type: "string" }, encoding: { type: "string" }, "allow-incomplete": { type: "boolean", default: false } },
    });
    if (positionals.length !== 2) throw new UsageError("verify takes two files: <records> <results>");
    const asOf = values["as-of"] ?? null;
    if (asOf !== null && !isIsoDate(asOf)) throw new UsageError(`--as-of must be a calendar date YYYY-MM-DD; found ${asOf}`);
    refuseOutputsOverInputs([positionals[0]!, positionals[1]!, values.rules ?? REFERENCE_RULES_DIR], [], true);
    const ruleSet = values.rules ? loadRuleSet(values.rules) : referenceRuleSet;
    const evaluator = createEvaluator(ruleSet);

    // The error row score writes for an input row it refuses, whole, as JSON text.
    const refusal = (input: InputRow, organizationId: string | null, error: { code: string; message: string; issues: RecordIssue[] }): Outcome & { ok: false } => ({
      ok: false,
      code: error.code,
      message: error.message,
      text: JSON.stringify(errorObject({ ok: false, index: input.index, source: input.source, organizationId, error })),
    });
    // The row score writes for an input row, by score's own steps: unreadable, missing asOf, or evaluated.
    const recompute = async (input: InputRow, at: string | null): Promise<Outcome> => {
      const refused = (organizationId: string | null, error: { code: string; message: string; issues: RecordIssue[] }) => refusal(input, organizationId, error);
      if (input.readError !== null) return refused(readableId(input.record), { code: "unreadable_row", message: input.readError, issues: input.readIssues ?? [] });
      if (at === null) return refused(readableId(input.record), { code: "missing_as_of", message: MISSING_AS_OF, issues: [] });
      const outcome = await evaluateTask(evaluator, input.record, at);
      return outcome.ok ? { ok: true, result: outcome.result } : refused(outcome.organizationId, outcome.error);
    };

    const check = async (input: InputRow, recorded: ResultFileRow, text: string | null): Promise<string | null> => {
      const row = recorded.row;
      if (recorded.unreadable || text === null) return `the results line cannot be read: ${row.ok ? "" : row.error.message}`;
      if (row.ok) {
        const r = row.result;
        const recordedSet = r.ruleSet as unknown;
        if (!isPlain(recordedSet) || typeof recordedSet.digest !== "string") return "the result names no rule set digest (the results file was edited)";
        // score gives every row the --as-of it was given: a result on another asOf was not scored with it.
        if (asOf !== null && r.asOf !== asOf) return `scored on asOf ${JSON.stringify(r.asOf)}, not on the --as-of given (${asOf})`;
        if (r.ruleSet.digest !== ruleSet.digest) return `scored with rule set ${r.ruleSet.id}@${r.ruleSet.version} (${r.ruleSet.digest.slice(0, 15)}…), not the one given (${ruleSet.digest.slice(0, 15)}…); pass its folder with --rules`;
        const now = await recompute(input, isIsoDate(r.asOf) ? r.asOf : null);
        if (!now.ok) return `the result says scored, but the record is refused now (${now.code}): ${now.message}`;
        if (now.result.digest !== r.digest) return `digest differs: recorded ${r.digest.slice(0, 19)}…, recomputed ${now.result.digest.slice(0, 19)}… (the record, asOf, rule set or library version is not the one scored)`;
        if (JSON.stringify(now.result) !== text) {
          const fields = differingFields(r, now.result);
          return fields.length > 0 ? `same digest, but the result differs in ${fields.join(", ")} (the results file was edited)` : "same digest and values, but not the bytes score writes (the results file was edited)";
        }
        return null;
      }
      const now = await recompute(input, asOf ?? input.asOf);
      if (now.ok) return `the row says refused (${row.error.code}), but the record scores now (grade ${now.result.grade})`;
      return checkRefusal(recorded, text, now);
    };

    // A refused row against the error row score writes now: byte for byte, or the fields that differ.
    const checkRefusal = (recorded: ResultFileRow, text: string | null, now: Outcome & { ok: false }): string | null => {
      if (recorded.unreadable || text === null) return `the results line cannot be read: ${recorded.row.ok ? "" : recorded.row.error.message}`;
      if (recorded.row.ok) return `the row has a result, but score refuses it now: ${now.message} (${now.code})`;
      if (now.text === text) return null;
      let recordedValue: unknown;
      try {
        recordedValue = JSON.parse(text);
      } catch {
        recordedValue = undefined;
      }
      const leaves = differingLeaves(recordedValue, JSON.parse(now.text));
      return leaves.length > 0
        ? `the refusal differs from the one recomputed (${now.code}): ${leaves.join("; ")}`
        : "the refusal has the values recomputed, but not the bytes score writes (the results file was edited)";
    };

    const mismatches: Mismatch[] = [];
    const encoding = encodingOption(values.encoding, positionals[0]!);
    const records = readRows(positionals[0]!, encoding ? { encoding } : {});
    // As score does: a credit code already seen refuses its row as duplicate_id, naming the first.
    const guard = new DuplicateGuard();
    let incomplete: string | null = null;
    const results = readResultRows(positionals[1]!, { strayRowsUnreadable: true, allowIncomplete: values["allow-incomplete"], onIncomplete: (problem) => (incomplete = problem) });
    const arrayTexts = jsonArrayRowTexts(positionals[1]!);
    const progress = createProgress({ label: "verifying 核验", total: null, now: () => performance.now() });
    let position = 0;
    const counts = { scored: 0, refused: 0 };
    for (;;) {
      const [input, recorded] = await Promise.all([records.next(), results.next()]);
      if (input.done && recorded.done) break;
      const at = position++;
      if (!recorded.done) counts[recorded.value.row.ok ? "scored" : "refused"]++;
      let problem: string | null;
      let organizationId: string | null = null;
      if (recorded.done) problem = "no results row for this input row (the results file is shorter)";
      else if (input.done) problem = "a results row with no input row (the results file is longer)";
      else {
        organizationId = recorded.value.row.ok ? recorded.value.row.result.organizationId : recorded.value.row.organizationId;
        // A JSON array in score's layout is compared by its lines; one laid out otherwise, by its values.
        const text = arrayTexts !== null && !recorded.value.unreadable ? (arrayTexts[at] ?? null) : recorded.value.text;
        const raw = input.value.record;
        const id = raw !== null && typeof raw === "object" ? (raw as { id?: unknown }).id : undefined;
        const source = input.value.source;
        const repeated = guard.check(typeof id === "string" ? id : null, () => source);
        problem = repeated === null ? await check(input.value, recorded.value, text) : checkRefusal(recorded.value, text, refusal(input.value, id as string, repeated));
      }
      if (problem !== null) mismatches.push({ position: at, organizationId, problem });
      progress.tick(problem !== null);
    }
    progress.done();
    // A complete file's trailer, byte for byte (its values were checked as it was read).
    const trailerProblem = incomplete === null ? trailerMismatch(positionals[1]!, counts) : null;
    if (trailerProblem !== null) mismatches.push({ position, organizationId: null, problem: trailerProblem });
    if (incomplete !== null) process.stdout.write(`INCOMPLETE 不完整: ${terminalText(positionals[1]!)} is not a complete results file (${incomplete}); checked as far as it goes\n`);
    const shown = mismatches.slice(0, 200);
    // A mismatch quotes the files (ids, messages, found values): shown with controls escaped, so that no
    // row can print a line of its own, such as a false "verified".
    for (const m of shown) process.stdout.write(`${terminalText(`row ${m.position}${m.organizationId ? ` ${m.organizationId}` : ""}: ${m.problem}`)}\n`);
    if (mismatches.length > shown.length) process.stdout.write(`… and ${mismatches.length - shown.length} more\n`);
    process.stdout.write(
      mismatches.length === 0
        ? `verified 核验通过: all ${position} rows reproduce their recorded result or refusal\n`
        : `MISMATCH 不一致: ${mismatches.length} of ${position} rows do not reproduce\n`,
    );
    return mismatches.length > 0 ? 1 : 0;
  },
};
