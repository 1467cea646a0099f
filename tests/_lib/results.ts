// Reading what `score` writes as json or ndjson: its rows, and its end-of-results trailer (the last array
// element or the last line), checked against those rows and left out of them, as report, diff and verify do.

/** The trailer score writes last, for given counts. */
export function endOfResults(scored: number, refused: number): { endOfResults: { rows: number; scored: number; refused: number } } {
  return { endOfResults: { rows: scored + refused, scored, refused } };
}

function withoutTrailer<T>(values: unknown[]): T[] {
  const last = values.at(-1);
  const rows = values.slice(0, -1);
  const refused = rows.filter((r) => r !== null && typeof r === "object" && "error" in r).length;
  const expected = JSON.stringify(endOfResults(rows.length - refused, refused));
  if (JSON.stringify(last) !== expected) throw new Error(`the results end with ${JSON.stringify(last)?.slice(0, 200)}, not the trailer ${expected}`);
  return rows as T[];
}

/**
 * The rows of a json results text (an array), its trailer checked and left out.
 *
 * @param text - what score wrote with --format json
 * @returns the results and error rows, in order
 */
export function jsonResults<T = any>(text: string): T[] {
  const value = JSON.parse(text) as unknown;
  if (!Array.isArray(value)) throw new Error("not a JSON array");
  return withoutTrailer<T>(value);
}

/**
 * The rows of an ndjson results text, its trailer line checked and left out.
 *
 * @param text - what score wrote with --format ndjson
 * @returns the results and error rows, in order
 */
export function ndjsonResults<T = any>(text: string): T[] {
  return withoutTrailer<T>(text.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l) as unknown));
}

/** The lines of an ndjson results text, its trailer line checked and left out. */
export function ndjsonResultLines(text: string): string[] {
  const lines = text.split("\n").filter((l) => l !== "");
  ndjsonResults(text);
  return lines.slice(0, -1);
}
