import type { ReportRow } from "../audit/report.js";
import type { Result } from "../result/types.js";
import { readRows } from "./input.js";
import { InputError } from "./input-error.js";

/** One row of a results file, with its position in the file and where it came from. */
export interface ResultFileRow {
  position: number;
  source: string;
  row: ReportRow;
  /** True when the line itself could not be read (not JSON): the file is damaged there. */
  unreadable: boolean;
  /**
   * The row's JSON as the file holds it: an NDJSON line's own text; for a JSON array, its element
   * serialized again (the same value). Null for an unreadable line. `verify` compares it byte for byte.
   */
  text: string | null;
}

// A line's bytes as they are: a byte-order mark and a final carriage return kept (an edit is an edit).
const exactDecoder = new TextDecoder("utf-8", { ignoreBOM: true });

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/**
 * Whether a value has the shape of a result as `score` writes it (the fields the audit commands read).
 *
 * @param v - a parsed JSON value
 * @returns true for a result
 * @example
 * isResultShape(JSON.parse(line)); // false for an error row or a record
 */
export function isResultShape(v: unknown): v is Result {
  return (
    isObject(v) &&
    typeof v.organizationId === "string" &&
    typeof v.grade === "string" &&
    typeof v.score === "number" &&
    typeof v.asOf === "string" &&
    typeof v.digest === "string" &&
    Array.isArray(v.measures) &&
    Array.isArray(v.listActions) &&
    Array.isArray(v.dimensions)
  );
}

function isErrorRowShape(v: unknown): v is { row: number; source: string; organizationId: string | null; error: { code: string; message: string; issues: [] } } {
  return isObject(v) && isObject(v.error) && typeof v.error.code === "string" && typeof v.error.message === "string" && Array.isArray(v.error.issues);
}

/**
 * Reads a results file written by `score` (JSON array or NDJSON): results and error rows in file order.
 * A line that is not JSON comes back as an unreadable error row; anything else that is neither a result
 * nor an error row (a records file passed by mistake) stops the command with an InputError — or, with
 * `strayRowsUnreadable`, comes back as an unreadable row (verify lists it as a mismatch), unless it is the
 * first row and a record or an envelope.
 *
 * @param path - the results file
 * @returns the rows, in order
 * @example
 * for await (const { row } of readResultRows("results.ndjson")) if (row.ok) console.log(row.result.grade);
 */
export async function* readResultRows(path: string, options: { strayRowsUnreadable?: boolean } = {}): AsyncGenerator<ResultFileRow> {
  let position = 0;
  const unreadable = (at: number, source: string, message: string): ResultFileRow => ({
    position: at,
    source,
    unreadable: true,
    text: null,
    row: { ok: false, index: at, source, organizationId: null, error: { code: "unreadable_row", message, issues: [] } },
  });
  for await (const input of readRows(path)) {
    const at = position++;
    if (input.readError !== null) {
      yield unreadable(at, input.source, input.readError);
      continue;
    }
    const v = input.record;
    const text = input.bytes !== undefined ? exactDecoder.decode(input.bytes) : JSON.stringify(v);
    if (isResultShape(v)) yield { position: at, source: input.source, unreadable: false, text, row: { ok: true, result: v } };
    else if (isErrorRowShape(v)) {
      yield {
        position: at,
        source: input.source,
        unreadable: false,
        text,
        row: { ok: false, index: typeof v.row === "number" ? v.row : at, source: typeof v.source === "string" ? v.source : input.source, organizationId: v.organizationId ?? null, error: v.error },
      };
    } else if (options.strayRowsUnreadable && (at > 0 || !(isObject(input.record) && ("id" in input.record || "record" in input.record)))) {
      // verify: a damaged row is a mismatch of that row; only a first row that is a record (an id, an
      // envelope) says that the file is not a results file at all.
      yield unreadable(at, input.source, "not a result or an error row as score writes them");
    } else {
      throw new InputError(`${input.source}: not a result or an error row as score writes them (is this a records file? give the output of score)`);
    }
  }
}
