// fast-check generators of VALID organization records (record.md, src/record/schema.ts) and of asOf dates.
// Dates are drawn relative to asOf and land on the scheme's window edges often: exactly 6, 12, 24, 36 or
// 60 months before asOf, or a day either side, besides plain dates in the last six years and a few after asOf.
import fc from "fast-check";
import { creditCodeCheckCharacter } from "../../src/record/credit-code.js";
import {
  ABNORMAL_CAUSES,
  ACTIVITY_KINDS,
  hasVisibleCharacter,
  COMPLETENESS,
  DISHONEST_CAUSES,
  GRADES,
  HONOUR_KINDS,
  INSPECTION_RESULTS,
  ORGANIZATION_TYPES,
  PARTY_COVERAGE,
  PENALTY_KINDS,
  PROJECT_OUTCOMES,
  VIOLATION_KINDS,
} from "../../src/record/schema.js";
import { addDays, addMonths, dateOf, latestDueYear } from "./calendar.js";

/** An organization record as plain JSON data. */
export type RecordData = Record<string, unknown> & { id: string; registeredOn: string };

/** A record with the date it is evaluated on. */
export interface RecordCase {
  asOf: string;
  record: RecordData;
}

/** The window lengths of scheme.md, in months: 6 months, 12 months, 2 years, 3 years, 5 years. */
export const WINDOW_MONTHS = [6, 12, 24, 36, 60] as const;

/**
 * A date relative to asOf: on a window edge (± a day), some days back, or after asOf (which the scheme
 * ignores); or a day that some time zone skipped when it crossed the date line (1994-12-31 in
 * Pacific/Kiritimati, 2011-12-30 in Pacific/Apia), which must be as valid as any other in every zone.
 */
export type DateSpec =
  | { at: "edge"; months: number; days: number }
  | { at: "back"; days: number }
  | { at: "after"; days: number }
  | { at: "skipped"; date: string };

export const SKIPPED_DAYS = ["1994-12-31", "2011-12-30"] as const;

export const dateSpecArb: fc.Arbitrary<DateSpec> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ at: fc.constant("edge" as const), months: fc.constantFrom(...WINDOW_MONTHS), days: fc.constantFrom(-1, 0, 1) }) },
  { weight: 6, arbitrary: fc.record({ at: fc.constant("back" as const), days: fc.integer({ min: 0, max: 2200 }) }) },
  { weight: 1, arbitrary: fc.record({ at: fc.constant("after" as const), days: fc.integer({ min: 1, max: 400 }) }) },
  { weight: 1, arbitrary: fc.record({ at: fc.constant("skipped" as const), date: fc.constantFrom(...SKIPPED_DAYS) }) },
);

/** The calendar date a spec names on asOf. */
export function resolveDate(asOf: string, spec: DateSpec): string {
  if (spec.at === "skipped") return spec.date;
  if (spec.at === "edge") return addDays(addMonths(asOf, -spec.months), spec.days);
  return addDays(asOf, spec.at === "back" ? -spec.days : spec.days);
}

/** The days of the year where the scheme's rules turn: leap day, the 31 May inspection rule, 30 June registration, year ends. */
const EDGE_DAYS: Array<[number, number]> = [
  [1, 1],
  [2, 28],
  [2, 29],
  [3, 1],
  [5, 30],
  [5, 31],
  [6, 1],
  [6, 30],
  [7, 1],
  [8, 31],
  [12, 31],
];

/**
 * asOf dates that put a window edge on a day some time zone skipped when it crossed the date line
 * (1994-12-31 in Pacific/Kiritimati, 2011-12-30 in Pacific/Apia): 12, 24 or 36 months later, or the day after.
 */
const SKIPPED_DAY_AS_OFS = ["1995-01-01", "1995-12-31", "1996-12-31", "1997-12-31", "2011-12-31", "2012-12-30", "2013-12-30", "2014-12-30"];

/**
 * asOf dates from 2012 to 2032, one time in two on a turning day of the year (29 Feb falls back to 28 Feb in
 * common years), and now and then one whose windows reach a day some time zone skipped.
 */
