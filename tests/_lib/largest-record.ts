import { RECORD_LIMITS } from "../../src/record/schema.js";

/**
 * The largest record the schema allows, near every documented limit: a name of RECORD_LIMITS.maxNameLength
 * characters and RECORD_LIMITS.maxEntries entries in every repeated part (annual inspections: one per year
 * of the 300 accepted), every entry dated within the windows the rules count, so that its result is as large
 * as a result gets.
 *
 * @param base - a valid record to fill
 * @param asOf - its evaluation date (YYYY-MM-DD)
 */
export function largestRecord(base: Record<string, unknown>, asOf: string): Record<string, unknown> {
  const n = RECORD_LIMITS.maxEntries;
  const year = Number(asOf.slice(0, 4));
  // Distinct days of the year before asOf, so that entries are recent and sort by date.
  const day = (i: number) => {
    const d = new Date(Date.UTC(year - 1, 0, 1) + (i % 300) * 86_400_000);
    return d.toISOString().slice(0, 10);
  };
  const many = <T>(make: (i: number) => T) => Array.from({ length: n }, (_, i) => make(i));
  return {
    ...base,
    name: "大".repeat(RECORD_LIMITS.maxNameLength),
    registeredOn: "1900-01-01",
    annualInspections: Array.from({ length: 300 }, (_, i) => ({ year: 1900 + i, result: "pass" })),
    activities: many((i) => ({ on: day(i), kind: "service" })),
    governmentProjects: many((i) => ({ endedOn: day(i), outcome: "completed" })),
    complaints: many((i) => ({ on: day(i), verified: true })),
    penalties: many((i) => ({ on: day(i), kind: "fine", amountYuan: 1000 + i })),
    rectificationNotices: many((i) => ({ issuedOn: day(i), dueOn: day(i), completedOn: null })),
    violations: many((i) => ({ on: day(i), kind: "beyond_scope" })),
    listings: many((i) => ({ list: "abnormal", cause: "annual_report_not_filed", listedOn: day(i), removedOn: day(i) })),
    honours: many((i) => ({ on: day(i), kind: "credit_pledge_kept" })),
  };
}
