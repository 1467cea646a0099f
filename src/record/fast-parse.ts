import { isProxy } from "node:util/types";
import type { z } from "zod";
import { isIsoDate } from "../_lib/dates.js";
import { isValidCreditCode } from "./credit-code.js";
import { ABNORMAL_CAUSES, DISHONEST_CAUSES, MAX_AMOUNT_YUAN, hasVisibleCharacter, MAX_YEAR, MIN_YEAR, organizationRecordSchema, RECORD_LIMITS, type OrganizationRecord } from "./schema.js";

/*
 * A fast path for records that are plainly valid: one pass over plain data that either builds exactly the
 * object zod's parse of the record schema builds (fresh objects, fields in the schema's order) or gives up,
 * leaving the record to the full validation (zod, then the cross-field checks), which reports every problem.
 * It accepts only what the full validation accepts and has no contradiction: it is stricter where that is
 * simpler (plain objects and arrays only, no Proxy). Its field lists and enum values are read from the zod
 * schema below, and it switches itself off if the schema has fields it does not know; the tests run both
 * paths side by side on fixtures, generated, arbitrary and mutated records (tests/fast-parse.test.ts).
 */

type Shape = Record<string, z.ZodType>;
const shapeOf = (schema: z.ZodType): Shape => {
  const def = schema.def as { type: string; innerType?: z.ZodType; element?: z.ZodType; shape?: Shape };
  if (def.type === "nullable" || def.type === "array") return shapeOf((def.innerType ?? def.element)!);
  return def.shape!;
};
/** The values of an enum of the schema (through nullable), as a set. */
const enumOf = (schema: z.ZodType): Set<unknown> => {
  const def = schema.def as { type: string; innerType?: z.ZodType; entries?: Record<string, unknown> };
  if (def.type === "nullable") return enumOf(def.innerType!);
  return new Set(Object.values(def.entries!));
};

const RECORD = organizationRecordSchema.shape;
const PARTY = shapeOf(RECORD.party);
const GOVERNANCE = shapeOf(RECORD.governance);
const FIELDS = {
  record: Object.keys(RECORD),
  party: Object.keys(PARTY),
  annualInspections: Object.keys(shapeOf(RECORD.annualInspections)),
  filings: Object.keys(shapeOf(RECORD.filings)),
  governance: Object.keys(GOVERNANCE),
  activities: Object.keys(shapeOf(RECORD.activities)),
  governmentProjects: Object.keys(shapeOf(RECORD.governmentProjects)),
  evaluation: Object.keys(shapeOf(RECORD.evaluation)),
  complaints: Object.keys(shapeOf(RECORD.complaints)),
  penalties: Object.keys(shapeOf(RECORD.penalties)),
  rectificationNotices: Object.keys(shapeOf(RECORD.rectificationNotices)),
  violations: Object.keys(shapeOf(RECORD.violations)),
  listings: Object.keys(shapeOf(RECORD.listings)),
  honours: Object.keys(shapeOf(RECORD.honours)),
};
/** The fields this file checks, in the order it writes them: the schema's must be exactly these. */
const KNOWN: Record<keyof typeof FIELDS, string[]> = {
  record: [
    "id", "name", "type", "registeredOn", "isTradeAssociation", "isCharity", "party", "annualInspections", "filings", "governance", "activities",
    "governmentProjects", "satisfactionPercent", "evaluation", "supervisorRating", "complaints", "penalties", "rectificationNotices", "violations",
    "responsiblePersonDisqualified", "courtDefaulter", "unreachable", "listings", "honours",
  ],
  party: ["charterClause", "coverage", "required", "activity", "integrityRules"],
  annualInspections: ["year", "result"],
  filings: ["changesOnTime", "electionOnSchedule"],
  governance: ["meetings", "auditOpinion", "financeCompliant", "disclosure"],
  activities: ["on", "kind"],
  governmentProjects: ["endedOn", "outcome"],
  evaluation: ["grade", "awardedOn", "expiresOn"],
  complaints: ["on", "verified"],
  penalties: ["on", "kind", "amountYuan"],
  rectificationNotices: ["issuedOn", "dueOn", "completedOn"],
  violations: ["on", "kind"],
  listings: ["list", "cause", "listedOn", "removedOn"],
  honours: ["on", "kind"],
};
/** Off when the schema's fields are not the ones checked here: every record then takes the full validation. */
export const FAST_PARSE_ENABLED = Object.entries(KNOWN).every(([part, fields]) => FIELDS[part as keyof typeof FIELDS].join() === fields.join());

