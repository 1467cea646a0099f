/** The text of input bytes: one line of NDJSON (shared by the CLI's reader and its batch workers) or a whole file. */
import { isUtf8 } from "node:buffer";

/** Bytes that are not text in the encoding they were read in; `byteOffset` is where the first bad byte is. */
export class InvalidTextError extends Error {
  override name = "InvalidTextError" as const;
  constructor(
    readonly encoding: string,
    readonly byteOffset: number,
  ) {
    super(`not valid ${encoding} at byte ${byteOffset}`);
  }
}

const decoder = new TextDecoder("utf-8");

/**
 * Where the first byte of an invalid UTF-8 sequence is (the rules of the WHATWG decoder: no overlong
 * forms, no surrogates, nothing above U+10FFFF), or -1 for valid UTF-8. Called only once `isUtf8` has
 * said no, to name the place.
 *
 * @param bytes - the text's bytes
 * @returns the offset, or -1
 * @example
 * invalidUtf8Offset(Buffer.from([0x61, 0xff])); // 1
 */
export function invalidUtf8Offset(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || c < (k === 1 ? lo : 0x80) || c > (k === 1 ? hi : 0xbf)) return i;
    }
    i += need + 1;
  }
  return -1;
}

/**
 * The text of a line's bytes: UTF-8 decoded, a leading byte-order mark dropped (some editors write one;
 * TextDecoder drops it, on whichever line it stands) and a final carriage return removed (CRLF files).
 * Bytes that are not UTF-8 are refused, never turned into U+FFFD: the check is `isUtf8`, which runs at
 * memory speed. The batch workers decode the lines they are sent with this same function.
 *
 * @param bytes - the line, without its line feed
 * @returns its text
 * @throws InvalidTextError naming the offset of the first invalid byte in the line
 */
export function decodeLine(bytes: Uint8Array): string {
  if (!isUtf8(bytes)) throw new InvalidTextError("UTF-8", invalidUtf8Offset(bytes));
  const text = decoder.decode(bytes);
  return text.endsWith("\r") ? text.slice(0, -1) : text;
}

/**
 * Whether a line holds nothing but white space (`String#trim` would leave nothing), read from its bytes:
 * a line of ASCII is judged without decoding it; a line that is not UTF-8 is not blank.
 *
 * @param bytes - the line
 * @returns true for a blank line
 */
export function isBlankLine(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    // Space, tab, line feed, vertical tab, form feed, carriage return: white space to trim.
    if (b === 0x20 || (b >= 0x09 && b <= 0x0d)) continue;
    // Any other ASCII byte is text; a non-ASCII one may be a white space character (U+3000, a BOM): decode.
    return b < 0x80 || !isUtf8(bytes) ? false : decodeLine(bytes).trim() === "";
  }
  return true;
}

/** The encodings a text input may be read in when asked (`--encoding`); UTF-16 is read by its byte-order mark. */
export const TEXT_ENCODINGS = ["utf-8", "gb18030"] as const;
export type TextEncoding = (typeof TEXT_ENCODINGS)[number];

/** The encoding a byte-order mark at the start of a file names, and the mark's length; null without one. */
export function byteOrderMark(bytes: Uint8Array): { encoding: "utf-8" | "utf-16le" | "utf-16be"; length: number } | null {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { encoding: "utf-8", length: 3 };
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { encoding: "utf-16le", length: 2 };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { encoding: "utf-16be", length: 2 };
  return null;
}

/**
 * The text of a whole file: decoded by its byte-order mark (UTF-8, UTF-16LE, UTF-16BE), else in the
 * encoding asked for (UTF-8 by default), the mark dropped. Bytes that are not valid in that encoding are
 * refused, naming the offset of the first bad one; nothing is replaced by U+FFFD.
 *
 * @param bytes - the file's bytes
 * @param encoding - the encoding when there is no byte-order mark
 * @returns the text and the encoding it was read in
 * @throws InvalidTextError
 * @example
 * decodeText(Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d])).text; // "{}"
 */
export function decodeText(bytes: Uint8Array, encoding: TextEncoding = "utf-8"): { text: string; encoding: string } {
  const bom = byteOrderMark(bytes);
  const used = bom?.encoding ?? encoding;
  const body = bom ? bytes.subarray(bom.length) : bytes;
  if (used === "utf-8") {
    if (!isUtf8(body)) throw new InvalidTextError("UTF-8", invalidUtf8Offset(body) + (bom?.length ?? 0));
    return { text: decoder.decode(body), encoding: used };
  }
  try {
    return { text: new TextDecoder(used, { fatal: true, ignoreBOM: true }).decode(body), encoding: used };
  } catch {
    throw new InvalidTextError(used.toUpperCase(), firstInvalidOffset(body, used) + (bom?.length ?? 0));
  }
}

/** The offset of the first byte a fatal decoder stops at, found by halving (only on failure). */
function firstInvalidOffset(bytes: Uint8Array, encoding: string): number {
  const valid = (n: number) => {
    try {
      new TextDecoder(encoding, { fatal: true, ignoreBOM: true }).decode(bytes.subarray(0, n), { stream: true });
      return true;
    } catch {
      return false;
    }
  };
  let lo = 0;
  let hi = bytes.length;
  // The longest prefix that decodes (an incomplete sequence at its end waits, in stream mode) is valid.
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (valid(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
