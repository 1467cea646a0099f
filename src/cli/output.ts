import type { RecordIssue } from "../errors.js";
import type { Result } from "../result/types.js";
import type { RuleSet } from "../rule-set/schema.js";
import { csvHeader, csvLine, tableHeader, tableLine, tableSummary } from "./format.js";
import { xlsxFormat } from "./formats/xlsx.js";

/** One output row: a result, or why the input at that position was refused. */
export type OutputRow =
  | { ok: true; index: number; source: string; result: Result; /** The result already serialized as UTF-8 JSON (by a batch worker). */ json?: Uint8Array }
  | { ok: false; index: number; source: string; organizationId: string | null; error: { code: string; message: string; issues: RecordIssue[] } };

/** Where output text goes, piece by piece. */
export interface TextSink {
  /** Text, or bytes already UTF-8 encoded. */
  write(text: string | Uint8Array): void | Promise<void>;
}

/** Writes rows one at a time, so a run of any size holds one row at a time. */
export interface RowWriter {
  /** A promise when the caller must wait (the output is full), else nothing: no promise per row. */
  write(row: OutputRow): void | Promise<void>;
  end(): Promise<void>;
}

/** A format the CLI writes. */
export interface OutputFormat {
  name: string;
  /** Binary formats need a file (`--out`); text formats may go to standard output. */
  needsFile?: boolean;
  create(sink: TextSink, ctx: { ruleSet: RuleSet; outPath: string | null; /** The output file's stream, for a binary format. */ stream: NodeJS.WritableStream | null }): RowWriter;
}

/**
 * The last row of a complete results file (json: the array's last element; ndjson: the last line), written
 * only once every row is out: its absence, or counts that differ from the rows before it, mark a file cut
 * short. It is not a row: readers of results leave it out of every count.
 */
export interface EndOfResults {
  endOfResults: { rows: number; scored: number; refused: number };
}

/** The trailer's text for the counts of the rows written. */
export function endOfResultsJson(counts: { scored: number; refused: number }): string {
  const trailer: EndOfResults = { endOfResults: { rows: counts.scored + counts.refused, scored: counts.scored, refused: counts.refused } };
  return JSON.stringify(trailer);
}

export function errorObject(row: Extract<OutputRow, { ok: false }>) {
  return { row: row.index, source: row.source, organizationId: row.organizationId, error: row.error };
}

const rowObject = (row: OutputRow) => (row.ok ? row.result : errorObject(row));
// A result serialized by a worker is written as is: JSON.stringify of the same object gives the same text.
const rowJson = (row: OutputRow) => (row.ok && row.json !== undefined ? row.json : JSON.stringify(rowObject(row)));

const json: OutputFormat = {
  name: "json",
  create(sink) {
    let first = true;
    const counts = { scored: 0, refused: 0 };
    return {
      async write(row) {
        await sink.write(first ? "[\n" : ",\n");
        await sink.write(rowJson(row));
        first = false;
        if (row.ok) counts.scored++;
        else counts.refused++;
      },
      async end() {
        await sink.write(`${first ? "[\n" : ",\n"}${endOfResultsJson(counts)}\n]\n`);
      },
    };
  },
};

const NEWLINE = new Uint8Array([0x0a]);

const ndjson: OutputFormat = {
  name: "ndjson",
  create(sink) {
    const counts = { scored: 0, refused: 0 };
    return {
      write(row) {
        if (row.ok) counts.scored++;
        else counts.refused++;
        const wait = sink.write(rowJson(row));
        return wait ? wait.then(() => sink.write(NEWLINE)) : sink.write(NEWLINE);
      },
      end: async () => {
        await sink.write(`${endOfResultsJson(counts)}\n`);
      },
    };
  },
};

const csv: OutputFormat = {
  name: "csv",
  create(sink, { ruleSet }) {
    const dims = ruleSet.manifest.dimensions.map((d) => d.id);
    let started = false;
    const start = async () => {
      // A UTF-8 byte-order mark first: without it Excel on Chinese Windows reads the file as GB18030 and garbles every name.
      if (!started) await sink.write(`\ufeff${csvHeader(dims)}\n`);
      started = true;
    };
    return {
      async write(row) {
        await start();
        await sink.write(`${csvLine(row, dims)}\n`);
      },
      end: start,
    };
  },
};

const table: OutputFormat = {
  name: "table",
  create(sink) {
    const counts = { read: 0, scored: 0, grades: new Map<string, number>() };
    let started = false;
    const start = async () => {
      if (!started) await sink.write(`${tableHeader()}\n`);
      started = true;
    };
    return {
      async write(row) {
        await start();
        counts.read++;
        if (row.ok) {
          counts.scored++;
          counts.grades.set(row.result.grade, (counts.grades.get(row.result.grade) ?? 0) + 1);
        }
        await sink.write(`${tableLine(row)}\n`);
      },
      async end() {
        await start();
        await sink.write(tableSummary(counts));
      },
    };
  },
};

/** The formats `score` writes, by name; more may be registered. */
export const OUTPUT_FORMATS: Map<string, OutputFormat> = new Map([json, ndjson, csv, table, xlsxFormat].map((f) => [f.name, f]));