const TYPE = enumOf(RECORD.type);
const COVERAGE = enumOf(PARTY.coverage!);
const PARTY_ACTIVITY = enumOf(PARTY.activity!);
const INTEGRITY_RULES = enumOf(PARTY.integrityRules!);
const INSPECTION_RESULT = enumOf(shapeOf(RECORD.annualInspections).result!);
const MEETINGS = enumOf(GOVERNANCE.meetings!);
const AUDIT_OPINION = enumOf(GOVERNANCE.auditOpinion!);
const DISCLOSURE = enumOf(GOVERNANCE.disclosure!);
const ACTIVITY_KIND = enumOf(shapeOf(RECORD.activities).kind!);
const PROJECT_OUTCOME = enumOf(shapeOf(RECORD.governmentProjects).outcome!);
const GRADE = enumOf(shapeOf(RECORD.evaluation).grade!);
const SUPERVISOR_RATING = enumOf(RECORD.supervisorRating);
const PENALTY_KIND = enumOf(shapeOf(RECORD.penalties).kind!);
const VIOLATION_KIND = enumOf(shapeOf(RECORD.violations).kind!);
const LIST = enumOf(shapeOf(RECORD.listings).list!);
const HONOUR_KIND = enumOf(shapeOf(RECORD.honours).kind!);
const ABNORMAL = new Set<unknown>(ABNORMAL_CAUSES);
const DISHONEST = new Set<unknown>(DISHONEST_CAUSES);

/** Thrown to give up: the record goes to the full validation. */
const GIVE_UP = Symbol("give up");
function giveUp(): never {
  throw GIVE_UP;
}

/** An object's fields: in the schema's order (JSON written from a record has them so), and as a set. */
type Keys = { order: readonly string[]; set: ReadonlySet<string> };
const keys = (order: string[]): Keys => ({ order, set: new Set(order) });
const K = Object.fromEntries(Object.entries(KNOWN).map(([part, fields]) => [part, keys(fields)])) as Record<keyof typeof KNOWN, Keys>;

/**
 * A plain object whose enumerable keys are exactly the given fields, all its own: each field is then read by
 * name. Keys in the schema's order are compared one by one; in another order, looked up in the set.
 */
function plain(v: unknown, fields: Keys): Record<string, unknown> {
  if (v === null || typeof v !== "object" || Array.isArray(v) || Object.getPrototypeOf(v) !== Object.prototype || isProxy(v)) giveUp();
  const { order, set } = fields;
  let count = 0;
  let inOrder = true;
  for (const k in v) {
    if (!Object.hasOwn(v, k)) giveUp();
    if (inOrder && order[count] !== k) inOrder = false;
    if (!inOrder && !set.has(k)) giveUp();
    count++;
  }
  // Every key enumerated is a field, none twice (keys are unique): as many as the fields means all of them.
  if (count !== order.length) giveUp();
  return v as Record<string, unknown>;
}
/** A plain array of at most the entries allowed. */
function list(v: unknown): unknown[] {
  if (!Array.isArray(v) || Object.getPrototypeOf(v) !== Array.prototype || isProxy(v) || v.length > RECORD_LIMITS.maxEntries) giveUp();
  return v;
}
const bool = (v: unknown): boolean => (typeof v === "boolean" ? v : giveUp());
const nullableBool = (v: unknown): boolean | null => (v === null ? null : bool(v));
const oneOf = <T>(set: Set<unknown>, v: unknown): T => (typeof v === "string" && set.has(v) ? (v as T) : giveUp());
const date = (v: unknown): string => (typeof v === "string" && isIsoDate(v) ? v : giveUp());
const nullableDate = (v: unknown): string | null => (v === null ? null : date(v));