export const asOfArb: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 12,
    arbitrary: fc
      .record({
        year: fc.integer({ min: 2012, max: 2032 }),
        day: fc.oneof(fc.constantFrom(...EDGE_DAYS), fc.tuple(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 31 }))),
      })
      .map(({ year, day: [month, day] }) => dateOf(year, month, day)),
  },
  { weight: 1, arbitrary: fc.constantFrom(...SKIPPED_DAY_AS_OFS) },
);

const CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/** Unified social credit codes (GB 32100-2015) with a correct check character, of social organizations (5…). */
export const creditCodeArb: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom("1", "2", "3"), fc.array(fc.constantFrom(...CODE_CHARS), { minLength: 15, maxLength: 15 }))
  .map(([kind, rest]) => {
    const first17 = `5${kind}${rest.join("")}`;
    return first17 + creditCodeCheckCharacter(first17)!;
  });

/**
 * How a generated record leans: `exemplary` records take their best values nearly always and carry few
 * negative entries (so grades A and B are common), `ordinary` ones spread over everything.
 */
export type Profile = "exemplary" | "ordinary";
const BIAS: Record<Profile, { best: number; empty: number; flag: number }> = {
  exemplary: { best: 30, empty: 6, flag: 40 },
  ordinary: { best: 3, empty: 2, flag: 10 },
};
const rarely = (p: Profile) => fc.oneof({ weight: BIAS[p].flag, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) });
const mostly = <T>(p: Profile, best: T, all: readonly T[]) =>
  fc.oneof({ weight: BIAS[p].best, arbitrary: fc.constant(best) }, { weight: 1, arbitrary: fc.constantFrom(...all) });
/** An array that is often empty, so that clean records are common too. */
const someOf = <T>(p: Profile, arb: fc.Arbitrary<T>, maxLength: number) =>
  fc.oneof({ weight: BIAS[p].empty, arbitrary: fc.constant([] as T[]) }, { weight: 1, arbitrary: fc.array(arb, { minLength: 1, maxLength }) });
/** Recent dates (activities, projects, grades): mostly within the last 14 months, sometimes anywhere. */
const recentDateArb = (maxDays: number): fc.Arbitrary<DateSpec> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.record({ at: fc.constant("back" as const), days: fc.integer({ min: 0, max: maxDays }) }) },
    { weight: 1, arbitrary: dateSpecArb },
  );

/** Fine amounts on and beside the ¥50,000 line of X2/X12/V3, and others. */
const fineAmountArb = fc.oneof(fc.constantFrom(1, 49_999, 49_999.99, 50_000, 50_000.01, 1_000_000), fc.integer({ min: 1, max: 2_000_000 }));

export interface PenaltySpec {
  on: DateSpec;
  kind: (typeof PENALTY_KINDS)[number];
  amount: number;
}
/** Penalties, light ones (warnings, fines) three times in four, so that V4's two light penalties occur too. */
export const penaltySpecArb: fc.Arbitrary<PenaltySpec> = fc.record({
  on: dateSpecArb,
  kind: fc.oneof({ weight: 3, arbitrary: fc.constantFrom("warning" as const, "fine" as const) }, { weight: 1, arbitrary: fc.constantFrom(...PENALTY_KINDS) }),
  amount: fineAmountArb,
});
export const buildPenalty = (asOf: string, p: PenaltySpec) => ({ on: resolveDate(asOf, p.on), kind: p.kind, amountYuan: p.kind === "fine" ? p.amount : null });

export interface ViolationSpec {
  on: DateSpec;
  kind: (typeof VIOLATION_KINDS)[number];
}
export const violationSpecArb: fc.Arbitrary<ViolationSpec> = fc.record({ on: dateSpecArb, kind: fc.constantFrom(...VIOLATION_KINDS) });
export const buildViolation = (asOf: string, v: ViolationSpec) => ({ on: resolveDate(asOf, v.on), kind: v.kind });

