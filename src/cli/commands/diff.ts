import { runShadowDiff } from "./diff-rules.js";
import { compareStrings } from "../../_lib/canonical.js";
import { terminalText } from "../../_lib/inert.js";
import { diffResults, type ResultsDiff } from "../../audit/diff.js";
import type { Result } from "../../result/types.js";
import { referenceRuleSet } from "../../rule-set/reference.js";
import { refuseOutputsOverInputs } from "../atomic-file.js";
import { UsageError, type Command, parseCommandArgs } from "../command.js";
import { readResultRows } from "../results-file.js";
import { displayWidth } from "../format.js";
import { openSink } from "../sink.js";

interface Side {
  results: Result[];
  refused: number;
  unreadable: number;
}

async function readSide(path: string, allowIncomplete: boolean, incomplete: string[]): Promise<Side> {
  const side: Side = { results: [], refused: 0, unreadable: 0 };
  const onIncomplete = (problem: string) => incomplete.push(`INCOMPLETE 不完整: ${path} is not a complete results file (${problem}); compared as far as it goes`);
  // Two results of one credit code cannot be compared: refused (by the reader), naming both rows, rather than one dropped.
  for await (const { row, unreadable } of readResultRows(path, { allowIncomplete, onIncomplete, refuseRepeatedCodes: true })) {
    if (row.ok) side.results.push(row.result);
    else if (unreadable) side.unreadable++;
    else side.refused++;
  }
  return side;
}

const pad = (text: string, width: number) => text + " ".repeat(Math.max(0, width - displayWidth(text)));
const padLeft = (text: string, width: number) => " ".repeat(Math.max(0, width - displayWidth(text))) + text;

/**
 * The diff as text for a terminal or a file: the migration matrix, the organizations that changed
 * level with what moved them, and who was newly restricted or released. Text read from the files (names,
 * ids, grades) has its control characters shown escaped, before the columns are measured.
 *
 * @param d - the diff of the two sides' results
 * @param before - counts of the first file
 * @param after - counts of the second file
 * @returns the text, bilingual headings
 * @example
 * process.stdout.write(diffText(diffResults(a.results, b.results), a, b));
 */
export function diffText(d: ResultsDiff, before: Side, after: Side): string {
  const t = terminalText;
  const w = Math.max(6, ...d.levels.map((l) => displayWidth(t(l)) + 2), ...d.levels.flatMap((f) => d.levels.map((to) => String(d.matrix[f]?.[to] ?? 0).length + 2)));
  const lines = [
    "等级迁移矩阵 Level migration matrix (rows: before 之前; columns: after 之后)",
    `${pad("", 8)}${d.levels.map((l) => padLeft(t(l), w)).join("")}`,
    ...d.levels.map((f) => `${pad(t(f), 8)}${d.levels.map((to) => padLeft(String(d.matrix[f]?.[to] ?? 0), w)).join("")}`),
    "",
    `compared 比较 ${d.compared}; only before 仅之前 ${d.onlyBefore.length}; only after 仅之后 ${d.onlyAfter.length}; refused rows 拒绝: before ${before.refused}, after ${after.refused}; unreadable lines 无法读取: before ${before.unreadable}, after ${after.unreadable}`,
    "",
    `等级变化的组织 Organizations that changed level: ${d.changed.length}`,
    ...d.changed.map(
      (c) =>
        `  ${c.organizationId}  ${c.name}  ${c.gradeBefore} → ${c.gradeAfter}  score 得分 ${c.scoreBefore} → ${c.scoreAfter}  moved by 变动项: ${c.movedBy
          .map((m) => `${m.id} ${m.before}→${m.after}`)
          .join(", ")}`,
    ),
    "",
    `新增限制 Newly restricted: ${d.newlyRestricted.length}`,
    ...d.newlyRestricted.map((r) => `  ${r.organizationId}  ${r.name}  ${r.grade}  + ${r.measures.join(" ")}`),
    "",
    `解除限制 Newly released: ${d.newlyReleased.length}`,
    ...d.newlyReleased.map((r) => `  ${r.organizationId}  ${r.name}  ${r.grade}  − ${r.measures.join(" ")}`),
  ];
  if (d.onlyBefore.length > 0) lines.push("", `仅在之前 Only before: ${d.onlyBefore.join(" ")}`);
  if (d.onlyAfter.length > 0) lines.push("", `仅在之后 Only after: ${d.onlyAfter.join(" ")}`);
  // Whatever else a file put in a line (a name, an id, a rule id) is shown escaped too.
  return `${lines.map(t).join("\n")}\n`;
}

