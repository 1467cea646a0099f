import { readdirSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { compareStrings } from "../_lib/canonical.js";
import { InputError } from "./input-error.js";
import type { RecordIssue } from "../errors.js";
import { csvFolderReader, xlsxReader } from "./readers/spreadsheet.js";
import { decodeLine, decodeText, InvalidTextError, isBlankLine, type TextEncoding } from "../_lib/line-text.js";
import { kindOf, readRegularFile } from "./readers/files.js";
import { boundedLineBatches } from "./lines.js";
import { unwrap } from "../_lib/envelope.js";
import { parseStrictJson, StrictJsonError } from "../_lib/strict-json.js";

/** One input row: where it came from, its raw record, and its own asOf when it came in an envelope. */
export interface InputRow {
  /** 0-based position over the whole input. */
  index: number;
  /** File name and, for arrays and NDJSON, the position inside it: `orgs.json#3`, `orgs.ndjson:12`. */
  source: string;
  record: unknown;
  asOf: string | null;
  /** Set for an envelope whose asOf is there but not a string (`asOf must be a date string …, found the number 20230531`). */
  asOfProblem?: string | null;
  /** Set when the row could not even be read (not JSON, a bad cell); the row still comes back, as an error row. */
  readError: string | null;
  /** The problems behind `readError`, each naming its place (a spreadsheet cell: sheet, row, column). */
  readIssues?: RecordIssue[];
  /**
   * The row's raw UTF-8 bytes, when it is one line of NDJSON: `record`, `asOf` and `readError` are decoded
   * and parsed from them on first use, so that a consumer that forwards the row (to a worker) sends the
   * bytes as they are, neither decoded nor parsed on this thread.
   */
  bytes?: Uint8Array;
}

/** A kind of input the CLI reads: a file extension or a folder layout. */
export interface InputReader {
  name: string;
  /** Whether this reader takes the path (a file or a folder). */
  accepts(path: string, isDirectory: boolean): boolean;
  /** Yields the rows, numbering them from `start`. */
  read(path: string, start: number, options?: ReadOptions): AsyncIterable<InputRow>;
}

/** How inputs are read. */
export interface ReadOptions {
  /**
   * The encoding of JSON and CSV files without a byte-order mark (UTF-8 by default; `gb18030` for a CSV
   * file saved by Excel on Chinese Windows). A byte-order mark (UTF-8, UTF-16LE/BE) always wins.
   */
  encoding?: TextEncoding;
}

/** Largest JSON file read whole (64 MiB); larger inputs belong in NDJSON, which is streamed. */
export const MAX_JSON_BYTES = 64 * 1024 * 1024;

/** Longest NDJSON line read (16 MiB, well above a record at the schema's limits); a longer line becomes an error row. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

// An envelope is `{ asOf, record, ... }` (fixture files are envelopes); anything else is a bare record.
export { unwrap };

const jsonReader: InputReader = {
  name: "json",
  accepts: (path, dir) => !dir && /\.json$/i.test(path),
  async *read(path, start, options) {
    const name = basename(path);
    const bytes = readRegularFile(path, MAX_JSON_BYTES);
    if (bytes === null) {
      yield { index: start, source: name, record: null, asOf: null, readError: `larger than ${MAX_JSON_BYTES} bytes; use NDJSON, which is streamed` };
      return;
    }
    let text: string;
    try {
      text = decodeText(bytes, options?.encoding).text;
    } catch (error) {
      if (!(error instanceof InvalidTextError)) throw error;
      throw new InputError(`${name}: ${error.message}; save it as UTF-8 (or give --encoding) 文件编码无效`);
    }
    let value: unknown;
    try {
      value = parseStrictJson(text);
    } catch (error) {
      const why = error instanceof StrictJsonError ? `not strict JSON, nothing in it is read: ${error.message}` : `not a JSON file: ${(error as Error).message}`;
      yield { index: start, source: name, record: null, asOf: null, readError: why };
      return;
    }
    if (!Array.isArray(value)) {
      yield { index: start, source: name, ...unwrap(value), readError: null };
      return;
    }
    for (const [i, v] of value.entries()) yield { index: start + i, source: `${name}#${i}`, ...unwrap(v), readError: null };
  },
};

const ndjsonReader: InputReader = {
  name: "ndjson",
  accepts: (path, dir) => !dir && /\.(ndjson|jsonl)$/i.test(path),
  async *read(path, start) {
    const name = basename(path);
    let index = start;
    for await (const batch of boundedLineBatches(path, MAX_LINE_BYTES)) {
      for (const { lineNo, offset, bytes } of batch) {
        if (bytes === null) {
          yield { index: index++, source: `${name}:${lineNo}`, record: null, asOf: null, readError: `line ${lineNo} is longer than ${MAX_LINE_BYTES} bytes` };
          continue;
        }
        if (isBlankLine(bytes)) continue;
        yield new LineRow(index++, name, bytes, lineNo, offset);
      }
    }
  },
};

/**
 * The row of one NDJSON line, decoded and parsed when first read (a row forwarded to a worker never is here).
 * A class, so that its getters are shared rather than made for each of a million rows.
 */
class LineRow implements InputRow {
  private read: Pick<InputRow, "record" | "asOf" | "asOfProblem" | "readError"> | undefined;

  constructor(
    readonly index: number,
    private readonly name: string,
    readonly bytes: Uint8Array,
    private readonly lineNo: number,
    private readonly offset: number,
  ) {}

  private parsed(): Pick<InputRow, "record" | "asOf" | "asOfProblem" | "readError"> {
    if (this.read) return this.read;
    try {
      this.read = { ...unwrap(parseStrictJson(decodeLine(this.bytes))), readError: null };
    } catch (error) {
      const why =
        error instanceof InvalidTextError
          ? `line ${this.lineNo} is not valid UTF-8 at byte ${error.byteOffset} of the line (byte ${this.offset + error.byteOffset} of the file); nothing on it is read 该行不是有效的 UTF-8`
          : error instanceof StrictJsonError
            ? `line ${this.lineNo} is not strict JSON: ${error.message}; nothing on it is read`
            : `line ${this.lineNo} is not JSON: ${(error as Error).message}`;
      this.read = { record: null, asOf: null, asOfProblem: null, readError: why };
    }
    return this.read;
  }

  get asOfProblem(): string | null {
    return this.parsed().asOfProblem ?? null;
  }

  get source(): string {
    return `${this.name}:${this.lineNo}`;
  }

  get record(): unknown {
    return this.parsed().record;
  }

  get asOf(): string | null {
    return this.parsed().asOf;
  }

  get readError(): string | null {
    return this.parsed().readError;
  }
}

/** The readers tried in order; the first that accepts a path reads it. */
export const INPUT_READERS: InputReader[] = [jsonReader, ndjsonReader, xlsxReader, csvFolderReader];

function readerFor(path: string, isDirectory: boolean): InputReader | undefined {
  return INPUT_READERS.find((r) => r.accepts(path, isDirectory));
}

/**
 * Reads the rows of an input: a JSON file (one record, an envelope, or an array of them), an NDJSON
 * file (`.ndjson`/`.jsonl`, streamed line by line), another registered kind, or a folder of such files
 * read in name order.
 *
 * @param path - file or folder
 * @returns every row, including those that could not be read (with `readError`)
 */
export async function* readRows(path: string, options: ReadOptions = {}): AsyncGenerator<InputRow> {
  const stat = statSync(path);
  const isDirectory = stat.isDirectory();
  if (!isDirectory && !stat.isFile()) throw new InputError(`${basename(path)}: ${kindOf(stat)}, not a regular file; only regular files are read 只读取普通文件`);
  const own = readerFor(path, isDirectory);
  if (own) {
    yield* own.read(path, 0, options);
    return;
  }
  if (!isDirectory) throw new InputError(`${path}: not a kind of input this command reads (JSON, NDJSON${INPUT_READERS.length > 2 ? `, ${INPUT_READERS.slice(2).map((r) => r.name).join(", ")}` : ""})`);
  // Every entry of the folder is read, or the folder is refused naming those that would not be: a file of
  // another kind or a subfolder is never left out without a word. Hidden entries (a name starting with
  // ".", as the CLI's own temporary outputs `.name.<random>.tmp`) are skipped. An empty folder is zero
  // rows (nothing is left out), told as such by the summary.
  const entries: Array<{ file: string; full: string; reader: InputReader }> = [];
  const strays: string[] = [];
  for (const file of readdirSync(path).sort(compareStrings)) {
    if (file.startsWith(".")) continue;
    const full = join(path, file);
    const entry = statSync(full);
    const reader = entry.isDirectory() ? undefined : readerFor(full, false);
    if (!reader) {
      strays.push(entry.isDirectory() ? `${file}/ (a subfolder)` : file);
      continue;
    }
    if (!entry.isFile()) throw new InputError(`${basename(path)}/${file}: ${kindOf(entry)}, not a regular file; only regular files are read 只读取普通文件`);
    entries.push({ file, full, reader });
  }
  if (strays.length > 0) {
    throw new InputError(
      `${basename(path)}: a folder of inputs holds only .json, .ndjson/.jsonl and .xlsx files, found ${strays.join(", ")}; move ${strays.length > 1 ? "them" : "it"} out 文件夹中有无法读取的条目`,
    );
  }
  let index = 0;
  for (const { full, reader } of entries) {
    for await (const row of reader.read(full, index, options)) {
      index = row.index + 1;
      yield row;
    }
  }
}