export interface ComplaintSpec {
  on: DateSpec;
  verified: boolean;
}
export const complaintSpecArb: fc.Arbitrary<ComplaintSpec> = fc.record({ on: dateSpecArb, verified: fc.boolean() });
export const buildComplaint = (asOf: string, c: ComplaintSpec) => ({ on: resolveDate(asOf, c.on), verified: c.verified });

/** A rectification notice: due some days after issue; completed some days after issue, or not. */
export interface NoticeSpec {
  issued: DateSpec;
  dueAfter: number;
  completedAfter: number | null;
}
export const noticeSpecArb: fc.Arbitrary<NoticeSpec> = fc.record({
  issued: dateSpecArb,
  dueAfter: fc.integer({ min: 0, max: 180 }),
  completedAfter: fc.option(fc.integer({ min: 0, max: 400 }), { nil: null }),
});
export function buildNotice(asOf: string, n: NoticeSpec) {
  const issuedOn = resolveDate(asOf, n.issued);
  return { issuedOn, dueOn: addDays(issuedOn, n.dueAfter), completedOn: n.completedAfter === null ? null : addDays(issuedOn, n.completedAfter) };
}

/** A notice that is overdue on asOf: due before asOf and not completed by its due date (completed late, or not at all). */
export interface OverdueNoticeSpec {
  dueDaysBack: number;
  issuedBeforeDue: number;
  completedLate: number | null;
}
export const overdueNoticeSpecArb: fc.Arbitrary<OverdueNoticeSpec> = fc.record({
  dueDaysBack: fc.oneof(fc.integer({ min: 1, max: 1500 }), fc.constantFrom(1, 365, 1095, 1096, 1097)),
  issuedBeforeDue: fc.integer({ min: 0, max: 120 }),
  completedLate: fc.option(fc.integer({ min: 1, max: 400 }), { nil: null }),
});
export function buildOverdueNotice(asOf: string, n: OverdueNoticeSpec) {
  const dueOn = addDays(asOf, -n.dueDaysBack);
  return { issuedOn: addDays(dueOn, -n.issuedBeforeDue), dueOn, completedOn: n.completedLate === null ? null : addDays(dueOn, n.completedLate) };
}

/** A listing: on the abnormal or the dishonest list with a cause of that list, removed some days later or not. */
export interface ListingSpec {
  list: "abnormal" | "dishonest";
  cause: number;
  listed: DateSpec;
  removedAfter: number | null;
}
export const listingSpecArb: fc.Arbitrary<ListingSpec> = fc.record({
  list: fc.constantFrom("abnormal" as const, "dishonest" as const),
  cause: fc.nat({ max: 20 }),
  listed: dateSpecArb,
  removedAfter: fc.option(fc.oneof(fc.integer({ min: 0, max: 1500 }), fc.constantFrom(182, 183, 730, 731)), { nil: null }),
});
export function buildListing(asOf: string, l: ListingSpec) {
  const causes: readonly string[] = l.list === "abnormal" ? ABNORMAL_CAUSES : DISHONEST_CAUSES;
  const listedOn = resolveDate(asOf, l.listed);
  return { list: l.list, cause: causes[l.cause % causes.length]!, listedOn, removedOn: l.removedAfter === null ? null : addDays(listedOn, l.removedAfter) };
}

const registrationSpecArb = fc.oneof(
  { weight: 3, arbitrary: fc.record({ at: fc.constant("back" as const), days: fc.integer({ min: 0, max: 11_000 }) }) },
  { weight: 1, arbitrary: fc.record({ at: fc.constant("edge" as const), months: fc.constantFrom(12, 15, 24, 36), days: fc.constantFrom(-1, 0, 1) }) },
  // On or beside 30 June of one of the last due years, where an inspection year turns from exempt to required.
  { weight: 1, arbitrary: fc.record({ at: fc.constant("june30" as const), yearsBack: fc.integer({ min: 0, max: 3 }), days: fc.constantFrom(-1, 0, 1) }) },
);

