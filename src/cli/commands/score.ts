import { readdirSync, statSync } from "node:fs";
import { isIsoDate } from "../../_lib/dates.js";
import { terminalText } from "../../_lib/inert.js";
import { evaluateInOrder, PARALLEL_THRESHOLD, recordOfTask, type BatchTask, type TaskOutcome } from "../../audit/parallel.js";
import { createEvaluator, evaluateTask, type EngineName } from "../../evaluate.js";
import type { InvalidRecordError } from "../../errors.js";
import type { Result } from "../../result/types.js";
import { loadRuleSet } from "../../rule-set/load.js";
import { referenceRuleSet } from "../../rule-set/reference.js";
import { UsageError, type Command, parseCommandArgs } from "../command.js";
import { readRows } from "../input.js";
import { DuplicateGuard, organizationIdOfJson } from "../duplicates.js";
import { TEXT_ENCODINGS, type TextEncoding } from "../../_lib/line-text.js";
import { OUTPUT_FORMATS, type OutputRow } from "../output.js";
import { openSink } from "../sink.js";
import { refuseOutputsOverInputs } from "../atomic-file.js";
import { REFERENCE_RULES_DIR } from "../../rule-set/reference.js";
import { createProgress, runSummary } from "../progress.js";

/** The id a refused row is shown with: the record's own id when it is a string (at most 64 characters). */
export function readableId(record: unknown): string | null {
  const id = record !== null && typeof record === "object" ? (record as { id?: unknown }).id : undefined;
  return typeof id === "string" ? id.slice(0, 64) : null;
}

/** The output row of a result a worker serialized: its text as is, its source and result read only if the format reads them. */
class SerializedRow {
  readonly ok = true;
  readonly index: number;
  readonly json: Uint8Array;

  constructor(
    private readonly row: { index: number; source: string },
    private readonly outcome: TaskOutcome & { ok: true },
  ) {
    this.index = row.index;
    this.json = outcome.json!;
  }

  get source(): string {
    return this.row.source;
  }

  get result(): Result {
    return this.outcome.result;
  }
}

/** The message of a row refused as `missing_as_of`. */
export const MISSING_AS_OF = "this entry has no asOf of its own and no --as-of was given";

/**
 * The `--encoding` option of score and verify.
 *
 * @param value - as given
 * @param input - the input it is for: an encoding other than UTF-8 is refused for NDJSON (a .ndjson or
 *   .jsonl file, or a folder holding one), which is read as UTF-8 or UTF-16 with a byte-order mark only
 * @returns the encoding, or undefined when not given
 */
export function encodingOption(value: string | undefined, input?: string): TextEncoding | undefined {
  if (value === undefined) return undefined;
  const lower = value.toLowerCase() === "utf8" ? "utf-8" : value.toLowerCase();
  if (!(TEXT_ENCODINGS as readonly string[]).includes(lower)) throw new UsageError(`--encoding must be one of ${TEXT_ENCODINGS.join(", ")}; found ${value}`);
  if (lower !== "utf-8" && input !== undefined) {
    const ndjson = (name: string) => /\.(ndjson|jsonl)$/i.test(name);
    let holds: string | null = null;
    try {
      holds = statSync(input).isDirectory() ? (readdirSync(input).find(ndjson) ?? null) : ndjson(input) ? input : null;
    } catch {
      // a missing input is the reader's to name
    }
    if (holds !== null) {
      throw new UsageError(`--encoding ${value} cannot be used with NDJSON (${terminalText(holds)}): NDJSON must be UTF-8, or UTF-16 with a byte-order mark; --encoding is for JSON and CSV files`);
    }
  }
  return lower as TextEncoding;
}