export const diffCommand: Command = {
  name: "diff",
  summary: "diff <before> <after> [--format text|json] [--out FILE] [--allow-incomplete]   |   diff --rules A --rules B <population> [--as-of D] (a shadow run)",
  usage: `  <before> <after>  two results files written by score (json or ndjson), e.g. one register scored on
                    two asOf dates, or with two rule sets; organizations are matched by credit code.
  --format          text (default) or json (the whole diff as one JSON object).
  --out             write there instead of standard output.
  --allow-incomplete  compare a results file without its end-of-results trailer (cut short), whose
                    trailer does not match its rows, or with a line that cannot be read (damaged),
                    saying so in the output; refused otherwise.
  Shows the level migration matrix, the organizations that changed level with the items, caps and vetoes
  that moved them, and the organizations newly restricted or released. With --allow-incomplete,
  exit code 1 when a line of either file could not be read.`,
  async run(args) {
    // With rule sets, diff is a shadow run: one population scored under two rule sets.
    if (args.some((a) => a === "--rules" || a.startsWith("--rules="))) return runShadowDiff(args);
    const { values, positionals } = parseCommandArgs({
      args,
      allowPositionals: true,
      options: { format: { type: "string", default: "text" }, out: { type: "string" }, "as-of": { type: "string" }, "allow-incomplete": { type: "boolean", default: false } },
    });
    if (values["as-of"]) throw new UsageError("diff takes no --as-of: each result carries its own asOf");
    if (positionals.length !== 2) throw new UsageError("diff takes two results files: <before> <after>");
    if (values.format !== "text" && values.format !== "json") throw new UsageError(`--format must be text or json; found ${values.format}`);
    refuseOutputsOverInputs([positionals[0]!, positionals[1]!], [{ option: "--out", path: values.out ?? null }], values.out === undefined);
    const incomplete: string[] = [];
    const before = await readSide(positionals[0]!, values["allow-incomplete"]!, incomplete);
    const after = await readSide(positionals[1]!, values["allow-incomplete"]!, incomplete);
    const known = referenceRuleSet.manifest.levels.map((l) => l.id);
    const found = [...new Set([...before.results, ...after.results].map((r) => r.grade))].filter((g) => !known.includes(g)).sort(compareStrings);
    const d = diffResults(before.results, after.results, [...known, ...found]);
    const output = openSink(values.out ?? null);
    try {
      await output.sink.write(
        values.format === "json"
          ? `${JSON.stringify({ ...d, refused: { before: before.refused, after: after.refused }, unreadable: { before: before.unreadable, after: after.unreadable }, ...(incomplete.length > 0 ? { incomplete } : {}) }, null, 2)}\n`
          : `${incomplete.map((line) => `${terminalText(line)}\n`).join("")}${diffText(d, before, after)}`,
      );
      await output.close();
    } finally {
      output.abort();
    }
    for (const line of incomplete) process.stderr.write(`warning: ${terminalText(line)}\n`);
    process.stderr.write(`compared ${d.compared}, changed level ${d.changed.length}, newly restricted ${d.newlyRestricted.length}, newly released ${d.newlyReleased.length}\n`);
    return before.unreadable + after.unreadable > 0 ? 1 : 0;
  },
};
