import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { compareStrings } from "../_lib/canonical.js";

/** One input row: where it came from, its raw record, and its own asOf when it came in an envelope. */
export interface InputRow {
  /** 0-based position over the whole input. */
  index: number;
  /** File name and, for arrays and NDJSON, the position inside it: `orgs.json#3`, `orgs.ndjson:12`. */
  source: string;
  record: unknown;
  asOf: string | null;
  /** Set when the row could not even be read as JSON. */
  readError: string | null;
}

/** Largest input file read whole; larger inputs belong in NDJSON. */
export const MAX_INPUT_BYTES = 512 * 1024 * 1024;

// An envelope is `{ asOf, record, ... }` (fixture files are envelopes); anything else is a bare record.
function unwrap(value: unknown): { record: unknown; asOf: string | null } {
  if (value !== null && typeof value === "object" && !Array.isArray(value) && "record" in value && !("id" in value)) {
    const env = value as { record: unknown; asOf?: unknown };
    return { record: env.record, asOf: typeof env.asOf === "string" ? env.asOf : null };
  }
  return { record: value, asOf: null };
}

function rowsOfFile(path: string, start: number): InputRow[] {
  const name = basename(path);
  const size = statSync(path).size;
  if (size > MAX_INPUT_BYTES) throw new Error(`${path} is larger than ${MAX_INPUT_BYTES} bytes; split it or use NDJSON`);
  const text = readFileSync(path, "utf8");
  if (path.endsWith(".ndjson") || path.endsWith(".jsonl")) {
    const rows: InputRow[] = [];
    text.split("\n").forEach((line, i) => {
      if (line.trim() === "") return;
      const source = `${name}:${i + 1}`;
      try {
        rows.push({ index: start + rows.length, source, ...unwrap(JSON.parse(line)), readError: null });
      } catch (error) {
        rows.push({ index: start + rows.length, source, record: line, asOf: null, readError: `line ${i + 1} is not JSON: ${(error as Error).message}` });
      }
    });
    return rows;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return [{ index: start, source: name, record: null, asOf: null, readError: `not a JSON file: ${(error as Error).message}` }];
  }
  if (Array.isArray(value)) {
    return value.map((v, i) => ({ index: start + i, source: `${name}#${i}`, ...unwrap(v), readError: null }));
  }
  return [{ index: start, source: name, ...unwrap(value), readError: null }];
}

/**
 * Reads the rows of an input: a JSON file (one record, an envelope, or an array of them), an NDJSON
 * file (`.ndjson`/`.jsonl`, one per line), or a folder of such files read in name order.
 *
 * @param path - file or folder
 * @returns every row, including those that could not be read (with `readError`)
 */
export function readInput(path: string): InputRow[] {
  if (!statSync(path).isDirectory()) return rowsOfFile(path, 0);
  const files = readdirSync(path)
    .filter((n) => /\.(json|ndjson|jsonl)$/.test(n))
    .sort(compareStrings);
  const rows: InputRow[] = [];
  for (const f of files) rows.push(...rowsOfFile(join(path, f), rows.length));
  return rows;
}
