import { createReadStream } from "node:fs";
import { decodeLine } from "../_lib/line-text.js";

export { decodeLine, isBlankLine } from "../_lib/line-text.js";

/** One line of a text file: its text, or `tooLong` when it exceeded the limit (its text is dropped). */
export type Line = { lineNo: number; text: string; tooLong: false } | { lineNo: number; text: null; tooLong: true };

/** One line of a text file as its raw UTF-8 bytes (without the line feed), or `tooLong`. */
export type LineBytes = { lineNo: number; bytes: Uint8Array; tooLong: false } | { lineNo: number; bytes: null; tooLong: true };

const NEWLINE = 0x0a;
/** Bytes read at a time: large enough that few lines straddle two reads. */
const READ_BYTES = 1 << 20;
/**
 * Reads a UTF-8 file as lines of bytes, streamed, in batches (the lines completed by one read), holding at
 * most `maxLineBytes` of one line: a longer line is skipped to its end and reported as `tooLong`, so that a
 * file without newlines cannot exhaust memory. Splitting on the byte 0x0A is safe in UTF-8, where no
 * multi-byte character contains it. A line inside one read is a view of the read's buffer, not a copy.
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
  const finish = (last: Uint8Array): LineBytes => {
    lineNo++;
    let line: LineBytes;
    if (tooLong || size + last.length > maxLineBytes) line = { lineNo, bytes: null, tooLong: true };
    else line = { lineNo, bytes: parts.length === 0 ? last : Buffer.concat([...parts, last]), tooLong: false };
    parts = [];
    size = 0;
    tooLong = false;
    return line;
  };
  for await (const chunk of createReadStream(path, { highWaterMark: READ_BYTES }) as AsyncIterable<Buffer>) {
    const batch: LineBytes[] = [];
    let start = 0;
    for (let end = chunk.indexOf(NEWLINE, start); end >= 0; end = chunk.indexOf(NEWLINE, start)) {
      batch.push(finish(chunk.subarray(start, end)));
      start = end + 1;
    }
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
  if (size > 0 || tooLong) yield [finish(new Uint8Array(0))];
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
