import { createReadStream } from "node:fs";
import { basename } from "node:path";
import { byteOrderMark, decodeLine } from "../_lib/line-text.js";
import { InputError } from "./input-error.js";
import { openRegularFile } from "./readers/files.js";

export { decodeLine, isBlankLine } from "../_lib/line-text.js";

/** One line of a text file: its text, or `tooLong` when it exceeded the limit (its text is dropped). */
export type Line = { lineNo: number; text: string; tooLong: false } | { lineNo: number; text: null; tooLong: true };

/** One line of a text file as its raw UTF-8 bytes (without the line feed), or `tooLong`; `offset` is the byte where it starts in the file. */
export type LineBytes = { lineNo: number; offset: number; bytes: Uint8Array; tooLong: false } | { lineNo: number; offset: number; bytes: null; tooLong: true };

const NEWLINE = 0x0a;
/** Bytes read at a time: large enough that few lines straddle two reads. */
const READ_BYTES = 1 << 20;
/**
 * Reads a UTF-8 file as lines of bytes, streamed, in batches (the lines completed by one read), holding at
 * most `maxLineBytes` of one line: a longer line is skipped to its end and reported as `tooLong`, so that a
 * file without newlines cannot exhaust memory. Splitting on the byte 0x0A is safe in UTF-8, where no
 * multi-byte character contains it. A line inside one read is a view of the read's buffer, not a copy.
 * Only a regular file is read (InputError otherwise). A file that starts with a UTF-16 byte-order mark is
 * decoded (strictly: a lone surrogate is an InputError naming the byte) and read as its UTF-8 text; the
 * offsets then count bytes of that text.
 *
 * @param path - the file
 * @param maxLineBytes - the longest line kept, in bytes (without its line feed)
 * @returns batches of lines in order, numbered from 1, the last one without a line feed included
 */
export async function* boundedLineBatches(path: string, maxLineBytes: number): AsyncGenerator<LineBytes[]> {
  let parts: Uint8Array[] = [];
  let size = 0;
  let tooLong = false;
  let lineNo = 0;
  // Where the current line starts in the file, and where the current read starts.
  let lineStart = 0;
  let base = 0;
  const finish = (last: Uint8Array, next: number): LineBytes => {
    lineNo++;
    let line: LineBytes;
    const offset = lineStart;
    if (tooLong || size + last.length > maxLineBytes) line = { lineNo, offset, bytes: null, tooLong: true };
    else line = { lineNo, offset, bytes: parts.length === 0 ? last : Buffer.concat([...parts, last]), tooLong: false };
    lineStart = next;
    parts = [];
    size = 0;
    tooLong = false;
    return line;
  };
  const { fd } = openRegularFile(path);
  for await (const chunk of utf8Chunks(path, createReadStream("", { fd, highWaterMark: READ_BYTES }) as AsyncIterable<Buffer>)) {
    const batch: LineBytes[] = [];
    let start = 0;
    for (let end = chunk.indexOf(NEWLINE, start); end >= 0; end = chunk.indexOf(NEWLINE, start)) {
      batch.push(finish(chunk.subarray(start, end), base + end + 1));
      start = end + 1;
    }
    base += chunk.length;
    if (start < chunk.length && !tooLong) {
      // The start of a line that goes on in the next read: kept as a copy, so this read's buffer can go.
      const piece = chunk.subarray(start);
      size += piece.length;
      if (size > maxLineBytes) {
        tooLong = true;
        parts = [];
      } else parts.push(Buffer.from(piece));
    }
    if (batch.length > 0) yield batch;
  }
  if (size > 0 || tooLong) yield [finish(new Uint8Array(0), base)];
}

/**
 * The chunks of a file as UTF-8: as they are, unless the file starts with a UTF-16 byte-order mark, in
 * which case they are decoded (fatal on a lone surrogate) and encoded again as UTF-8.
 */
async function* utf8Chunks(path: string, chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let decoder: TextDecoder | null = null;
  let first = true;
  let read = 0;
  for await (const chunk of chunks) {
    if (first) {
      first = false;
      const bom = byteOrderMark(chunk);
      if (bom !== null && bom.encoding !== "utf-8") decoder = new TextDecoder(bom.encoding, { fatal: true, ignoreBOM: false });
    }
    if (decoder === null) {
      yield chunk;
      continue;
    }
    try {
      yield Buffer.from(decoder.decode(chunk, { stream: true }), "utf8");
    } catch {
      throw new InputError(`${basename(path)}: not valid ${decoder.encoding.toUpperCase()} in the ${READ_BYTES}-byte block from byte ${read} (a lone surrogate or a cut last character)`);
    }
    read += chunk.length;
  }
  if (decoder !== null) {
    try {
      const rest = decoder.decode();
      if (rest.length > 0) yield Buffer.from(rest, "utf8");
    } catch {
      throw new InputError(`${basename(path)}: not valid ${decoder.encoding.toUpperCase()}: the file ends inside a character`);
    }
  }
}

/**
 * Reads a UTF-8 file line by line, streamed and bounded as `boundedLineBatches`, each line decoded.
 *
 * @param path - the file
 * @param maxLineBytes - the longest line kept, in bytes (without its line feed)
 * @returns the lines in order, numbered from 1, the last one without a line feed included
 * @example
 * for await (const line of boundedLines("register.ndjson", 16 * 1024 * 1024)) if (!line.tooLong) JSON.parse(line.text);
 */
export async function* boundedLines(path: string, maxLineBytes: number): AsyncGenerator<Line> {
  for await (const batch of boundedLineBatches(path, maxLineBytes)) {
    for (const { lineNo, bytes } of batch) yield bytes === null ? { lineNo, text: null, tooLong: true } : { lineNo, text: decodeLine(bytes), tooLong: false };
  }
}