// Every key is read by its literal name, so each object's reads stay monomorphic.

/** The entries of a repeated part: each a plain object of the entry's fields, built by `entry`. */
function entriesOf<T>(v: unknown, fields: Keys, entry: (o: Record<string, unknown>, done: T[], i: number) => T): T[] {
  const l = list(v);
  const out: T[] = new Array(l.length);
  for (let i = 0; i < l.length; i++) out[i] = entry(plain(l[i], fields), out, i);
  return out;
}


function party(v: unknown): OrganizationRecord["party"] {
  const o = plain(v, K.party);
  return {
    charterClause: bool(o.charterClause),
    coverage: oneOf(COVERAGE, o.coverage),
    required: bool(o.required),
    activity: oneOf(PARTY_ACTIVITY, o.activity),
    integrityRules: oneOf(INTEGRITY_RULES, o.integrityRules),
  };
}

function annualInspections(v: unknown): OrganizationRecord["annualInspections"] {
  return entriesOf(v, K.annualInspections, (o, done, i) => {
    const year = o.year;
    if (typeof year !== "number" || !Number.isInteger(year) || year < MIN_YEAR || year > MAX_YEAR) giveUp();
    // One entry per year (a cross-field check of the full validation).
    for (let j = 0; j < i; j++) if (done[j]!.year === year) giveUp();
    return { year, result: oneOf(INSPECTION_RESULT, o.result) };
  });
}

function filings(v: unknown): OrganizationRecord["filings"] {
  const o = plain(v, K.filings);
  return { changesOnTime: bool(o.changesOnTime), electionOnSchedule: nullableBool(o.electionOnSchedule) };
}

function governance(v: unknown): OrganizationRecord["governance"] {
  const o = plain(v, K.governance);
  return {
    meetings: oneOf(MEETINGS, o.meetings),
    auditOpinion: oneOf(AUDIT_OPINION, o.auditOpinion),
    financeCompliant: bool(o.financeCompliant),
    disclosure: oneOf(DISCLOSURE, o.disclosure),
  };
}

function activities(v: unknown): OrganizationRecord["activities"] {
  return entriesOf(v, K.activities, (o) => ({ on: date(o.on), kind: oneOf(ACTIVITY_KIND, o.kind) }));
}

function governmentProjects(v: unknown): OrganizationRecord["governmentProjects"] {
  return entriesOf(v, K.governmentProjects, (o) => ({ endedOn: date(o.endedOn), outcome: oneOf(PROJECT_OUTCOME, o.outcome) }));
}

function evaluation(v: unknown): OrganizationRecord["evaluation"] {
  if (v === null) return null;
  const o = plain(v, K.evaluation);
  const out = { grade: oneOf<NonNullable<OrganizationRecord["evaluation"]>["grade"]>(GRADE, o.grade), awardedOn: date(o.awardedOn), expiresOn: nullableDate(o.expiresOn) };
  if (out.expiresOn !== null && out.expiresOn <= out.awardedOn) giveUp();
  return out;
}

function complaints(v: unknown): OrganizationRecord["complaints"] {
  return entriesOf(v, K.complaints, (o) => ({ on: date(o.on), verified: bool(o.verified) }));
}

function penalties(v: unknown): OrganizationRecord["penalties"] {
  return entriesOf(v, K.penalties, (o) => {
    const kind = oneOf<OrganizationRecord["penalties"][number]["kind"]>(PENALTY_KIND, o.kind);
    const amount = o.amountYuan;
    // A fine has an amount greater than 0 (at most MAX_AMOUNT_YUAN); any other penalty none.
    if (kind === "fine" ? !(typeof amount === "number" && amount > 0 && amount <= MAX_AMOUNT_YUAN) : amount !== null) giveUp();
    return { on: date(o.on), kind, amountYuan: amount as number | null };
  });
}

