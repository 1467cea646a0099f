/**
 * Takes an entry apart: an envelope is `{ asOf, record, ... }` (fixture files are envelopes); anything
 * else is a bare record. Shared by the CLI's readers and the batch workers that parse rows themselves.
 *
 * @param value - a parsed entry
 * @returns the record, and the envelope's own asOf (null for a bare record or an envelope without one)
 * @example
 * unwrap({ asOf: "2023-05-31", record: { id: "…" } }); // { record: { id: "…" }, asOf: "2023-05-31" }
 */
export function unwrap(value: unknown): { record: unknown; asOf: string | null } {
  if (value !== null && typeof value === "object" && !Array.isArray(value) && "record" in value && !("id" in value)) {
    const env = value as { record: unknown; asOf?: unknown };
    return { record: env.record, asOf: typeof env.asOf === "string" ? env.asOf : null };
  }
  return { record: value, asOf: null };
}
