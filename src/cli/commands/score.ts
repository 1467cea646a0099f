import { parseArgs } from "node:util";
import { isIsoDate } from "../../_lib/dates.js";
import { createEvaluator } from "../../evaluate.js";
import { InvalidRecordError, SocialOrgCreditError } from "../../errors.js";
import { loadRuleSet } from "../../rule-set/load.js";
import { referenceRuleSet } from "../../rule-set/reference.js";
import { UsageError, type Command } from "../command.js";
import { readRows } from "../input.js";
import { OUTPUT_FORMATS, type OutputRow } from "../output.js";
import { openSink } from "../sink.js";
import { createProgress, runSummary } from "../progress.js";

function readableId(record: unknown): string | null {
  const id = record !== null && typeof record === "object" ? (record as { id?: unknown }).id : undefined;
  return typeof id === "string" ? id.slice(0, 64) : null;
}

export const scoreCommand: Command = {
  name: "score",
  summary: "score <file|folder> [--as-of YYYY-MM-DD] [--rules DIR] [--format json|ndjson|csv|table|xlsx] [--out FILE]",
  usage: `  <file|folder>  a JSON file (one record, or an array), an NDJSON file (.ndjson/.jsonl, one per line), or a
                 folder of such files. An entry may be a record or an envelope { "asOf", "record" }.
  --as-of        the evaluation date; required unless the entries are envelopes with their own asOf
                 (when given, it applies to every entry).
  --rules        a rule-set folder (default: the bundled quzhou-reference rules).
  --format       json (default), ndjson, csv, table or xlsx (sheets results, measures, errors; needs --out).
  --out          write there instead of standard output.`,
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { "as-of": { type: "string" }, rules: { type: "string" }, format: { type: "string", default: "json" }, out: { type: "string" } },
    });
    if (positionals.length !== 1) throw new UsageError("score takes exactly one input file or folder");
    const format = OUTPUT_FORMATS.get(values.format!);
    if (!format) throw new UsageError(`--format must be one of ${[...OUTPUT_FORMATS.keys()].join(", ")}; found ${values.format}`);
    if (format.needsFile && !values.out) throw new UsageError(`--format ${format.name} writes a file: give --out FILE`);
    const asOf = values["as-of"] ?? null;
    if (asOf !== null && !isIsoDate(asOf)) throw new UsageError(`--as-of must be a calendar date YYYY-MM-DD; found ${asOf}`);

    const ruleSet = values.rules ? loadRuleSet(values.rules) : referenceRuleSet;
    const evaluator = createEvaluator(ruleSet);
    const outPath = values.out ?? null;
    const rows = readRows(positionals[0]!);
    const first = await rows.next();
    if (!first.done && asOf === null && first.value.asOf === null && first.value.readError === null) {
      throw new UsageError("--as-of is required: the entries are bare records without their own asOf");
    }

    // A binary format writes its file itself; standard output stays free.
    const { sink, close } = openSink(format.needsFile ? null : outPath);
    const writer = format.create(sink, { ruleSet, outPath });
    const progress = createProgress({ label: "scoring 评分", total: null, now: () => performance.now() });
    const handle = async (row: NonNullable<typeof first.value>): Promise<OutputRow> => {
      const refuse = (code: string, message: string, issues: InvalidRecordError["issues"] = []): OutputRow => ({
        ok: false,
        index: row.index,
        source: row.source,
        organizationId: readableId(row.record),
        error: { code, message, issues },
      });
      if (row.readError !== null) return refuse("unreadable_row", row.readError, row.readIssues);
      const rowAsOf = asOf ?? row.asOf;
      if (rowAsOf === null) return refuse("missing_as_of", "this entry has no asOf of its own and no --as-of was given");
      try {
        return { ok: true, index: row.index, source: row.source, result: await evaluator.evaluate(row.record, { asOf: rowAsOf }) };
      } catch (error) {
        if (!(error instanceof SocialOrgCreditError)) throw error;
        return refuse(error.code, error.message, error instanceof InvalidRecordError ? error.issues : []);
      }
    };
    if (!first.done) {
      for (let r: IteratorResult<typeof first.value> = first; !r.done; r = await rows.next()) {
        const out = await handle(r.value);
        progress.tick(!out.ok);
        await writer.write(out);
      }
    }
    progress.done();
    await writer.end();
    await close();
    if (format.name !== "table" || outPath) process.stderr.write(runSummary(progress.counts));
    return progress.counts.refused > 0 ? 1 : 0;
  },
};