const recordSpecArb = (p: Profile) =>
    fc.record({
    id: creditCodeArb,
    name: fc.string({ unit: "grapheme", minLength: 1, maxLength: 20 }).filter(hasVisibleCharacter),
    type: fc.constantFrom(...ORGANIZATION_TYPES),
    registered: registrationSpecArb,
    isTradeAssociation: fc.boolean(),
    isCharity: fc.boolean(),
    party: fc.record({
      charterClause: mostly(p, true, [true, false]),
      coverage: mostly(p, "own", PARTY_COVERAGE),
      required: fc.boolean(),
      activity: mostly(p, "complete", COMPLETENESS),
      integrityRules: mostly(p, "complete", COMPLETENESS),
    }),
    // The inspections of offsets 1..7 before the latest due year: each mostly filed and passed, sometimes missing.
    inspections: fc.tuple(
      fc.array(fc.option(mostly(p, "pass", INSPECTION_RESULTS), { freq: BIAS[p].best * 2, nil: null }), { minLength: 4, maxLength: 4 }),
      fc.uniqueArray(fc.record({ yearOffset: fc.constantFrom(-5, -4, 1), result: fc.constantFrom(...INSPECTION_RESULTS) }), { selector: (i) => i.yearOffset, maxLength: 3 }),
      // Now and then the latest two due years both basic_pass (X11, K5).
      rarely(p),
    ),
    filings: fc.record({ changesOnTime: mostly(p, true, [true, false]), electionOnSchedule: mostly<boolean | null>(p, true, [true, false, null]) }),
    governance: fc.record({
      meetings: mostly(p, "per_charter", ["per_charter", "late", "not_held"]),
      auditOpinion: mostly(p, "unqualified", ["unqualified", "qualified", "adverse", "none"]),
      financeCompliant: mostly(p, true, [true, false]),
      disclosure: mostly(p, "full", ["full", "partial", "none"]),
    }),
    activities: fc.array(fc.record({ on: recentDateArb(430), kind: mostly(p, "public_welfare", ACTIVITY_KINDS) }), { minLength: p === "exemplary" ? 3 : 0, maxLength: 8 }),
    projects: fc.array(fc.record({ endedOn: recentDateArb(800), outcome: mostly(p, "good", PROJECT_OUTCOMES) }), { maxLength: 3 }),
    satisfactionPercent: fc.oneof(
      fc.constant(null),
      fc.constantFrom(0, 59.99, 60, 74.9, 75, 89.99, 90, 100),
      fc.double({ min: 0, max: 100, noNaN: true, noDefaultInfinity: true }),
    ),
    evaluation: fc.option(
      fc.record({ grade: mostly(p, "5A", GRADES), awarded: recentDateArb(1700), expiresAfter: fc.option(fc.integer({ min: 1, max: 3000 }), { nil: null }) }),
      { freq: BIAS[p].best, nil: null },
    ),
    supervisorRating: mostly<string | null>(p, "good", ["good", "average", "poor", null]),
    complaints: someOf(p, complaintSpecArb, 4),
    penalties: someOf(p, penaltySpecArb, 3),
    notices: someOf(p, noticeSpecArb, 3),
    violations: someOf(p, violationSpecArb, 3),
    responsiblePersonDisqualified: rarely(p),
    courtDefaulter: rarely(p),
    unreachable: rarely(p),
    listings: someOf(p, listingSpecArb, 2),
    honours: fc.array(fc.record({ on: dateSpecArb, kind: fc.constantFrom(...HONOUR_KINDS) }), { maxLength: 6 }),
  });
type RecordSpec = ReturnType<typeof recordSpecArb> extends fc.Arbitrary<infer T> ? T : never;

