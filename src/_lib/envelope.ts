/**
 * Takes an entry apart: an envelope is `{ asOf, record, ... }` (fixture files are envelopes); anything
 * else is a bare record. Shared by the CLI's readers and the batch workers that parse rows themselves.
 *
 * @param value - a parsed entry
 * @returns the record; the envelope's own asOf (null for a bare record or an envelope without one); and,
 *   for an envelope whose asOf is there but not a string, what is wrong with it (`asOfProblem`)
 * @example
 * unwrap({ asOf: "2023-05-31", record: { id: "…" } }); // { record: { id: "…" }, asOf: "2023-05-31", asOfProblem: null }
 * unwrap({ asOf: 20230531, record: {} }).asOfProblem; // "asOf must be a date string YYYY-MM-DD, found the number 20230531"
 */
export function unwrap(value: unknown): { record: unknown; asOf: string | null; asOfProblem: string | null } {
  if (value !== null && typeof value === "object" && !Array.isArray(value) && "record" in value && !("id" in value)) {
    const env = value as { record: unknown; asOf?: unknown };
    if (typeof env.asOf === "string") return { record: env.record, asOf: env.asOf, asOfProblem: null };
    const problem = "asOf" in env ? `asOf must be a date string YYYY-MM-DD, found ${describeAsOf(env.asOf)}` : null;
    return { record: env.record, asOf: null, asOfProblem: problem };
  }
  return { record: value, asOf: null, asOfProblem: null };
}

function describeAsOf(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (typeof v === "number" || typeof v === "boolean") return `the ${typeof v} ${String(v)}`;
  if (Array.isArray(v)) return "an array";
  return `a ${typeof v === "object" ? "JSON object" : typeof v}`;
}
