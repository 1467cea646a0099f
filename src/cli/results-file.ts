import type { ReportRow } from "../audit/report.js";
import type { Result } from "../result/types.js";
import { statSync } from "node:fs";
import { terminalText } from "../_lib/inert.js";
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

/** How to read a results file: refuse one without a valid end-of-results trailer, or go on. */
export interface ReadResultsOptions {
  /** Go on with a file cut short (no trailer, or one whose counts differ from the rows read). */
  allowIncomplete?: boolean;
  /** Told why the file is incomplete, once it has been read through (only with `allowIncomplete`). */
  onIncomplete?: (problem: string) => void;
  /** A row that is neither a result nor an error row comes back unreadable instead of stopping the read (verify). */
  strayRowsUnreadable?: boolean;
}

/** The trailer `score` writes last (see EndOfResults in output.ts), or null for anything else. */
function trailerOf(v: unknown): { rows: number; scored: number; refused: number } | null {
  if (!isObject(v) || Object.keys(v).length !== 1 || !isObject(v.endOfResults)) return null;
  const t = v.endOfResults;
  const count = (n: unknown) => (typeof n === "number" && Number.isInteger(n) && n >= 0 ? n : -1);
  return { rows: count(t.rows), scored: count(t.scored), refused: count(t.refused) };
}

/**
 * The one-line refusal of a results file that is not whole.
 *
 * @param path - the file
 * @param problem - what is wrong with its end
 * @returns the message (the command exits 2 with it)
 */
export function incompleteMessage(path: string, problem: string): string {
  return `${terminalText(path)}: not a complete results file 结果文件不完整: ${problem}; the run that wrote it may have been cut short. Give --allow-incomplete to read it anyway`;
}

/**
 * Reads a results file written by `score` (JSON array or NDJSON): results and error rows in file order.
 * A line that is not JSON comes back as an unreadable error row; anything else that is neither a result
 * nor an error row (a records file passed by mistake) stops the command with an InputError — or, with
 * `strayRowsUnreadable`, comes back as an unreadable row (verify lists it as a mismatch), unless it is the
 * first row and a record or an envelope. The file must end with score's end-of-results trailer, whose
 * counts match the rows read; otherwise the reading ends with an InputError naming the file, unless
 * `allowIncomplete` is set (then `onIncomplete` is told why). The trailer is not a row.
 *
 * @param path - the results file
 * @param options - whether an incomplete file is refused
 * @returns the rows, in order
 * @example
 * for await (const { row } of readResultRows("results.ndjson")) if (row.ok) console.log(row.result.grade);
 */
export async function* readResultRows(path: string, options: ReadResultsOptions = {}): AsyncGenerator<ResultFileRow> {
  if (statSync(path).isDirectory()) throw new InputError(`${terminalText(path)}: a folder; give one results file written by score (json or ndjson)`);
  let position = 0;
  let scored = 0;
  let refused = 0;
  let trailer: ReturnType<typeof trailerOf> = null;
  let afterTrailer = 0;
  const unreadable = (at: number, source: string, message: string): ResultFileRow => ({
    position: at,
    source,
    unreadable: true,
    text: null,
    row: { ok: false, index: at, source, organizationId: null, error: { code: "unreadable_row", message, issues: [] } },
  });
  for await (const input of readRows(path)) {
    if (trailer !== null) {
      // Rows after the trailer: two files joined, or a file written over: refused at once, before any row of it is judged.
      if (!options.allowIncomplete) throw new InputError(incompleteMessage(path, "rows after its end-of-results trailer"));
      afterTrailer++;
    }
    const at = position++;
    if (input.readError !== null) {
      yield unreadable(at, input.source, input.readError);
      continue;
    }
    const v = input.record;
    const end = trailerOf(v);
    if (end !== null) {
      position--;
      trailer ??= end;
      continue;
    }
    const text = input.bytes !== undefined ? exactDecoder.decode(input.bytes) : JSON.stringify(v);
    if (isResultShape(v)) {
      scored++;
      yield { position: at, source: input.source, unreadable: false, text, row: { ok: true, result: v } };
    } else if (isErrorRowShape(v)) {
      refused++;
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
  let problem: string | null = null;
  if (trailer === null) problem = "it has no end-of-results trailer";
  else if (afterTrailer > 0) problem = `${afterTrailer} row${afterTrailer === 1 ? "" : "s"} after its end-of-results trailer`;
  // A damaged row (unreadable) is still a row: it makes the scored and refused counts moot, not the file cut.
  else if (trailer.rows !== position || (position === scored + refused && (trailer.scored !== scored || trailer.refused !== refused))) {
    problem = `its trailer counts ${trailer.rows} rows (${trailer.scored} scored, ${trailer.refused} refused), but ${position} were read (${scored} scored, ${refused} refused${position - scored - refused > 0 ? `, ${position - scored - refused} unreadable` : ""})`;
  }
  if (problem === null) return;
  if (!options.allowIncomplete) throw new InputError(incompleteMessage(path, problem));
  options.onIncomplete?.(problem);
}
