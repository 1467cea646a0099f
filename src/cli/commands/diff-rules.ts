import { isIsoDate } from "../../_lib/dates.js";
import { terminalText } from "../../_lib/inert.js";
import { generatePopulation } from "../../audit/generate.js";
import { shadowRun, type ShadowEntry, type ShadowReport } from "../../audit/shadow.js";
import { loadRuleSet } from "../../rule-set/load.js";
import { UsageError, type Command, parseCommandArgs } from "../command.js";
import { displayWidth } from "../format.js";
import { readRows } from "../input.js";
import { openSink } from "../sink.js";
import { refuseOutputsOverInputs } from "../atomic-file.js";

const USAGE = `  --rules A --rules B  the rule set in force, then the revision: each a rule-set folder (one version, which
                 applies on any asOf, or a folder of versions, which uses the version in force on asOf).
  <population>   a file or folder that score reads (records or envelopes { asOf, record }); or
  --generate N   a synthetic Quzhou-like population of N organizations (with --seed S, default 1, and --as-of).
  --as-of        the evaluation date; required unless the entries are envelopes with their own asOf.
  --format       text (default) or json (the whole report, with every organization that changed grade).
  --out          write there instead of standard output.`;

// Text from the rule files and the population (ids, levels, sources, messages) is shown with its control
// characters escaped, and measured after that, so that the columns stay aligned.
const pad = (raw: string, width: number, right = false) => {
  const text = terminalText(raw);
  const space = " ".repeat(Math.max(0, width - displayWidth(text)));
  return right ? space + text : text + space;
};

/**
 * The shadow-run report as text for the terminal: the migration matrix, the counts, and one line per
 * changed rule with the organizations it affected and moved.
 *
 * @param report - a report from shadowRun
 * @param names - how to name A and B (their folders)
 * @returns the text, ending with a newline; control characters of file-derived text shown escaped
 */
export function formatShadowReport(report: ShadowReport, names: { a: string; b: string }): string {
  const lines: string[] = [];
  const side = (s: ShadowReport["a"], name: string) =>
    `${s.id} ${s.versions.join(", ") || "(none used)"}  ${s.digests.map((d) => d.slice(0, 19) + "…").join(", ")}  (${name})`;
  lines.push(`Shadow run 影子运行: ${report.read} organizations read, ${report.compared} compared, ${report.refused} refused`);
  lines.push(`  A (in force 现行): ${side(report.a, names.a)}`);
  lines.push(`  B (revision 修订): ${side(report.b, names.b)}`);
  lines.push("");
  lines.push("Level migration 等级迁移 (rows: grade under A; columns: grade under B)");
  const w = Math.max(6, ...report.levels.map((l) => displayWidth(terminalText(l)) + 1), ...Object.values(report.matrix).flatMap((row) => Object.values(row).map((n) => String(n).length + 1)));
  lines.push(`  ${pad("A \\ B", 6)}${report.levels.map((l) => pad(l, w, true)).join("")}${pad("total", w + 2, true)}`);
  for (const from of report.levels) {
    const row = report.levels.map((to) => report.matrix[from]?.[to] ?? 0);
    lines.push(`  ${pad(from, 6)}${row.map((n) => pad(String(n), w, true)).join("")}${pad(String(row.reduce((s, n) => s + n, 0)), w + 2, true)}`);
  }
  const totals = report.levels.map((to) => report.levels.reduce((s, from) => s + (report.matrix[from]?.[to] ?? 0), 0));
  lines.push(`  ${pad("total", 6)}${totals.map((n) => pad(String(n), w, true)).join("")}${pad(String(report.compared), w + 2, true)}`);
  lines.push("");
  lines.push(
    `Grade changed 等级变化: ${report.moved} of ${report.compared} (up 升 ${report.up}, down 降 ${report.down}); newly restricted 新增限制 ${report.newlyRestricted}, released 解除限制 ${report.newlyReleased}`,
  );
  lines.push("");
  if (report.rules.length === 0) lines.push("Changed rules 规则变化: none — A and B score alike");
  else {
    lines.push("Changed rules 规则变化 (affected 受影响: its part of the result differs; moved 等级变化: and the grade went the way it pushed)");
    const idWidth = Math.max(4, ...report.rules.map((r) => displayWidth(terminalText(r.id))));
    lines.push(`  ${pad("rule", idWidth)}  ${pad("affected", 8, true)}  ${pad("moved", 5, true)}  ${pad("up", 4, true)}  ${pad("down", 4, true)}  change`);
    for (const r of report.rules) {
      const what = r.changes.length > 3 ? [...r.changes.slice(0, 3), `and ${r.changes.length - 3} more`] : r.changes;
      lines.push(
        `  ${pad(r.id, idWidth)}  ${pad(String(r.affected), 8, true)}  ${pad(String(r.moved), 5, true)}  ${pad(String(r.up), 4, true)}  ${pad(String(r.down), 4, true)}  ${what.join("; ")}`,
      );
    }
    lines.push("  (an organization moved by two changed rules counts under both)");
  }
  if (report.unaccounted > 0 && !report.rules.some((r) => r.id === "manifest")) {
    lines.push(`  ${report.unaccounted} organizations changed grade without any changed rule accounting for it`);
  }
  if (report.changed.length > 0) {
    lines.push("");
    lines.push("Organizations that changed grade 等级变化的组织 (first 10; --format json lists all)");
    for (const c of report.changed.slice(0, 10)) {
      const by = c.movedBy.slice(0, 4).map((m) => `${m.id} ${m.before}→${m.after}`).join(", ");
      lines.push(`  ${c.organizationId}  ${c.gradeBefore}→${c.gradeAfter}  ${c.scoreBefore}→${c.scoreAfter}  ${by}`);
    }
  }
  if (report.refusals.length > 0) {
    lines.push("");
    lines.push(`Refused 拒绝 (first ${report.refusals.length} of ${report.refused})`);
    for (const r of report.refusals) lines.push(`  ${r.source} ${r.organizationId ?? "?"}: ${r.code}: ${r.message}`);
  }
  return `${lines.map(terminalText).join("\n")}\n`;
}

