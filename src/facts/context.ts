import { compareStrings, canonicalJson } from "../_lib/canonical.js";
import { isWithin, plusSpan, yearOf, type IsoDate } from "../_lib/dates.js";
import type { OrganizationRecord } from "../record/schema.js";

/** A plain value a fact can take: what json-rules-engine conditions compare. */
export type FactValue = string | number | boolean | null | FactValue[] | { [key: string]: FactValue };

/** One entry of a repeated part of the record, with the fields derived from asOf. */
export type Entry = Record<string, string | number | boolean | null>;

/** The result of an inspection year as the scheme sees it: an exempt year has no inspection. */
export type DueInspection = "pass" | "basic_pass" | "fail" | "not_filed" | "exempt";

/** What the outcome rules (measures and list actions) see of the scoring stage. */
export interface ScoringOutcome {
  score: number;
  scoreLevel: string;
  grade: string;
  /** Ids of every cap, veto and abnormal cause that holds, and of the gate when it holds. */
  held: string[];
}

/** Everything the facts are computed from: the record seen on asOf. Built once per evaluation. */
export interface FactContext {
  readonly record: OrganizationRecord;
  readonly asOf: IsoDate;
  /** The year whose inspection is the latest one due on asOf (31 May rule). */
  readonly latestDueYear: number;
  /** Entries dated on or before asOf, in one canonical order, by collection name. */
  readonly collections: Readonly<Record<string, readonly Entry[]>>;
  /** Set after the scoring stage, for the outcome rules. */
  outcome: ScoringOutcome | null;
  /** Memo of computed fact values, indexed by the slot of each fact name and canonical params (src/facts/catalogue.ts). */
  readonly memo: Array<FactValue | undefined>;
}

/**
 * The latest inspection year due on asOf: inspections for year Y are due on 31 May of Y+1.
 *
 * @param asOf - the evaluation date
 * @returns `year(asOf) - 1` from 31 May on, else `year(asOf) - 2`
 * @example
 * latestDueInspectionYear("2023-05-31"); // 2022
 * latestDueInspectionYear("2023-05-30"); // 2021
 */
export function latestDueInspectionYear(asOf: IsoDate): number {
  const year = yearOf(asOf);
  return asOf.slice(5) >= "05-31" ? year - 1 : year - 2;
}

/**
 * Tells whether a year's inspection is required: the organization was registered on or before 30 June of it.
 *
 * @param registeredOn - the registration date
 * @param year - the inspection year
 * @returns true when required, false when the year is exempt
 * @example
 * isInspectionRequired("2016-06-30", 2016); // true
 * isInspectionRequired("2016-07-01", 2016); // false
 */
export function isInspectionRequired(registeredOn: IsoDate, year: number): boolean {
  return registeredOn <= `${String(year).padStart(4, "0")}-06-30`;
}

/**
 * The inspection of a year as the scheme sees it: `exempt` for a year not required (its entry ignored),
 * the entry's result for a required year, `not_filed` for a required year without entry.
 */
export function inspectionOf(record: OrganizationRecord, year: number): DueInspection {
  if (!isInspectionRequired(record.registeredOn, year)) return "exempt";
  return record.annualInspections.find((e) => e.year === year)?.result ?? "not_filed";
}

/** The evaluation grade valid on asOf, or "none"; with the dates that decide it. */
export function validEvaluation(record: OrganizationRecord, asOf: IsoDate): { grade: string; awardedOn: IsoDate | null; expiresOn: IsoDate | null } {
  const e = record.evaluation;
  if (!e) return { grade: "none", awardedOn: null, expiresOn: null };
  // MCA-39 art. 28: five years, the day clamped to the month's end.
  const expiresOn = e.expiresOn ?? plusSpan(e.awardedOn, { years: 5 });
  const valid = e.awardedOn <= asOf && asOf < expiresOn;
  return { grade: valid ? e.grade : "none", awardedOn: e.awardedOn, expiresOn };
}

