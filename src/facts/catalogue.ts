import { z } from "zod";
import { canonicalJson } from "../_lib/canonical.js";
import { minusSpan, type Span } from "../_lib/dates.js";
import {
  COLLECTION_DATE_FIELDS,
  COLLECTION_FIELDS,
  inspectionOf,
  validEvaluation,
  type Entry,
  type FactContext,
  type FactValue,
} from "./context.js";
import { recordFieldSchema, valuesOfSchema, type FactValues } from "./values.js";
import { GRADES, INSPECTION_RESULTS } from "../record/schema.js";

/** Where a fact may be used: `scoring` facts everywhere; `outcome` facts only in measures and list actions. */
export type FactStage = "scoring" | "outcome";

/** A fact the rules can name: what it computes, the params it takes, and how. */
export interface FactDefinition {
  name: string;
  description: string;
  stage: FactStage;
  /** Checks the params a condition gives; a rule set with bad params fails at load. */
  params: z.ZodType<Record<string, unknown> | undefined>;
  /** For collection facts: the collection whose matching entries the fact returns. */
  collection?: string;
  /** The values the fact takes, which the loader checks every comparison against. */
  values: FactValues;
  compute(ctx: FactContext, params: Record<string, unknown>): FactValue;
}

export const spanSchema = z
  .strictObject({ years: z.number().int().min(0).max(100).optional(), months: z.number().int().min(0).max(1200).optional() })
  .refine((s) => (s.years ?? 0) + (s.months ?? 0) > 0, { message: "a span needs years or months greater than 0" });

const noParams = z.undefined().or(z.strictObject({})) as z.ZodType<Record<string, unknown> | undefined>;

const primitive = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const matcherSchema = z.union([
  primitive,
  z.array(primitive).min(1),
  z
    .strictObject({ lessThan: z.number().optional(), atLeast: z.number().optional(), notIn: z.array(primitive).min(1).optional() })
    .refine((m) => m.lessThan !== undefined || m.atLeast !== undefined || m.notIn !== undefined, {
      message: "give lessThan, atLeast or notIn",
    }),
]);
type Matcher = z.infer<typeof matcherSchema>;
const whereSchema = z.record(z.string(), matcherSchema);

function selectorSchema(collection: string) {
  const fields = COLLECTION_FIELDS[collection]!;
  const dates = COLLECTION_DATE_FIELDS[collection]!;
  const where = whereSchema.superRefine((w, ctx) => {
    for (const key of Object.keys(w)) {
      if (!Object.hasOwn(fields, key)) {
        ctx.addIssue({ code: "custom", path: [key], message: `${collection} entries have no field "${key}"; known: ${Object.keys(fields).join(", ")}` });
      }
      // A value the field never takes would select nothing, silently: refuse it.
      else for (const message of matcherProblems(collection, key, fields[key]!, w[key]!)) ctx.addIssue({ code: "custom", path: [key], message });
    }
  });
  return z
    .strictObject({
      dateField: z.enum(dates as [string, ...string[]]).optional(),
      within: spanSchema.optional(),
      atLeastAgo: spanSchema.optional(),
      where: where.optional(),
      anyOf: z.array(where).min(1).optional(),
    })
    .optional() as z.ZodType<Record<string, unknown> | undefined>;
}

// The values a field of a collection's entries takes: the record schema's, or the derived field's type.
function fieldValues(collection: string, field: string, type: "string" | "number" | "boolean"): FactValues {
  const schema = recordFieldSchema(`${collection}.${field}`);
  if (schema) return valuesOfSchema(schema);
  return type === "boolean" ? { kind: "oneOf", values: [true, false] } : type === "number" ? { kind: "number", nullable: false } : { kind: "any" };
}

function matcherProblems(collection: string, field: string, type: "string" | "number" | "boolean", matcher: Matcher): string[] {
  const values = fieldValues(collection, field, type);
  const fits = (v: unknown) =>
    values.kind === "oneOf" ? values.values.includes(v as string) : values.kind === "number" ? typeof v === "number" || (v === null && values.nullable) : true;
  const expected = values.kind === "oneOf" ? `one of ${values.values.map((v) => JSON.stringify(v)).join(", ")}` : "a number";
  const tested = Array.isArray(matcher) ? matcher : matcher !== null && typeof matcher === "object" ? (matcher.notIn ?? []) : [matcher];
  const problems = tested.filter((v) => !fits(v)).map((v) => `${collection} entries' ${field} is never ${JSON.stringify(v)}; it is ${expected}`);
  if (matcher !== null && typeof matcher === "object" && !Array.isArray(matcher) && (matcher.lessThan !== undefined || matcher.atLeast !== undefined) && values.kind !== "number") {
    problems.push(`lessThan and atLeast compare numbers; ${collection} entries' ${field} is ${expected}`);
  }
  return problems;
}

function matches(value: unknown, matcher: Matcher): boolean {
  if (Array.isArray(matcher)) return matcher.some((m) => m === value);
  if (matcher !== null && typeof matcher === "object") {
    if (matcher.notIn !== undefined && matcher.notIn.some((m) => m === value)) return false;
    if (matcher.lessThan === undefined && matcher.atLeast === undefined) return true;
    if (typeof value !== "number") return false;
    return (matcher.lessThan === undefined || value < matcher.lessThan) && (matcher.atLeast === undefined || value >= matcher.atLeast);
  }
  return value === matcher;
}