async function* envelopes(path: string, asOf: string | null): AsyncGenerator<ShadowEntry> {
  for await (const row of readRows(path)) yield { source: row.source, record: row.record, asOf: asOf ?? row.asOf, readError: row.readError };
}

function* generated(count: number, seed: number, asOf: string): Generator<ShadowEntry> {
  let i = 0;
  for (const record of generatePopulation({ count, seed, asOf })) yield { source: `generated#${i++}`, record, asOf };
}

/**
 * Runs `shadow --rules A --rules B <population> [--as-of D]` (also reachable as `diff --rules A --rules B`):
 * scores the population under both rule sets and prints the migration matrix and the changed rules.
 *
 * @param args - the arguments after the command name
 * @returns 0 when every organization was compared, 1 when some were refused
 */
export async function runShadowDiff(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs({
    args,
    allowPositionals: true,
    options: {
      rules: { type: "string", multiple: true },
      "as-of": { type: "string" },
      generate: { type: "string" },
      seed: { type: "string", default: "1" },
      format: { type: "string", default: "text" },
      out: { type: "string" },
    },
  });
  const rules = values.rules ?? [];
  if (rules.length !== 2) throw new UsageError(`shadow takes --rules twice: the rule set in force, then the revision; found ${rules.length}`);
  if (values.format !== "text" && values.format !== "json") throw new UsageError(`--format must be text or json; found ${values.format}`);
  const asOf = values["as-of"] ?? null;
  if (asOf !== null && !isIsoDate(asOf)) throw new UsageError(`--as-of must be a calendar date YYYY-MM-DD; found ${asOf}`);
  let entries: AsyncIterable<ShadowEntry> | Iterable<ShadowEntry>;
  if (values.generate !== undefined) {
    const count = Number(values.generate);
    const seed = Number(values.seed);
    if (!Number.isInteger(count) || count < 0) throw new UsageError(`--generate takes a count of organizations; found ${values.generate}`);
    if (!Number.isInteger(seed)) throw new UsageError(`--seed takes a whole number; found ${values.seed}`);
    if (asOf === null) throw new UsageError("--generate needs --as-of: the date the population describes");
    if (positionals.length > 0) throw new UsageError("give a population file or --generate, not both");
    entries = generated(count, seed, asOf);
  } else {
    if (positionals.length !== 1) throw new UsageError("shadow takes exactly one population file or folder (or --generate N)");
    entries = envelopes(positionals[0]!, asOf);
  }
  const inputs = values.generate === undefined ? [rules[0]!, rules[1]!, positionals[0]!] : [rules[0]!, rules[1]!];
  refuseOutputsOverInputs(inputs, [{ option: "--out", path: values.out ?? null }], values.out === undefined);
  const [a, b] = [loadRuleSet(rules[0]!), loadRuleSet(rules[1]!)];
  const report = await shadowRun(a, b, entries);
  const output = openSink(values.out ?? null);
  try {
    await output.sink.write(values.format === "json" ? `${JSON.stringify(report, null, 2)}\n` : formatShadowReport(report, { a: rules[0]!, b: rules[1]! }));
    await output.close();
  } finally {
    output.abort();
  }
  return report.refused > 0 ? 1 : 0;
}

export const shadowCommand: Command = {
  name: "shadow",
  summary: "shadow --rules A --rules B <file|folder | --generate N> [--as-of YYYY-MM-DD] [--format text|json] [--out FILE]",
  usage: USAGE,
  run: runShadowDiff,
};