function byDateThenContent(dateField: string) {
  return (a: Entry, b: Entry) =>
    compareStrings(String(a[dateField]), String(b[dateField])) || compareStrings(canonicalJson(a), canonicalJson(b));
}

function keep<T extends Record<string, unknown>>(list: readonly T[], dateField: keyof T & string, asOf: IsoDate): T[] {
  return list.filter((e) => (e[dateField] as string) <= asOf);
}

/**
 * Builds the fact context of a record seen on asOf. Entries dated after asOf are dropped; a removal or
 * completion dated after asOf has not happened yet, so it reads as null.
 *
 * @param record - a validated organization record
 * @param asOf - the evaluation date
 * @returns the context every fact is computed from
 * @example
 * const ctx = createFactContext(record, "2023-05-31");
 */
export function createFactContext(record: OrganizationRecord, asOf: IsoDate): FactContext {
  const notLater = (d: IsoDate | null) => (d !== null && d <= asOf ? d : null);

  const listings = keep(record.listings, "listedOn", asOf).map((l) => ({ ...l, removedOn: notLater(l.removedOn) }));
  const latestAbnormalListedOn = listings
    .filter((l) => l.list === "abnormal")
    .reduce<IsoDate | null>((latest, l) => (latest === null || l.listedOn > latest ? l.listedOn : latest), null);
  const penalties = keep(record.penalties, "on", asOf);

  const collections: Record<string, Entry[]> = {
    activities: keep(record.activities, "on", asOf).map((e) => ({ ...e })),
    governmentProjects: keep(record.governmentProjects, "endedOn", asOf).map((e) => ({ ...e })),
    complaints: keep(record.complaints, "on", asOf).map((e) => ({ ...e })),
    penalties: penalties.map((p) => ({
      ...p,
      afterLatestAbnormalListing: latestAbnormalListedOn === null || p.on > latestAbnormalListedOn,
    })),
    rectificationNotices: keep(record.rectificationNotices, "issuedOn", asOf).map((n) => {
      const completedOn = notLater(n.completedOn);
      return {
        ...n,
        completedOn,
        overdueAtDue: n.dueOn < asOf && !(completedOn !== null && completedOn <= n.dueOn),
        overdueNow: n.dueOn < asOf && completedOn === null,
      };
    }),
    violations: keep(record.violations, "on", asOf).map((e) => ({ ...e })),
    listings: listings.map((l) => ({
      ...l,
      current: l.removedOn === null,
      penaltyAfterListing: penalties.some((p) => p.on > l.listedOn),
    })),
    honours: keep(record.honours, "on", asOf).map((e) => ({ ...e })),
  };
  for (const [name, list] of Object.entries(collections)) {
    list.sort(byDateThenContent(COLLECTION_DATE_FIELDS[name]![0]!));
  }
  return { record, asOf, latestDueYear: latestDueInspectionYear(asOf), collections, outcome: null, memo: [] };
}

/** The date fields of each collection, the first being the one that dates the entry. */
export const COLLECTION_DATE_FIELDS: Readonly<Record<string, readonly string[]>> = {
  activities: ["on"],
  governmentProjects: ["endedOn"],
  complaints: ["on"],
  penalties: ["on"],
  rectificationNotices: ["issuedOn", "dueOn", "completedOn"],
  violations: ["on"],
  listings: ["listedOn", "removedOn"],
  honours: ["on"],
};

/** The fields a selector's `where` may test in each collection, with their type. */
export const COLLECTION_FIELDS: Readonly<Record<string, Readonly<Record<string, "string" | "number" | "boolean">>>> = {
  activities: { kind: "string" },
  governmentProjects: { outcome: "string" },
  complaints: { verified: "boolean" },
  penalties: { kind: "string", amountYuan: "number", afterLatestAbnormalListing: "boolean" },
  rectificationNotices: { overdueAtDue: "boolean", overdueNow: "boolean" },
  violations: { kind: "string" },
  listings: { list: "string", cause: "string", current: "boolean", penaltyAfterListing: "boolean" },
  honours: { kind: "string" },
};

export { isWithin };
