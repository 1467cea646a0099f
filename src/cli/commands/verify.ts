import { parseArgs } from "node:util";
import { isIsoDate } from "../../_lib/dates.js";
import { createEvaluator } from "../../evaluate.js";
import { InvalidRecordError, SocialOrgCreditError } from "../../errors.js";
import type { Result } from "../../result/types.js";
import { loadRuleSet } from "../../rule-set/load.js";
import { referenceRuleSet } from "../../rule-set/reference.js";
import { UsageError, type Command } from "../command.js";
import { readRows, type InputRow } from "../input.js";
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

type Outcome = { ok: true; result: Result } | { ok: false; code: string; paths: string[]; message: string };

export const verifyCommand: Command = {
  name: "verify",
  summary: "verify <records> <results> [--rules DIR] [--as-of YYYY-MM-DD] [--encoding utf-8|gb18030]",
  usage: `  <records>      the input that was scored (any kind score reads: JSON, NDJSON, XLSX, CSV folder).
  <results>      what score wrote for it (json or ndjson), one row per input row, in order.
  --rules        the rule set it was scored with (default: the bundled reference rules).
  --as-of        the --as-of given to score, if any: needed only to recheck refused rows of bare records
                 (a result carries its own asOf).
  --encoding     the --encoding given to score, if any.
  Recomputes every row: a result must come back with the same digest and the same JSON, byte for byte;
  a refused row must be refused again with the same code and problem paths. Exit code 1 on any mismatch.`,
  async run(args) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { rules: { type: "string" }, "as-of": { type: "string" }, encoding: { type: "string" } } });
    if (positionals.length !== 2) throw new UsageError("verify takes two files: <records> <results>");
    const asOf = values["as-of"] ?? null;
    if (asOf !== null && !isIsoDate(asOf)) throw new UsageError(`--as-of must be a calendar date YYYY-MM-DD; found ${asOf}`);
    const ruleSet = values.rules ? loadRuleSet(values.rules) : referenceRuleSet;
    const evaluator = createEvaluator(ruleSet);

    const recompute = async (input: InputRow, at: string | null): Promise<Outcome> => {
      if (input.readError !== null) return { ok: false, code: "unreadable_row", paths: (input.readIssues ?? []).map((i) => i.path), message: input.readError };
      if (at === null) return { ok: false, code: "missing_as_of", paths: [], message: "no asOf" };
      try {
        return { ok: true, result: await evaluator.evaluate(input.record, { asOf: at }) };
      } catch (error) {
        if (!(error instanceof SocialOrgCreditError)) throw error;
        return { ok: false, code: error.code, paths: error instanceof InvalidRecordError ? error.issues.map((i) => i.path) : [], message: error.message };
      }
    };

    const check = async (input: InputRow, recorded: ResultFileRow): Promise<string | null> => {
      const row = recorded.row;
      if (recorded.unreadable) return `the results line cannot be read: ${row.ok ? "" : row.error.message}`;
      if (row.ok) {
        const r = row.result;
        if (r.ruleSet.digest !== ruleSet.digest) return `scored with rule set ${r.ruleSet.id}@${r.ruleSet.version} (${r.ruleSet.digest.slice(0, 15)}…), not the one given (${ruleSet.digest.slice(0, 15)}…); pass its folder with --rules`;
        const now = await recompute(input, r.asOf);
        if (!now.ok) return `the result says scored, but the record is refused now (${now.code}): ${now.message}`;
        if (now.result.digest !== r.digest) return `digest differs: recorded ${r.digest.slice(0, 19)}…, recomputed ${now.result.digest.slice(0, 19)}… (the record, asOf, rule set or library version is not the one scored)`;
        if (JSON.stringify(now.result) !== JSON.stringify(r)) return `same digest, but the result differs in ${differingFields(r, now.result).join(", ")} (the results file was edited)`;
        return null;
      }
      const now = await recompute(input, asOf ?? input.asOf);
      if (now.ok) return `the row says refused (${row.error.code}), but the record scores now (grade ${now.result.grade})`;
      const recordedPaths = [...new Set(row.error.issues.map((i) => i.path))].sort();
      const nowPaths = [...new Set(now.paths)].sort();
      if (now.code !== row.error.code || JSON.stringify(nowPaths) !== JSON.stringify(recordedPaths)) {
        return `refused as ${row.error.code} [${recordedPaths.join(", ")}], but recomputed as ${now.code} [${nowPaths.join(", ")}]`;
      }
      return null;
    };

    const mismatches: Mismatch[] = [];
    const encoding = encodingOption(values.encoding);
    const records = readRows(positionals[0]!, encoding ? { encoding } : {});
    // As score does: a credit code already seen refuses its row as duplicate_id, naming the first.
    const guard = new DuplicateGuard();
    const results = readResultRows(positionals[1]!);
    const progress = createProgress({ label: "verifying 核验", total: null, now: () => performance.now() });
    let position = 0;
    for (;;) {
      const [input, recorded] = await Promise.all([records.next(), results.next()]);
      if (input.done && recorded.done) break;
      const at = position++;
      let problem: string | null;
      let organizationId: string | null = null;
      if (recorded.done) problem = "no results row for this input row (the results file is shorter)";
      else if (input.done) problem = "a results row with no input row (the results file is longer)";
      else {
        organizationId = recorded.value.row.ok ? recorded.value.row.result.organizationId : recorded.value.row.organizationId;
        const raw = input.value.record;
        const id = raw !== null && typeof raw === "object" ? (raw as { id?: unknown }).id : undefined;
        const source = input.value.source;
        const repeated = guard.check(typeof id === "string" ? id : null, () => source);
        const row = recorded.value.row;
        if (repeated === null) problem = await check(input.value, recorded.value);
        else if (recorded.value.unreadable) problem = `the results line cannot be read: ${row.ok ? "" : row.error.message}`;
        else if (row.ok || row.error.code !== "duplicate_id") problem = `${repeated.message}: score refuses this row (duplicate_id), but the results file has ${row.ok ? "a result" : `a refusal ${row.error.code}`} for it`;
        else problem = null;
      }
      if (problem !== null) mismatches.push({ position: at, organizationId, problem });
      progress.tick(problem !== null);
    }
    progress.done();
    const shown = mismatches.slice(0, 200);
    for (const m of shown) process.stdout.write(`row ${m.position}${m.organizationId ? ` ${m.organizationId}` : ""}: ${m.problem}\n`);
    if (mismatches.length > shown.length) process.stdout.write(`… and ${mismatches.length - shown.length} more\n`);
    process.stdout.write(
      mismatches.length === 0
        ? `verified 核验通过: all ${position} rows reproduce their recorded result or refusal\n`
        : `MISMATCH 不一致: ${mismatches.length} of ${position} rows do not reproduce\n`,
    );
    return mismatches.length > 0 ? 1 : 0;
  },
};
