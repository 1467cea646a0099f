import { createReadStream } from "node:fs";

/** One line of a text file: its text, or `tooLong` when it exceeded the limit (its text is dropped). */
export type Line = { lineNo: number; text: string; tooLong: false } | { lineNo: number; text: null; tooLong: true };

const NEWLINE = 0x0a;
const decoder = new TextDecoder("utf-8");

function decodeLine(parts: Buffer[], lineNo: number): string {
  let text = decoder.decode(Buffer.concat(parts));
  if (text.endsWith("\r")) text = text.slice(0, -1);
  // A byte-order mark some editors write would make the first line unreadable as JSON.
  return lineNo === 1 && text.startsWith("\uFEFF") ? text.slice(1) : text;
}

/**
 * Reads a UTF-8 file line by line, streamed, holding at most `maxLineBytes` of one line: a longer line
 * is skipped to its end and reported as `tooLong`, so that a file without newlines cannot exhaust memory.
 * Splitting on the byte 0x0A is safe in UTF-8, where no multi-byte character contains it.
 *
 * @param path - the file
 * @param maxLineBytes - the longest line kept, in bytes (without its line break)
 * @returns the lines in order, numbered from 1, the last one without a line break included
 * @example
 * for await (const line of boundedLines("register.ndjson", 16 * 1024 * 1024)) if (!line.tooLong) JSON.parse(line.text);
 */
export async function* boundedLines(path: string, maxLineBytes: number): AsyncGenerator<Line> {
  let parts: Buffer[] = [];
  let size = 0;
  let tooLong = false;
  let lineNo = 0;
  const finish = (): Line => {
    lineNo++;
    const line: Line = tooLong ? { lineNo, text: null, tooLong: true } : { lineNo, text: decodeLine(parts, lineNo), tooLong: false };
    parts = [];
    size = 0;
    tooLong = false;
    return line;
  };
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    let start = 0;
    while (start < chunk.length) {
      const end = chunk.indexOf(NEWLINE, start);
      const piece = chunk.subarray(start, end < 0 ? chunk.length : end);
      if (!tooLong) {
        size += piece.length;
        if (size > maxLineBytes) {
          tooLong = true;
          parts = [];
        } else parts.push(Buffer.from(piece));
      }
      if (end < 0) break;
      yield finish();
      start = end + 1;
    }
  }
  if (size > 0 || tooLong || parts.length > 0) yield finish();
}
