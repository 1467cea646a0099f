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
  /** Refuse a second result for one credit code, naming both rows (report, diff: one result per organization). */
  refuseRepeatedCodes?: boolean;
}

/**
 * The trailer `score` writes last (see EndOfResults in output.ts), or null for anything else. A trailer
 * whose counts are not three whole numbers comes back `malformed`, with what it holds.
 */
function trailerOf(v: unknown): { rows: number; scored: number; refused: number; malformed: string | null } | null {
  if (!isObject(v) || Object.keys(v).length !== 1 || !isObject(v.endOfResults)) return null;
  const t = v.endOfResults;
  const isCount = (n: unknown): n is number => typeof n === "number" && Number.isInteger(n) && n >= 0;
  const wrong = (["rows", "scored", "refused"] as const).filter((k) => !isCount(t[k]));
  const extra = Object.keys(t).filter((k) => k !== "rows" && k !== "scored" && k !== "refused");
  const malformed =
    wrong.length > 0 || extra.length > 0
      ? `its end-of-results trailer is malformed: expected {"rows","scored","refused"} as whole numbers of 0 or more; found ${JSON.stringify(t).slice(0, 200)}`
      : null;
  const count = (n: unknown) => (isCount(n) ? n : -1);
  return { rows: count(t.rows), scored: count(t.scored), refused: count(t.refused), malformed };
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
 * `allowIncomplete` is set (then `onIncomplete` is told why). Without `strayRowsUnreadable`, a line that
 * cannot be read makes the file damaged, refused in the same way; and a file holding no result or error
 * row and no trailer is not a results file, refused even with `allowIncomplete`. A trailer whose counts
 * are not whole numbers is malformed. The trailer is not a row.
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
  // Lines that could not be read: a damaged file, refused as an incomplete one unless verify lists them.
  const damaged: string[] = [];
  const firstOf = new Map<string, string>();
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
      if (!options.strayRowsUnreadable) {
        const problem = `${input.source} cannot be read (${input.readError})`;
        if (!options.allowIncomplete) throw new InputError(incompleteMessage(path, `it is damaged: ${problem}`));
        damaged.push(input.source);
      }
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
      if (options.refuseRepeatedCodes) {
        // Two results of one credit code: one would be counted twice or dropped; refused, naming both rows.
        const earlier = firstOf.get(v.organizationId);
        if (earlier !== undefined) {
          throw new InputError(`${input.source}: credit code ${v.organizationId} already has a result at ${earlier}; a results file holds one result per organization 统一社会信用代码重复`);
        }
        firstOf.set(v.organizationId, input.source);
      }
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
  // Nothing in it that score writes: not a results file, cut or whole (--allow-incomplete does not make it
  // one). verify lists its rows as mismatches instead.
  if (trailer === null && scored + refused === 0 && !options.strayRowsUnreadable) {
    throw new InputError(`${terminalText(path)}: not a results file 不是结果文件: expected the results and error rows score writes (json or ndjson) and its end-of-results trailer; found ${position === 0 ? "no rows" : `${position} row${position === 1 ? "" : "s"}, none of them a result or an error row`}`);
  }
  let problem: string | null = null;
  if (trailer === null) problem = "it has no end-of-results trailer";
  else if (trailer.malformed !== null) problem = trailer.malformed;
  else if (afterTrailer > 0) problem = `${afterTrailer} row${afterTrailer === 1 ? "" : "s"} after its end-of-results trailer`;
  // A damaged row (unreadable) is still a row: it makes the scored and refused counts moot, not the file cut.
  else if (trailer.rows !== position || (position === scored + refused && (trailer.scored !== scored || trailer.refused !== refused))) {
    problem = `its trailer counts ${trailer.rows} rows (${trailer.scored} scored, ${trailer.refused} refused), but ${position} were read (${scored} scored, ${refused} refused${position - scored - refused > 0 ? `, ${position - scored - refused} unreadable` : ""})`;
  }
  if (damaged.length > 0) problem = `it is damaged: ${damaged.join(", ")} cannot be read${problem === null ? "" : `; ${problem}`}`;
  if (problem === null) return;
  if (!options.allowIncomplete) throw new InputError(incompleteMessage(path, problem));
  options.onIncomplete?.(problem);
}