export const scoreCommand: Command = {
  name: "score",
  summary: "score <file|folder> [--as-of YYYY-MM-DD] [--rules DIR] [--format json|ndjson|csv|table|xlsx] [--out FILE] [--engine compiled|reference] [--workers N] [--encoding utf-8|gb18030]",
  usage: `  <file|folder>  a JSON file (one record, or an array), an NDJSON file (.ndjson/.jsonl, one per line), or a
                 folder of such files. An entry may be a record or an envelope { "asOf", "record" }.
  --as-of        the evaluation date; required unless the entries are envelopes with their own asOf
                 (when given, it applies to every entry).
  --rules        a rule-set folder (default: the bundled quzhou-reference rules).
  --format       json (default), ndjson, csv, table or xlsx (sheets results, measures, errors; needs --out).
  --out          write there instead of standard output.
  --engine       compiled (default: the rules compiled once into closures) or reference (json-rules-engine);
                 both give byte-identical results.
  --encoding     utf-8 (default) or gb18030: the encoding of JSON and CSV files without a byte-order mark
                 (gb18030 for CSV saved by Excel on Chinese Windows); UTF-16 is read by its byte-order mark.
  --workers      worker threads to score on; 0 scores on the main thread. Default: one per core once the
                 input has ${PARALLEL_THRESHOLD} rows or more, none below. Output stays in input order.`,
  async run(args) {
    const { values, positionals } = parseCommandArgs({
      args,
      allowPositionals: true,
      options: {
        "as-of": { type: "string" },
        rules: { type: "string" },
        format: { type: "string", default: "json" },
        out: { type: "string" },
        engine: { type: "string", default: "compiled" },
        workers: { type: "string" },
        encoding: { type: "string" },
      },
    });
    if (positionals.length !== 1) throw new UsageError("score takes exactly one input file or folder");
    const format = OUTPUT_FORMATS.get(values.format!);
    if (!format) throw new UsageError(`--format must be one of ${[...OUTPUT_FORMATS.keys()].join(", ")}; found ${values.format}`);
    if (format.needsFile && !values.out) throw new UsageError(`--format ${format.name} writes a file: give --out FILE`);
    const asOf = values["as-of"] ?? null;
    if (asOf !== null && !isIsoDate(asOf)) throw new UsageError(`--as-of must be a calendar date YYYY-MM-DD; found ${asOf}`);

    const engine = values.engine as EngineName;
    if (engine !== "compiled" && engine !== "reference") throw new UsageError(`--engine must be compiled or reference; found ${values.engine}`);
    const workers = values.workers === undefined ? undefined : Number(values.workers);
    if (workers !== undefined && !(Number.isInteger(workers) && workers >= 0 && workers <= 64)) {
      throw new UsageError(`--workers must be a whole number from 0 to 64; found ${values.workers}`);
    }

    const outPath = values.out ?? null;
    // Nothing is opened for writing before an output that names an input is refused.
    refuseOutputsOverInputs([positionals[0]!, values.rules ?? REFERENCE_RULES_DIR], [{ option: "--out", path: outPath }], outPath === null);
    const ruleSet = values.rules ? loadRuleSet(values.rules) : referenceRuleSet;
    const evaluator = createEvaluator(ruleSet, { engine });
    const encoding = encodingOption(values.encoding, positionals[0]!);
    const rows = readRows(positionals[0]!, encoding ? { encoding } : {});
    const first = await rows.next();
    if (!first.done && asOf === null && first.value.asOf === null && first.value.readError === null && !first.value.asOfProblem) {
      throw new UsageError("--as-of is required: the entries are bare records without their own asOf");
    }

    // Written beside the target and renamed into place when whole; a binary format writes the file's stream itself.
    const output = openSink(outPath);
    try {
      return await scoreInto(output);
    } finally {
      output.abort();
    }

    async function scoreInto(output: ReturnType<typeof openSink>): Promise<number> {
      const { sink } = output;
      const writer = format!.create(sink, { ruleSet, outPath, stream: output.file?.stream ?? null });
      const progress = createProgress({ label: "scoring 评分", total: null, now: () => performance.now() });
      type Row = NonNullable<typeof first.value>;
      const refuse = (row: Row, code: string, message: string, issues: InvalidRecordError["issues"] = []): OutputRow => ({
        ok: false,
        index: row.index,
        source: row.source,
        organizationId: readableId(row.record),
        error: { code, message, issues },
      });
      // A row that cannot be read or has no asOf is refused here, in its place; the others are evaluated.
      // With --as-of, an NDJSON line goes out as its bytes: the worker decodes and parses it, this thread need not.
      const taskOf = (row: Row): BatchTask | null => {
        if (asOf !== null && row.bytes !== undefined) return { bytes: row.bytes, asOf };
        const rowAsOf = asOf ?? row.asOf;
        return row.readError !== null || rowAsOf === null ? null : { record: row.record, asOf: rowAsOf };
      };
      const outputOf = (row: Row, outcome: TaskOutcome | null): OutputRow => {
        if (outcome === null) {
          return row.readError !== null
            ? refuse(row, "unreadable_row", row.readError, row.readIssues)
            : row.asOfProblem
              ? refuse(row, "invalid_as_of", `${row.asOfProblem}, and no --as-of was given`)
              : refuse(row, "missing_as_of", MISSING_AS_OF);
        }
        if (!outcome.ok) return { ok: false, index: row.index, source: row.source, organizationId: outcome.organizationId, error: outcome.error };
        // The result stays unparsed unless the format reads it (json and ndjson write the worker's text).
        return outcome.json === undefined ? { ok: true, index: row.index, source: row.source, result: outcome.result } : new SerializedRow(row, outcome);
      };
      // The rows again from the first, read above: an iterator rather than a generator, one step less per row.
      let pending: IteratorResult<Row> | null = first;
      const all: AsyncIterable<Row> = {
        [Symbol.asyncIterator]: () => ({
          next: async () => {
            if (pending === null) return rows.next();
            const r = pending;
            pending = null;
            return r;
          },
        }),
      };
      const local = (t: BatchTask) => {
        const input = recordOfTask(t);
        return input === null ? null : evaluateTask(evaluator, input.record, t.asOf);
      };
      // A worker that failed is said so, on one line: its rows are evaluated again, one at a time, and none is lost.
      const onRetry = (r: { first: number; rows: number; reason: string }) =>
        process.stderr.write(`note: a worker thread failed (${terminalText(r.reason)}); its ${r.rows} rows from row ${r.first + 1} are evaluated again, one at a time\n`);
      // A credit code already seen refuses its row, naming the first (every input kind, in order, workers or not).
      const guard = new DuplicateGuard();
      for await (const [row, outcome] of evaluateInOrder(all, taskOf, { ruleSet, engine, workers, local, onRetry })) {
        let out = outputOf(row, outcome);
        const id = out.ok ? ((out.json && organizationIdOfJson(out.json)) ?? out.result.organizationId) : out.organizationId;
        const repeated = guard.check(id, () => row.source);
        if (repeated !== null) out = { ok: false, index: row.index, source: row.source, organizationId: id, error: repeated };
        progress.tick(!out.ok);
        const wait = writer.write(out);
        if (wait) await wait;
        // A binary format's file stream may have failed (a full disk): stop at once rather than at the end.
        output.file?.check();
      }
      progress.done();
      // A stream that failed never finishes: the failure ends the wait.
      await Promise.race([writer.end(), output.failed]);
      await output.close();
      if (format!.name !== "table" || outPath) process.stderr.write(runSummary(progress.counts));
      return progress.counts.refused > 0 ? 1 : 0;
    }
  },
};