function buildRecord(asOf: string, s: RecordSpec): RecordData {
  const due = latestDueYear(asOf);
  const r = s.registered;
  const registered =
    r.at === "june30" ? addDays(dateOf(due - r.yearsBack, 6, 30), r.days) : r.at === "edge" ? resolveDate(asOf, r) : addDays(asOf, -r.days);
  return {
    id: s.id,
    name: s.name,
    type: s.type,
    registeredOn: registered > asOf ? asOf : registered,
    isTradeAssociation: s.isTradeAssociation,
    isCharity: s.isCharity,
    party: s.party,
    annualInspections: [
      ...s.inspections[0].flatMap((result, back) => {
        const r = s.inspections[2] && back < 2 ? "basic_pass" : result;
        return r === null ? [] : [{ year: due - back, result: r }];
      }),
      ...s.inspections[1].map((i) => ({ year: due + i.yearOffset, result: i.result })),
    ],
    filings: s.filings,
    governance: s.governance,
    activities: s.activities.map((a) => ({ on: resolveDate(asOf, a.on), kind: a.kind })),
    governmentProjects: s.projects.map((p) => ({ endedOn: resolveDate(asOf, p.endedOn), outcome: p.outcome })),
    satisfactionPercent: s.satisfactionPercent,
    evaluation:
      s.evaluation === null
        ? null
        : (() => {
            const awardedOn = resolveDate(asOf, s.evaluation.awarded);
            return { grade: s.evaluation.grade, awardedOn, expiresOn: s.evaluation.expiresAfter === null ? null : addDays(awardedOn, s.evaluation.expiresAfter) };
          })(),
    supervisorRating: s.supervisorRating,
    complaints: s.complaints.map((c) => buildComplaint(asOf, c)),
    penalties: s.penalties.map((p) => buildPenalty(asOf, p)),
    rectificationNotices: s.notices.map((n) => buildNotice(asOf, n)),
    violations: s.violations.map((v) => buildViolation(asOf, v)),
    responsiblePersonDisqualified: s.responsiblePersonDisqualified,
    courtDefaulter: s.courtDefaulter,
    unreachable: s.unreachable,
    listings: s.listings.map((l) => buildListing(asOf, l)),
    honours: s.honours.map((h) => ({ on: resolveDate(asOf, h.on), kind: h.kind })),
  };
}

/** A valid organization record and the asOf it is evaluated on; half exemplary, half ordinary. */
export const recordCaseArb: fc.Arbitrary<RecordCase> = fc
  .record({ asOf: asOfArb, spec: fc.oneof(recordSpecArb("exemplary"), recordSpecArb("ordinary")) })
  .map(({ asOf, spec }) => ({ asOf, record: buildRecord(asOf, spec) }));

/** One negative entry to add to a record, of each kind the monotonicity properties add. */
export type NegativeEntry =
  | { field: "penalties"; spec: PenaltySpec }
  | { field: "violations"; spec: ViolationSpec }
  | { field: "complaints"; spec: ComplaintSpec }
  | { field: "rectificationNotices"; spec: OverdueNoticeSpec }
  | { field: "listings"; spec: ListingSpec };

export const negativeEntryArbs = {
  penalties: penaltySpecArb.map((spec): NegativeEntry => ({ field: "penalties", spec })),
  violations: violationSpecArb.map((spec): NegativeEntry => ({ field: "violations", spec })),
  complaints: complaintSpecArb.map((spec): NegativeEntry => ({ field: "complaints", spec: { ...spec, verified: true } })),
  rectificationNotices: overdueNoticeSpecArb.map((spec): NegativeEntry => ({ field: "rectificationNotices", spec })),
  listings: listingSpecArb.map((spec): NegativeEntry => ({ field: "listings", spec })),
};

/** The record with one more negative entry. */
export function withNegativeEntry(c: RecordCase, e: NegativeEntry): RecordData {
  const entry =
    e.field === "penalties"
      ? buildPenalty(c.asOf, e.spec)
      : e.field === "violations"
        ? buildViolation(c.asOf, e.spec)
        : e.field === "complaints"
          ? buildComplaint(c.asOf, e.spec)
          : e.field === "rectificationNotices"
            ? buildOverdueNotice(c.asOf, e.spec)
            : buildListing(c.asOf, e.spec);
  return { ...c.record, [e.field]: [...(c.record[e.field] as unknown[]), entry] };
}
