import { dateOfDayNumber, dayNumber, minusSpan, nextDay, plusSpan, type IsoDate, type Span } from "../_lib/dates.js";
import { SeededRandom } from "../_lib/random.js";
import { creditCodeCheckCharacter } from "../record/credit-code.js";
import type { OrganizationRecord } from "../record/schema.js";
import { latestDueInspectionYear, isInspectionRequired } from "../facts/context.js";

/**
 * The shares the generator draws from: Quzhou's register of May 2023 (shared/data/quzhou-2023.json),
 * as fractions of all organizations unless said otherwise.
 */
export const QUZHOU_2023_SHARES = {
  total: 3424,
  type: { social_group: 1273 / 3424, social_service_agency: 2133 / 3424, foundation: 18 / 3424 },
  validGrade3AOrBetter: 270 / 3424,
  everAbnormalListed: 270 / 3424,
  dishonestListed: 52 / 3424,
  dormant: 614 / 3424,
  /** Of social groups. */
  tradeAssociation: 321 / 1273,
  /** Of trade associations: fee findings. */
  tradeAssociationFeeFinding: 58 / 321,
  charity: 53 / 3424,
  partyOrganization: 151 / 3424,
  partyInstructor: 935 / 3424,
  /** Among filers (Guangxi 2015, an assumption for Quzhou). */
  inspectionMix: { pass: 0.85, basic_pass: 0.1, fail: 0.05 },
} as const;

/** The traits a population holds in exact numbers (drawn as quotas); the rest is drawn by chance. */
export interface QuotaTraits {
  type: OrganizationRecord["type"];
  /** Dormant: no activity within 12 months, registered more than a year ago (cap K3 holds). */
  dormant: boolean;
  validGrade3AOrBetter: boolean;
  everAbnormalListed: boolean;
  dishonestListed: boolean;
}

/** Splits `n` by shares into whole counts that add up to `n` (largest remainders; ties by key order). */
function apportion<K extends string>(n: number, shares: Readonly<Record<K, number>>): Record<K, number> {
  const keys = Object.keys(shares) as K[];
  const total = keys.reduce((s, k) => s + shares[k], 0);
  const exact = keys.map((k) => (n * shares[k]) / total);
  const counts = exact.map(Math.floor);
  const order = keys.map((_, i) => i).sort((a, b) => exact[b]! - counts[b]! - (exact[a]! - counts[a]!) || a - b);
  for (let i = 0, left = n - counts.reduce((s, c) => s + c, 0); left > 0; i++, left--) counts[order[i]!]!++;
  return Object.fromEntries(keys.map((k, i) => [k, counts[i]!])) as Record<K, number>;
}

/**
 * Draws categories for `n` positions one at a time so that each category comes up exactly its count
 * (selection sampling): exact shares without holding the population.
 */
class QuotaDraw<K extends string> {
  private readonly left: Record<K, number>;
  private remaining: number;
  constructor(n: number, shares: Readonly<Record<K, number>>) {
    this.left = apportion(n, shares);
    this.remaining = n;
  }

  next(rnd: SeededRandom): K {
    const keys = Object.keys(this.left) as K[];
    let r = rnd.next() * this.remaining;
    let chosen = keys[keys.length - 1]!;
    for (const k of keys) {
      r -= this.left[k];
      if (r < 0) {
        chosen = k;
        break;
      }
    }
    this.left[chosen]--;
    this.remaining--;
    return chosen;
  }
}

const yesNo = (share: number) => ({ yes: share, no: 1 - share });

/** Options of `generatePopulation`. */
export interface GenerateOptions {
  count: number;
  seed: number;
  /**
   * The position of the first organization (default 0): its credit code's serial is first + 1. Parts of one
   * large population written side by side, each with its own seed, take distinct serials this way.
   */
  first?: number;
  /** The date the population describes; entries are dated on or before it, with a few after it. */
  asOf: IsoDate;
}

const FIELDS = ["慈善", "志愿者", "养老", "社区", "文化", "体育", "教育", "科技", "商贸", "物流", "茶叶", "柑橘", "摄影", "书画", "老年", "青少年", "残疾人", "环保", "法律", "心理"];
const SUFFIX = {
  social_group: ["协会", "商会", "研究会", "促进会", "联合会"],
  social_service_agency: ["服务中心", "社会工作服务社", "培训学校", "康复中心", "发展中心"],
  foundation: ["基金会", "教育基金会", "慈善基金会"],
} as const;
const TYPE_DIGIT = { social_group: "1", social_service_agency: "2", foundation: "3" } as const;

/** Window edges, so that generated dates fall on and beside the scheme's boundaries now and then. */
const EDGES: Span[] = [{ months: 12 }, { months: 24 }, { years: 2 }, { years: 3 }, { months: 6 }];