function matchesWhere(entry: Entry, where: Record<string, Matcher> | undefined): boolean {
  return where === undefined || Object.entries(where).every(([field, m]) => matches(entry[field], m));
}

/** The params of a collection fact: which entries of the collection it returns. */
export interface EntrySelector {
  dateField?: string;
  within?: Span;
  atLeastAgo?: Span;
  where?: Record<string, Matcher>;
  anyOf?: Array<Record<string, Matcher>>;
}

/**
 * The entries of a collection that a selector picks on asOf.
 *
 * @param ctx - the fact context
 * @param collection - e.g. "penalties"
 * @param selector - window on a date field, field tests, alternatives
 * @returns the matching entries, in the context's canonical order
 */
export function selectEntries(ctx: FactContext, collection: string, selector: EntrySelector): Entry[] {
  const dateField = selector.dateField ?? COLLECTION_DATE_FIELDS[collection]![0]!;
  // The window's bounds, once per selection rather than per entry: isWithin and isAtLeastAgo compare with these.
  const after = selector.within ? minusSpan(ctx.asOf, selector.within) : null;
  const notAfter = selector.atLeastAgo ? minusSpan(ctx.asOf, selector.atLeastAgo) : null;
  return ctx.collections[collection]!.filter((e) => {
    const date = e[dateField];
    if ((selector.within || selector.atLeastAgo) && typeof date !== "string") return false;
    if (after !== null && !((date as string) <= ctx.asOf && (date as string) > after)) return false;
    if (notAfter !== null && !((date as string) <= notAfter)) return false;
    if (!matchesWhere(e, selector.where)) return false;
    return selector.anyOf === undefined || selector.anyOf.some((w) => matchesWhere(e, w));
  });
}

/** The record's single-valued fields, each a fact named by its path. */
const RECORD_FIELDS: ReadonlyArray<[string, string]> = [
  ["type", "organization type 组织类型"],
  ["isTradeAssociation", "is a trade association 是否行业协会商会"],
  ["isCharity", "is a charity 是否慈善组织"],
  ["party.charterClause", "party building written into the charter 党建入章"],
  ["party.coverage", "party organization coverage 党组织覆盖"],
  ["party.required", "a party organization is required 应建党组织"],
  ["party.activity", "party organization activity 党组织活动"],
  ["party.integrityRules", "integrity rules 清廉制度"],
  ["filings.changesOnTime", "changes filed on time 变更按时备案"],
  ["filings.electionOnSchedule", "leadership election on schedule, null when not yet due 按期换届"],
  ["governance.meetings", "general assembly and board meetings 会议召开"],
  ["governance.auditOpinion", "audit opinion 审计意见"],
  ["governance.financeCompliant", "finances compliant 财务合规"],
  ["governance.disclosure", "information disclosure 信息公开"],
  ["satisfactionPercent", "satisfaction survey result, null without survey 满意度"],
  ["supervisorRating", "supervising department's rating 业务主管单位评价"],
  ["responsiblePersonDisqualified", "responsible person disqualified 负责人失信或受刑事处罚"],
  ["courtDefaulter", "the organization is a court judgment defaulter 失信被执行人"],
  ["unreachable", "cannot be reached at its registered address 无法取得联系"],
];

function readPath(record: unknown, keys: readonly string[]): FactValue {
  let value: unknown = record;
  for (const key of keys) value = (value as Record<string, unknown>)[key];
  return value as FactValue;
}

const lastYearsParams = z.strictObject({ last: z.number().int().min(1).max(50) }) as z.ZodType<Record<string, unknown>>;

function dueYears(ctx: FactContext, last: number): number[] {
  return Array.from({ length: last }, (_, i) => ctx.latestDueYear - i);
}

