import { z } from "zod";
import { isIsoDate, MAX_DATE, MIN_DATE } from "../_lib/dates.js";
import { isValidCreditCode } from "./credit-code.js";

/** A real calendar date written `YYYY-MM-DD`. */
export const isoDateSchema = z
  .string()
  .refine(isIsoDate, { message: `a real calendar date YYYY-MM-DD between ${MIN_DATE} and ${MAX_DATE}` });

const creditCodeSchema = z
  .string()
  .refine(isValidCreditCode, { message: "an 18-character unified social credit code with a correct GB 32100-2015 check character" });

export const ORGANIZATION_TYPES = ["social_group", "social_service_agency", "foundation"] as const;
export const PARTY_COVERAGE = ["own", "joint", "instructor", "none"] as const;
export const COMPLETENESS = ["complete", "partial", "none"] as const;
export const INSPECTION_RESULTS = ["pass", "basic_pass", "fail", "not_filed"] as const;
export const ACTIVITY_KINDS = ["service", "public_welfare", "government_project"] as const;
export const PROJECT_OUTCOMES = ["good", "completed", "failed"] as const;
export const GRADES = ["5A", "4A", "3A", "2A", "1A"] as const;
export const PENALTY_KINDS = [
  "warning",
  "fine",
  "suspension",
  "change_registration_revoked",
  "certificate_revoked",
  "registration_revoked",
] as const;
export const VIOLATION_KINDS = ["prohibited_fee", "unauthorised_award", "beyond_scope", "false_report"] as const;
export const LISTS = ["abnormal", "dishonest"] as const;
export const ABNORMAL_CAUSES = [
  "annual_report_not_filed",
  "party_organization_missing",
  "rectification_overdue",
  "penalty",
  "unreachable",
  "other",
] as const;
export const DISHONEST_CAUSES = [
  "abnormal_two_years",
  "fraudulent_change",
  "suspension",
  "large_fine",
  "repeated_penalties",
  "court_defaulter",
  "certificate_revoked",
  "registration_revoked",
  "other",
] as const;
export const HONOUR_KINDS = [
  "national_commendation",
  "provincial_commendation",
  "municipal_commendation",
  "brand_organization",
  "integrity_model",
  "outstanding_project",
  "credit_pledge_kept",
] as const;

/** The earliest and latest inspection years accepted. */
export const MIN_YEAR = 1900;
export const MAX_YEAR = 2199;
/** The largest fine amount accepted, in yuan. */
export const MAX_AMOUNT_YUAN = 1e12;

/**
 * Input size limits, so that a hostile or broken record cannot exhaust memory or time: entries per
 * repeated part (activities, penalties, …) and characters of the name. A record over a limit is refused.
 */
export const RECORD_LIMITS = { maxEntries: 10_000, maxNameLength: 200 } as const;

/**
 * Characters that are letters, numbers, punctuation or symbols yet show nothing: the Hangul fillers and
 * the blank Braille pattern. Spaces, format characters (U+200B, U+FEFF…), controls and marks alone are
 * not letters, numbers, punctuation or symbols, so need no listing.
 */
const BLANK_LOOKING = /[\u115F\u1160\u3164\uFFA0\u2800]/gu;
const VISIBLE = /[\p{L}\p{N}\p{P}\p{S}]/u;

/**
 * Whether a text shows at least one character: not only spaces (U+0020, U+3000…), zero-width or other
 * format characters (U+200B, U+FEFF), controls, combining marks or blank-looking fillers. The record
 * schema and its fast path (fast-parse.ts) both judge a name with it.
 *
 * @param text - a name
 * @returns true when something in it is visible
 * @example
 * hasVisibleCharacter("\u3000\u200B"); // false
 */
export function hasVisibleCharacter(text: string): boolean {
  return VISIBLE.test(text.replace(BLANK_LOOKING, ""));
}

/** The message of a name with nothing visible in it. */
export const INVISIBLE_NAME_MESSAGE = "a name with at least one visible character (not only spaces or invisible characters)";

/** An array of at most `RECORD_LIMITS.maxEntries` entries. */
function entries<T extends z.ZodType>(entry: T) {
  return z.array(entry).max(RECORD_LIMITS.maxEntries);
}

/**
 * The organization record, version 1 (record.md), as a strict zod schema: unknown fields are refused.
 * Cross-field contradictions are checked by `parseOrganizationRecord`, which reports them together with
 * the field problems.
 */
export const organizationRecordSchema = z.strictObject({
  id: creditCodeSchema,
  name: z.string().min(1).max(RECORD_LIMITS.maxNameLength).refine(hasVisibleCharacter, { message: INVISIBLE_NAME_MESSAGE }),
  type: z.enum(ORGANIZATION_TYPES),
  registeredOn: isoDateSchema,
  isTradeAssociation: z.boolean(),
  isCharity: z.boolean(),
  party: z.strictObject({
    charterClause: z.boolean(),
    coverage: z.enum(PARTY_COVERAGE),
    required: z.boolean(),
    activity: z.enum(COMPLETENESS),
    integrityRules: z.enum(COMPLETENESS),
  }),
  annualInspections: entries(
    z.strictObject({
      year: z.number().int().min(MIN_YEAR).max(MAX_YEAR),
      result: z.enum(INSPECTION_RESULTS),
    }),
  ),
  filings: z.strictObject({
    changesOnTime: z.boolean(),
    electionOnSchedule: z.boolean().nullable(),
  }),
  governance: z.strictObject({
    meetings: z.enum(["per_charter", "late", "not_held"]),
    auditOpinion: z.enum(["unqualified", "qualified", "adverse", "none"]),
    financeCompliant: z.boolean(),
    disclosure: z.enum(["full", "partial", "none"]),
  }),
  activities: entries(z.strictObject({ on: isoDateSchema, kind: z.enum(ACTIVITY_KINDS) })),
  governmentProjects: entries(z.strictObject({ endedOn: isoDateSchema, outcome: z.enum(PROJECT_OUTCOMES) })),
  satisfactionPercent: z.number().min(0).max(100).nullable(),
  evaluation: z
    .strictObject({
      grade: z.enum(GRADES),
      awardedOn: isoDateSchema,
      expiresOn: isoDateSchema.nullable(),
    })
    .nullable(),
  supervisorRating: z.enum(["good", "average", "poor"]).nullable(),
  complaints: entries(z.strictObject({ on: isoDateSchema, verified: z.boolean() })),
  penalties: entries(
    z.strictObject({
      on: isoDateSchema,
      kind: z.enum(PENALTY_KINDS),
      amountYuan: z.number().positive().max(MAX_AMOUNT_YUAN).nullable(),
    }),
  ),
  rectificationNotices: entries(
    z.strictObject({ issuedOn: isoDateSchema, dueOn: isoDateSchema, completedOn: isoDateSchema.nullable() }),
  ),
  violations: entries(z.strictObject({ on: isoDateSchema, kind: z.enum(VIOLATION_KINDS) })),
  responsiblePersonDisqualified: z.boolean(),
  courtDefaulter: z.boolean(),
  unreachable: z.boolean(),
  listings: entries(
    z.strictObject({
      list: z.enum(LISTS),
      cause: z.enum([...new Set([...ABNORMAL_CAUSES, ...DISHONEST_CAUSES])] as [string, ...string[]]),
      listedOn: isoDateSchema,
      removedOn: isoDateSchema.nullable(),
    }),
  ),
  honours: entries(z.strictObject({ on: isoDateSchema, kind: z.enum(HONOUR_KINDS) })),
});

/** An organization record that passed validation. */
export type OrganizationRecord = z.infer<typeof organizationRecordSchema>;