class Dates {
  constructor(
    private readonly rnd: SeededRandom,
    private readonly asOf: IsoDate,
  ) {}

  /** A date within `back` before asOf; one time in 12 on or beside a window edge. */
  recent(back: Span, floor: IsoDate): IsoDate {
    let d: IsoDate;
    if (this.rnd.chance(1 / 12)) {
      const edge = minusSpan(this.asOf, this.rnd.pick(EDGES));
      d = this.rnd.chance(0.5) ? edge : nextDay(edge);
    } else {
      const from = minusSpan(this.asOf, back);
      d = this.between(from, this.asOf);
    }
    return d < floor ? floor : d;
  }

  between(from: IsoDate, to: IsoDate): IsoDate {
    // Day numbers, not Date objects: the same draw (one number) and the same day as with Date.UTC.
    const a = dayNumber(from);
    return dateOfDayNumber(a + Math.floor(this.rnd.next() * (dayNumber(to) - a + 1)));
  }

  plusDays(d: IsoDate, days: number): IsoDate {
    return dateOfDayNumber(dayNumber(d) + days);
  }
}

function creditCode(type: keyof typeof TYPE_DIGIT, serial: number): string {
  const first17 = `5${TYPE_DIGIT[type]}330800MJ${String(serial).padStart(7, "0")}`;
  return first17 + creditCodeCheckCharacter(first17)!;
}

/** Draws the quota traits by chance alone, for a single organization outside a population. */
function chanceTraits(rnd: SeededRandom): QuotaTraits {
  const S = QUZHOU_2023_SHARES;
  return {
    type: rnd.weighted(S.type),
    dormant: rnd.chance(S.dormant),
    validGrade3AOrBetter: rnd.chance(S.validGrade3AOrBetter),
    everAbnormalListed: rnd.chance(S.everAbnormalListed),
    dishonestListed: rnd.chance(S.dishonestListed),
  };
}

// Party coverage is likelier among graded organizations (a party organization counts in the evaluation);
// the two mixes keep the register's overall shares of 151 party organizations and 935 instructors.
function coverageWeights(graded: boolean) {
  const S = QUZHOU_2023_SHARES;
  const gradedParty = 0.25;
  const gradedInstructor = 0.5;
  const rest = 1 - S.validGrade3AOrBetter;
  const party = graded ? gradedParty : (S.partyOrganization - S.validGrade3AOrBetter * gradedParty) / rest;
  const instructor = graded ? gradedInstructor : (S.partyInstructor - S.validGrade3AOrBetter * gradedInstructor) / rest;
  return { own: party * 0.8, joint: party * 0.2, instructor, none: 1 - party - instructor };
}

/**
 * Generates one synthetic organization; the same seed, index and traits always give the same record.
 *
 * @param rnd - the seeded generator, advanced by this call
 * @param index - position in the population (makes the credit code)
 * @param asOf - the date the record describes
 * @param traits - the traits a population draws as quotas; drawn by chance when omitted
 * @returns a valid organization record v1
 * @example
 * const record = generateOrganization(new SeededRandom(1), 0, "2023-05-31");
 */
