import { z } from "zod";

/** The operators a condition may use: json-rules-engine's built-ins and the two this library adds. */
export const OPERATORS = [
  "equal",
  "notEqual",
  "lessThan",
  "lessThanInclusive",
  "greaterThan",
  "greaterThanInclusive",
  "in",
  "notIn",
  "contains",
  "doesNotContain",
  "countAtLeast",
  "countAtMost",
] as const;

/** Deepest nesting of all/any/not a rule may use, counting the named conditions it refers to. */
export const MAX_CONDITION_DEPTH = 8;

/** Largest score scale a rule set may declare; every point value lies within ± this, so no sum can overflow. */
export const MAX_SCORE_LIMIT = 1_000_000;

/** A whole number of points within ±MAX_SCORE_LIMIT. */
const pointNumber = () => z.number().int().min(-MAX_SCORE_LIMIT).max(MAX_SCORE_LIMIT);

export const labelSchema = z.strictObject({ zh: z.string().min(1), en: z.string().min(1) });

const idSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "letters, digits, _ and - only (it names the file)");
const primitive = z.union([z.string(), z.number().finite(), z.boolean(), z.null()]);

/** The name of a fact of the catalogue (src/facts/); the loader refuses unknown names. */
export const factNameSchema = z.string().min(1).meta({ description: "a fact computed from the record and asOf (see src/facts/catalogue.ts)" });

/** A json-rules-engine fact condition. `path` (JSONPath) and fact-valued `value` are not allowed. */
export const leafConditionSchema = z.strictObject({
  fact: factNameSchema,
  operator: z.enum(OPERATORS),
  value: z.union([primitive, z.array(primitive)]),
  params: z.record(z.string(), z.unknown()).optional(),
});
export type LeafCondition = z.infer<typeof leafConditionSchema>;

/** A json-rules-engine condition tree: all / any / not / a named shared condition / a fact test. */
export type Condition =
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition }
  | { condition: string }
  | LeafCondition;

export const conditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z.strictObject({ all: z.array(conditionSchema) }),
    z.strictObject({ any: z.array(conditionSchema) }),
    z.strictObject({ not: conditionSchema }),
    z.strictObject({ condition: z.string().min(1) }),
    leafConditionSchema,
  ]),
);

/** A top-level condition, as json-rules-engine requires: all, any, not or a named condition. */
export type TopLevelCondition = Exclude<Condition, LeafCondition>;
export const topLevelConditionSchema = conditionSchema.refine((c) => !("fact" in c), {
  message: "a rule's conditions must start with all, any, not or condition",
}) as z.ZodType<TopLevelCondition>;

export const factRefSchema = z.strictObject({ fact: factNameSchema, params: z.record(z.string(), z.unknown()).optional() });
export type FactRef = z.infer<typeof factRefSchema>;

/** An item's points: a whole number, or floor(of × numerator ÷ denominator) of two facts. */
export const pointsSchema = z.union([
  pointNumber(),
  z.strictObject({ fraction: z.strictObject({ numerator: factRefSchema, denominator: factRefSchema }), of: pointNumber().min(0) }),
]);
export type Points = z.infer<typeof pointsSchema>;

const common = {
  id: idSchema,
  label: labelSchema,
  basis: z.array(z.string().min(1)).min(1),
  note: z.string().optional(),
};

export const itemRuleSchema = z.strictObject({
  ...common,
  kind: z.literal("item"),
  dimension: z.string().min(1),
  max: pointNumber().min(0),
  cases: z.array(z.strictObject({ points: pointsSchema, conditions: topLevelConditionSchema })),
  otherwise: pointsSchema,
});

export const deductionRuleSchema = z.strictObject({
  ...common,
  kind: z.literal("deduction"),
  points: pointNumber().max(-1),
  each: factRefSchema.optional(),
  conditions: topLevelConditionSchema.optional(),
});

export const bonusRuleSchema = z.strictObject({
  ...common,
  kind: z.literal("bonus"),
  points: pointNumber().min(1),
  each: factRefSchema,
});

export const capRuleSchema = z.strictObject({ ...common, kind: z.literal("cap"), atBest: z.string().min(1), conditions: topLevelConditionSchema });
export const vetoRuleSchema = z.strictObject({ ...common, kind: z.literal("veto"), conditions: topLevelConditionSchema });
export const causeRuleSchema = z.strictObject({ ...common, kind: z.literal("cause"), conditions: topLevelConditionSchema });