function rectificationNotices(v: unknown): OrganizationRecord["rectificationNotices"] {
  return entriesOf(v, K.rectificationNotices, (o) => {
    const e = { issuedOn: date(o.issuedOn), dueOn: date(o.dueOn), completedOn: nullableDate(o.completedOn) };
    if (e.dueOn < e.issuedOn || (e.completedOn !== null && e.completedOn < e.issuedOn)) giveUp();
    return e;
  });
}

function violations(v: unknown): OrganizationRecord["violations"] {
  return entriesOf(v, K.violations, (o) => ({ on: date(o.on), kind: oneOf(VIOLATION_KIND, o.kind) }));
}

function listings(v: unknown): OrganizationRecord["listings"] {
  return entriesOf(v, K.listings, (o) => {
    const which = oneOf<OrganizationRecord["listings"][number]["list"]>(LIST, o.list);
    // A cause of the list it names (the schema takes a cause of either list; the cross-field check the right one).
    const cause = oneOf<string>(which === "abnormal" ? ABNORMAL : DISHONEST, o.cause);
    const e = { list: which, cause, listedOn: date(o.listedOn), removedOn: nullableDate(o.removedOn) };
    if (e.removedOn !== null && e.removedOn < e.listedOn) giveUp();
    return e;
  });
}

function honours(v: unknown): OrganizationRecord["honours"] {
  return entriesOf(v, K.honours, (o) => ({ on: date(o.on), kind: oneOf(HONOUR_KIND, o.kind) }));
}

function record(v: unknown, asOf: string | undefined): OrganizationRecord {
  const o = plain(v, K.record);
  const id = o.id;
  const name = o.name;
  if (typeof id !== "string" || !isValidCreditCode(id)) giveUp();
  if (typeof name !== "string" || name.length < 1 || name.length > RECORD_LIMITS.maxNameLength || !hasVisibleCharacter(name)) giveUp();
  const registeredOn = date(o.registeredOn);
  if (asOf !== undefined && registeredOn > asOf) giveUp();
  const satisfaction = o.satisfactionPercent;
  if (satisfaction !== null && !(typeof satisfaction === "number" && satisfaction >= 0 && satisfaction <= 100)) giveUp();
  const rating = o.supervisorRating;
  // Fields in the schema's order, as zod builds its output.
  return {
    id,
    name,
    type: oneOf(TYPE, o.type),
    registeredOn,
    isTradeAssociation: bool(o.isTradeAssociation),
    isCharity: bool(o.isCharity),
    party: party(o.party),
    annualInspections: annualInspections(o.annualInspections),
    filings: filings(o.filings),
    governance: governance(o.governance),
    activities: activities(o.activities),
    governmentProjects: governmentProjects(o.governmentProjects),
    satisfactionPercent: satisfaction as number | null,
    evaluation: evaluation(o.evaluation),
    supervisorRating: rating === null ? null : oneOf(SUPERVISOR_RATING, rating),
    complaints: complaints(o.complaints),
    penalties: penalties(o.penalties),
    rectificationNotices: rectificationNotices(o.rectificationNotices),
    violations: violations(o.violations),
    responsiblePersonDisqualified: bool(o.responsiblePersonDisqualified),
    courtDefaulter: bool(o.courtDefaulter),
    unreachable: bool(o.unreachable),
    listings: listings(o.listings),
    honours: honours(o.honours),
  };
}

/**
 * The validated record, built in one pass, when the input is plainly valid; null when anything is not
 * (the full validation then decides, and reports the problems).
 *
 * @param input - anything, typically parsed JSON
 * @param asOf - the evaluation date, when the record must exist on it
 * @returns what `organizationRecordSchema.parse(input)` returns, or null
 */
export function fastParseRecord(input: unknown, asOf: string | undefined): OrganizationRecord | null {
  if (!FAST_PARSE_ENABLED) return null;
  try {
    return record(input, asOf);
  } catch {
    // GIVE_UP, or a getter that threw: the full validation reads the input again and says what is wrong.
    return null;
  }
}