export function generateOrganization(rnd: SeededRandom, index: number, asOf: IsoDate, traits: QuotaTraits = chanceTraits(rnd)): OrganizationRecord {
  const S = QUZHOU_2023_SHARES;
  const dates = new Dates(rnd, asOf);
  const { type, dormant } = traits;
  const asOfYear = Number(asOf.slice(0, 4));
  // A dormant organization is more than a year old by definition (K3); others are sometimes newly registered.
  const registeredOn =
    !dormant && rnd.chance(0.06)
      ? minusSpan(asOf, { months: rnd.int(0, 14) })
      : dates.between(`${asOfYear - 28}-01-01`, minusSpan(asOf, { months: 15 }));
  const isTradeAssociation = type === "social_group" && rnd.chance(S.tradeAssociation);
  const latestDue = latestDueInspectionYear(asOf);

  const coverage = rnd.weighted(coverageWeights(traits.validGrade3AOrBetter));
  const partyActive = coverage === "own" || coverage === "joint";

  const annualInspections: OrganizationRecord["annualInspections"] = [];
  let skippedYearBefore = false;
  for (let year = latestDue - 4; year <= latestDue; year++) {
    if (!isInspectionRequired(registeredOn, year) && !rnd.chance(0.05)) continue;
    const lastTwo = year >= latestDue - 1;
    // An active organization misses a year now and then, but never the last two (that would make it dormant).
    const skip: boolean = dormant ? lastTwo && rnd.chance(0.45) : rnd.chance(0.03) && !(lastTwo && skippedYearBefore);
    if (lastTwo) skippedYearBefore = skip;
    if (skip) continue;
    annualInspections.push({ year, result: rnd.weighted(S.inspectionMix) });
  }

  const floor = registeredOn;
  const activities: OrganizationRecord["activities"] = [];
  const activityCount = dormant ? rnd.int(0, 2) : rnd.int(1, 9);
  for (let i = 0; i < activityCount; i++) {
    // An active organization's first activity falls inside the 12-month window, so it is never dormant by accident.
    const on = dormant
      ? dates.between(minusSpan(asOf, { years: 3 }), minusSpan(asOf, { months: 12 }))
      : i === 0
        ? dates.between(nextDay(minusSpan(asOf, { months: 12 })), asOf)
        : dates.recent({ months: 14 }, floor);
    activities.push({ on: on < floor ? floor : on, kind: rnd.weighted({ service: 5, public_welfare: 3, government_project: 1 }) });
  }

  const governmentProjects: OrganizationRecord["governmentProjects"] = [];
  if (!dormant && rnd.chance(0.3)) {
    for (let i = rnd.int(1, 2); i > 0; i--) governmentProjects.push({ endedOn: dates.recent({ months: 30 }, floor), outcome: rnd.weighted({ good: 4, completed: 5, failed: 1 }) });
  }

  const grade = traits.validGrade3AOrBetter
    ? rnd.weighted({ "5A": 1, "4A": 3, "3A": 6 })
    : rnd.chance(0.05)
      ? rnd.weighted({ "2A": 2, "1A": 1 })
      : null;
  // Awarded within the last 58 months and not before registration: valid on asOf (five years).
  const awardedOn = dates.between(minusSpan(asOf, { months: 58 }) > floor ? minusSpan(asOf, { months: 58 }) : floor, asOf);
  const expiredAwardedOn = minusSpan(asOf, { years: rnd.int(5, 9) });
  const evaluation: OrganizationRecord["evaluation"] =
    grade !== null
      ? { grade, awardedOn, expiresOn: null }
      : rnd.chance(0.03) && expiredAwardedOn >= floor
        ? { grade: rnd.pick(["4A", "3A", "2A"] as const), awardedOn: expiredAwardedOn, expiresOn: null }
        : null;

  const complaints: OrganizationRecord["complaints"] = [];
  if (rnd.chance(0.1)) for (let i = rnd.int(1, 3); i > 0; i--) complaints.push({ on: dates.recent({ months: 18 }, floor), verified: rnd.chance(0.5) });

  const penalties: OrganizationRecord["penalties"] = [];
  if (rnd.chance(0.06)) {
    for (let i = rnd.chance(0.25) ? 2 : 1; i > 0; i--) {
      const kind = rnd.weighted({ warning: 6, fine: 4, suspension: 0.4, change_registration_revoked: 0.1, certificate_revoked: 0.1, registration_revoked: 0.1 });
      penalties.push({ on: dates.recent({ years: 4 }, floor), kind, amountYuan: kind === "fine" ? rnd.pick([5000, 20000, 49999, 50000, 100000]) : null });
    }
  }

  const rectificationNotices: OrganizationRecord["rectificationNotices"] = [];
  if (rnd.chance(0.06)) {
    const issuedOn = dates.recent({ years: 4 }, floor);
    const allowed = rnd.int(0, 60);
    const dueOn = dates.plusDays(issuedOn, allowed);
    const completion = rnd.weighted({ onTime: 5, late: 2, never: 3 });
    const completedOn = completion === "never" ? null : completion === "onTime" ? dates.plusDays(issuedOn, rnd.int(0, allowed)) : dates.plusDays(dueOn, rnd.int(1, 90));
    rectificationNotices.push({ issuedOn, dueOn, completedOn });
  }

  const violations: OrganizationRecord["violations"] = [];
  if (isTradeAssociation && rnd.chance(S.tradeAssociationFeeFinding)) violations.push({ on: dates.recent({ years: 3 }, floor), kind: "prohibited_fee" });
  if (rnd.chance(0.02)) violations.push({ on: dates.recent({ years: 4 }, floor), kind: rnd.pick(["unauthorised_award", "beyond_scope", "false_report"] as const) });

  const listings: OrganizationRecord["listings"] = [];
  if (traits.everAbnormalListed) {
    const listedOn = dates.recent({ years: 4 }, floor);
    const removed = rnd.chance(0.55);
    listings.push({
      list: "abnormal",
      cause: rnd.weighted({ annual_report_not_filed: 5, unreachable: 2, rectification_overdue: 1, penalty: 1, party_organization_missing: 0.5, other: 0.5 }),
      listedOn,
      removedOn: removed ? dates.plusDays(listedOn, rnd.int(30, 400)) : null,
    });
  }
  if (traits.dishonestListed) {
    listings.push({
      list: "dishonest",
      cause: rnd.weighted({ abnormal_two_years: 4, repeated_penalties: 2, suspension: 1, large_fine: 1, court_defaulter: 1, registration_revoked: 1, certificate_revoked: 0.5, fraudulent_change: 0.5, other: 0.5 }),
      listedOn: dates.recent({ years: 4 }, floor),
      removedOn: null,
    });
  }

  const honours: OrganizationRecord["honours"] = [];
  if (!dormant && rnd.chance(0.15)) {
    for (let i = rnd.int(1, 3); i > 0; i--) {
      honours.push({ on: dates.recent({ years: 4 }, floor), kind: rnd.weighted({ national_commendation: 0.3, provincial_commendation: 1, municipal_commendation: 3, brand_organization: 1, integrity_model: 1, outstanding_project: 2, credit_pledge_kept: 3 }) });
    }
  }
  // A few entries dated after asOf: records may hold later data, which the scheme ignores.
  if (rnd.chance(0.03)) activities.push({ on: plusSpan(asOf, { months: rnd.int(1, 6) }), kind: "service" });

  const rating = rnd.weighted({ good: 6, average: 2, poor: 0.5, none: 1.5 });
  return {
    id: creditCode(type, index + 1),
    name: `衢州市${rnd.pick(FIELDS)}${rnd.pick(SUFFIX[type])}`,
    type,
    registeredOn,
    isTradeAssociation,
    isCharity: rnd.chance(S.charity),
    party: {
      charterClause: rnd.chance(partyActive ? 0.95 : 0.6),
      coverage,
      required: rnd.chance(partyActive ? 0.6 : 0.02),
      activity: partyActive ? rnd.weighted({ complete: 6, partial: 3, none: 1 }) : rnd.weighted({ complete: 1, partial: 3, none: 6 }),
      integrityRules: rnd.weighted({ complete: 4, partial: 4, none: 2 }),
    },
    annualInspections,
    filings: { changesOnTime: rnd.chance(0.9), electionOnSchedule: rnd.chance(0.15) ? null : rnd.chance(0.88) },
    governance: {
      meetings: rnd.weighted({ per_charter: 8, late: 1.5, not_held: dormant ? 3 : 0.5 }),
      auditOpinion: rnd.weighted({ unqualified: 8, qualified: 1, adverse: 0.2, none: dormant ? 3 : 0.8 }),
      financeCompliant: rnd.chance(0.9),
      disclosure: rnd.weighted({ full: 6, partial: 3, none: dormant ? 3 : 1 }),
    },
    activities,
    governmentProjects,
    satisfactionPercent: rnd.chance(0.6) ? rnd.int(40, 100) : null,
    evaluation,
    supervisorRating: rating === "none" ? null : rating,
    complaints,
    penalties,
    rectificationNotices,
    violations,
    responsiblePersonDisqualified: rnd.chance(0.005),
    courtDefaulter: rnd.chance(0.003),
    unreachable: dormant && rnd.chance(0.15),
    listings,
    honours,
  };
}