export const gateRuleSchema = z.strictObject({
  ...common,
  kind: z.literal("gate"),
  level: z.string().min(1),
  parts: z.array(z.strictObject({ id: idSchema, label: labelSchema, conditions: topLevelConditionSchema })).min(1),
});

export const measureRuleSchema = z.strictObject({
  ...common,
  kind: z.literal("measure"),
  measureKind: z.enum(["incentive", "supervision", "restriction"]),
  triggers: z
    .array(z.strictObject({ reason: z.string().min(1), params: z.record(z.string(), primitive).optional(), conditions: topLevelConditionSchema }))
    .min(1),
});

export const listActionRuleSchema = z.strictObject({
  ...common,
  kind: z.literal("list-action"),
  when: topLevelConditionSchema.optional(),
  triggers: z.array(z.strictObject({ cause: z.string().min(1), conditions: topLevelConditionSchema })).min(1),
});

export const ruleSchema = z.discriminatedUnion("kind", [
  itemRuleSchema,
  deductionRuleSchema,
  bonusRuleSchema,
  capRuleSchema,
  vetoRuleSchema,
  causeRuleSchema,
  gateRuleSchema,
  measureRuleSchema,
  listActionRuleSchema,
]);
export type Rule = z.infer<typeof ruleSchema>;
export type RuleKind = Rule["kind"];
export type ItemRule = z.infer<typeof itemRuleSchema>;
export type DeductionRule = z.infer<typeof deductionRuleSchema>;
export type BonusRule = z.infer<typeof bonusRuleSchema>;
export type CapRule = z.infer<typeof capRuleSchema>;
export type VetoRule = z.infer<typeof vetoRuleSchema>;
export type CauseRule = z.infer<typeof causeRuleSchema>;
export type GateRule = z.infer<typeof gateRuleSchema>;
export type MeasureRule = z.infer<typeof measureRuleSchema>;
export type ListActionRule = z.infer<typeof listActionRuleSchema>;

/** The manifest's lists of rule ids, one per kind, in the order results list them. */
export const RULE_LISTS = {
  items: "item",
  deductions: "deduction",
  bonuses: "bonus",
  caps: "cap",
  vetoes: "veto",
  gate: "gate",
  causes: "cause",
  measures: "measure",
  listActions: "list-action",
} as const satisfies Record<string, RuleKind>;

export const manifestSchema = z.strictObject({
  id: idSchema,
  version: z.string().min(1),
  effectiveFrom: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  title: labelSchema,
  sources: z.record(z.string(), z.strictObject({ title: z.string().min(1), note: z.string().optional() })),
  dimensions: z.array(z.strictObject({ id: idSchema, max: pointNumber().min(0), label: labelSchema })).min(1),
  maxScore: pointNumber().min(1),
  /** Best first; each level's lowest score. The last level starts at 0. */
  levels: z.array(z.strictObject({ id: idSchema, minScore: pointNumber().min(0), label: labelSchema })).min(2),
  bonusCap: pointNumber().min(0),
  vetoLevel: z.string().min(1),
  rules: z.strictObject(
    Object.fromEntries(Object.keys(RULE_LISTS).map((k) => [k, z.array(idSchema)])) as Record<keyof typeof RULE_LISTS, z.ZodArray<typeof idSchema>>,
  ),
});
export type Manifest = z.infer<typeof manifestSchema>;

/** A loaded, checked rule set: plain data, safe to copy to a worker. */
export interface RuleSet {
  id: string;
  version: string;
  effectiveFrom: string;
  /** `sha256:` over the canonical JSON of the manifest, shared conditions and every rule. */
  digest: string;
  manifest: Manifest;
  /** Named shared conditions, referenced from rules as `{ "condition": name }`. */
  conditions: Record<string, TopLevelCondition>;
  rules: Rule[];
  /**
   * Every version of the rule set, oldest first, when it was loaded from a folder of versions; this
   * object is then the latest, and evaluation uses the version in force on asOf. Absent for a single
   * version, which applies on any asOf.
   */
  versions?: RuleSet[];
}