const definitions: FactDefinition[] = [
  ...RECORD_FIELDS.map(([path, description]): FactDefinition => {
    const keys = path.split(".");
    return {
      name: path,
      description: `The record's ${description}.`,
      stage: "scoring",
      params: noParams,
      values: valuesOfSchema(recordFieldSchema(path)!),
      compute: (ctx) => readPath(ctx.record, keys),
    };
  }),
  {
    name: "dueInspection",
    description:
      "The inspection of the latest due year (yearsBack 0) or a year before it: pass | basic_pass | fail | not_filed (required, no entry) | exempt (registered after 30 June of that year).",
    stage: "scoring",
    params: z.strictObject({ yearsBack: z.number().int().min(0).max(50) }) as z.ZodType<Record<string, unknown>>,
    values: { kind: "oneOf", values: [...INSPECTION_RESULTS, "exempt"] },
    compute: (ctx, p) => inspectionOf(ctx.record, ctx.latestDueYear - (p.yearsBack as number)),
  },
  {
    name: "dueInspectionsRequired",
    description: "How many of the latest due year and the (last − 1) years before it are required.",
    stage: "scoring",
    params: lastYearsParams,
    values: { kind: "number", nullable: false, min: 0 },
    compute: (ctx, p) => dueYears(ctx, p.last as number).filter((y) => inspectionOf(ctx.record, y) !== "exempt").length,
  },
  {
    name: "dueInspectionsFiled",
    description: "How many of those required years have an inspection other than not_filed.",
    stage: "scoring",
    params: lastYearsParams,
    // Counted among the required years: never more than dueInspectionsRequired with the same params.
    values: { kind: "number", nullable: false, min: 0, atMost: "dueInspectionsRequired" },
    compute: (ctx, p) =>
      dueYears(ctx, p.last as number).filter((y) => !["exempt", "not_filed"].includes(inspectionOf(ctx.record, y))).length,
  },
  {
    name: "evaluationGrade",
    description: "The evaluation grade valid on asOf (awardedOn <= asOf < expiresOn; expiresOn defaults to awardedOn + 5 years), or none.",
    stage: "scoring",
    params: noParams,
    values: { kind: "oneOf", values: [...GRADES, "none"] },
    compute: (ctx) => validEvaluation(ctx.record, ctx.asOf).grade,
  },
  {
    name: "registeredBefore",
    description: "Whether registeredOn is strictly before asOf minus the span `ago`.",
    stage: "scoring",
    params: z.strictObject({ ago: spanSchema }) as z.ZodType<Record<string, unknown>>,
    values: { kind: "oneOf", values: [true, false] },
    compute: (ctx, p) => ctx.record.registeredOn < minusSpan(ctx.asOf, p.ago as Span),
  },
  ...Object.keys(COLLECTION_FIELDS).map(
    (collection): FactDefinition => ({
      name: collection,
      description: `The ${collection} entries dated on or before asOf that the params select (window on a date field, field tests, alternatives), as an array.`,
      stage: "scoring",
      params: selectorSchema(collection),
      collection,
      values: { kind: "entries" },
      compute: (ctx, p) => selectEntries(ctx, collection, (p ?? {}) as EntrySelector),
    }),
  ),
  ...(["score", "scoreLevel", "grade", "held"] as const).map(
    (key): FactDefinition => ({
      name: key,
      description: {
        score: "The final score.",
        scoreLevel: "The level by score alone.",
        grade: "The final level, after caps, gate and vetoes.",
        held: "Ids of every cap, veto and abnormal cause that holds, and GATE when the gate holds.",
      }[key],
      stage: "outcome",
      params: noParams,
      values: ({ score: { kind: "number", nullable: false }, scoreLevel: { kind: "level" }, grade: { kind: "level" }, held: { kind: "heldIds" } } as const)[key],
      compute: (ctx) => {
        if (!ctx.outcome) throw new Error(`fact ${key} is only known after scoring`);
        return ctx.outcome[key];
      },
    }),
  ),
];

/** Every fact a rule may name, by name. */
export const FACTS: ReadonlyMap<string, FactDefinition> = new Map(definitions.map((d) => [d.name, d]));

/**
 * Computes a fact's value on a context, memoized per params.
 *
 * @param ctx - the fact context
 * @param name - a fact name from `FACTS`
 * @param params - the condition's params
 * @returns the fact's value
 */
export function factValue(ctx: FactContext, name: string, params?: Record<string, unknown>): FactValue {
  const slot = slotOf(params === undefined ? name : `${name}${canonicalJson(params)}`);
  const cached = ctx.memo[slot];
  if (cached !== undefined) return cached;
  const def = FACTS.get(name);
  if (!def) throw new Error(`unknown fact ${name}`);
  const value = def.compute(ctx, params ?? {});
  ctx.memo[slot] = value;
  return value;
}

/**
 * The place of a fact with given params in a context's memo: one number per fact name and canonical params,
 * given out in order of first use. A memo is an array indexed by it, not a map of strings built per context.
 */
function slotOf(key: string): number {
  let slot = SLOTS.get(key);
  if (slot === undefined) SLOTS.set(key, (slot = SLOTS.size));
  return slot;
}
const SLOTS = new Map<string, number>();

/**
 * The reader of one fact with fixed params, for evaluators that resolve facts once, ahead of any
 * context: the same value and memo entry as `factValue`, without canonicalizing the params per call.
 *
 * @param name - a fact name from `FACTS`
 * @param params - the condition's params (undefined when it gives none)
 * @returns `(ctx) => value`, or undefined for an unknown fact
 * @example
 * const activities12 = factAccessor("activities", { within: { months: 12 } })!;
 * activities12(createFactContext(record, "2023-05-31")); // the entries of the last 12 months
 */
export function factAccessor(name: string, params?: Record<string, unknown>): ((ctx: FactContext) => FactValue) | undefined {
  const def = FACTS.get(name);
  if (!def) return undefined;
  const slot = slotOf(params === undefined ? name : `${name}${canonicalJson(params)}`);
  const given = params ?? {};
  return (ctx) => {
    const cached = ctx.memo[slot];
    if (cached !== undefined) return cached;
    const value = def.compute(ctx, given);
    ctx.memo[slot] = value;
    return value;
  };
}