/**
 * Generates a synthetic population whose shares follow Quzhou's register of 2023, reproducibly.
 *
 * @param options - count, seed and asOf
 * @returns an iterator of valid organization records (lazy: a million need not be held at once)
 * @example
 * for (const record of generatePopulation({ count: 3424, seed: 2023, asOf: "2023-05-31" })) { ... }
 */
export function* generatePopulation(options: GenerateOptions): Generator<OrganizationRecord> {
  const S = QUZHOU_2023_SHARES;
  const n = options.count;
  const rnd = new SeededRandom(options.seed);
  // Exact counts for the register's published figures; each quota draws from its own stream of the seed.
  const quotaRnd = new SeededRandom(options.seed ^ 0x5eed);
  const types = new QuotaDraw(n, S.type);
  const dormant = new QuotaDraw(n, yesNo(S.dormant));
  const graded = new QuotaDraw(n, yesNo(S.validGrade3AOrBetter));
  const abnormal = new QuotaDraw(n, yesNo(S.everAbnormalListed));
  const dishonest = new QuotaDraw(n, yesNo(S.dishonestListed));
  for (let i = 0; i < n; i++) {
    const traits: QuotaTraits = {
      type: types.next(quotaRnd),
      dormant: dormant.next(quotaRnd) === "yes",
      validGrade3AOrBetter: graded.next(quotaRnd) === "yes",
      everAbnormalListed: abnormal.next(quotaRnd) === "yes",
      dishonestListed: dishonest.next(quotaRnd) === "yes",
    };
    yield generateOrganization(rnd, (options.first ?? 0) + i, options.asOf, traits);
  }
}
