/** The text of one line of NDJSON, shared by the CLI's reader and the batch workers it sends raw lines to. */

const decoder = new TextDecoder("utf-8");

/**
 * The text of a line's bytes: UTF-8 decoded (an invalid sequence becomes U+FFFD), a leading byte-order mark
 * dropped (some editors write one; TextDecoder drops it, on whichever line it stands) and a final carriage
 * return removed (CRLF files). The batch workers decode the lines they are sent with this same function.
 *
 * @param bytes - the line, without its line feed
 * @returns its text
 */
export function decodeLine(bytes: Uint8Array): string {
  const text = decoder.decode(bytes);
  return text.endsWith("\r") ? text.slice(0, -1) : text;
}

/**
 * Whether a line holds nothing but white space (`String#trim` would leave nothing), read from its bytes:
 * a line of ASCII is judged without decoding it.
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
    return b < 0x80 ? false : decodeLine(bytes).trim() === "";
  }
  return true;
}
