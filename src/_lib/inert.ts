/**
 * Text made inert where it is shown: a spreadsheet cell that would run as a formula, Markdown that would
 * become HTML or a heading, a terminal escape that would move the cursor. Record- and file-derived text
 * goes through one of these before it reaches such an output; numbers and the library's own labels need not.
 */

/**
 * The first characters that make a spreadsheet read a cell as a formula (OWASP's CSV injection rule), also
 * after any leading control, invisible format or space characters, which an application may drop before it
 * reads the cell (LibreOffice drops a leading NUL of a CSV field and runs `\u0000=1+1` as `=1+1`).
 */
const FORMULA_START = /^[\p{Cc}\p{Cf}\p{Z}]*[=+\-@\t\r]/u;

/**
 * A text for a spreadsheet cell that no spreadsheet application runs as a formula: one that begins
 * with `=`, `+`, `-`, `@`, a tab or a carriage return — after any leading control, invisible or space
 * characters — gets a leading apostrophe (OWASP's rule, CWE-1236).
 *
 * @param text - the cell's text
 * @returns the text, neutralized when it could start a formula
 * @example
 * spreadsheetText('=HYPERLINK("http://x")'); // "'=HYPERLINK(\"http://x\")"
 * spreadsheetText("\u0000=1+1"); // "'\u0000=1+1"
 * spreadsheetText("社会团体"); // unchanged
 */
export function spreadsheetText(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/**
 * One CSV field: text neutralized as `spreadsheetText`, then quoted when it holds a quote, comma or
 * line break. Numbers and booleans are written as they are (a negative score is a number, not a formula).
 *
 * @param value - the field's value; null and undefined give an empty field
 * @returns the field as it stands between commas
 * @example
 * csvField("=1+1"); // "'=1+1"
 * csvField(-5); // "-5"
 */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return "";
  const text = typeof value === "string" ? spreadsheetText(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

// C0 controls, DEL, C1 controls, line and paragraph separators, the bidirectional overrides and isolates,
// and every other invisible format character (Unicode's Cf: zero-width space, joiners, word joiner and
// invisible operators U+2060–U+2064, the byte-order mark, soft hyphen, interlinear annotations
// U+FFF9–U+FFFB, and the tag characters U+E0000–U+E007F), which can make a terminal or an editor show text
// other than what is there, hide part of it, or shift a table's columns.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\p{Cf}\u{e0000}-\u{e007f}]/gu;

const escapeControl = (ch: string): string => {
  const code = ch.codePointAt(0)!;
  if (code <= 0xff) return `\\x${code.toString(16).padStart(2, "0")}`;
  return code <= 0xffff ? `\\u${code.toString(16).padStart(4, "0")}` : `\\u{${code.toString(16)}}`;
};

/**
 * A text for a terminal line: every control character (escape sequences, line breaks, bidirectional
 * overrides) and invisible format character (zero-width, byte-order mark, soft hyphen, tags) shown escaped
 * as `\xNN`, `\uNNNN` or `\u{NNNNN}`, so that a name cannot clear the screen, move the cursor, print a
 * line of its own, hide text or shift a table's columns.
 *
 * @param text - text read from a record, a file or a file name
 * @returns the same text with its control characters visible
 * @example
 * terminalText("name\u001b[2J"); // "name\\x1b[2J"
 */
export function terminalText(text: string): string {
  return text.replace(CONTROL, escapeControl);
}

/**
 * A text for Markdown, shown as the same characters: HTML is escaped as entities, Markdown's
 * punctuation is backslash-escaped (no link, emphasis, heading, table cell or code span can start; a colon
 * is escaped unless a space follows it, as in `name: …`, so that no `javascript:` or `http://` link forms;
 * every `@` and the `.` after `www`, so that no extended autolink of GitHub-flavoured Markdown forms from
 * `admin@evil.cn` or `www.evil.cn`: a www autolink needs the literal `www.`, an email one an `@` in its text), and
 * control characters are shown escaped as `terminalText` does (so no line break can start a heading).
 *
 * @param text - text read from a record or a file
 * @returns Markdown that renders as that text
 * @example
 * markdownText("<img src=x onerror=alert(1)>"); // "&lt;img src=x onerror=alert(1)&gt;"
 * markdownText("# heading"); // "\\# heading"
 */
export function markdownText(text: string): string {
  return terminalText(text)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/[\\`*_[\]#|~!@]|:(?!\s|$)|(?<=www)\./gi, (ch) => `\\${ch}`);
}

/**
 * A text for HTML, as element content or a quoted attribute value.
 *
 * @param text - any text
 * @returns the text with `& < > " '` as entities
 * @example
 * htmlText('<b title="x">'); // "&lt;b title=&quot;x&quot;&gt;"
 */
export function htmlText(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}
