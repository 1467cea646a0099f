import { canonicalJson, sha256, sortCanonically } from "./_lib/canonical.js";
import { isIsoDate } from "./_lib/dates.js";
import { createReferenceEvaluator } from "./engine/reference-engine.js";
import type { ConditionEvaluator } from "./engine/checks.js";
import { InvalidAsOfError, InvalidRecordError, SocialOrgCreditError, type RecordIssue } from "./errors.js";
import { createFactContext } from "./facts/context.js";
import { safeParseOrganizationRecord } from "./record/parse.js";
import type { OrganizationRecord } from "./record/schema.js";
import { assembleOutcome, assembleScoring, nextLevelOf, topReasons } from "./result/assemble.js";
import type { Result } from "./result/types.js";
import { referenceRuleSet } from "./rule-set/reference.js";
import { createDatedEvaluator } from "./rule-set/versions.js";
import type { RuleSet } from "./rule-set/schema.js";
import { LIBRARY_VERSION } from "./version.js";

/** Options of one evaluation. */
export interface EvaluateOptions {
  /** The evaluation date, `YYYY-MM-DD` (China Standard Time calendar date). Never defaulted to today. */
  asOf: string;
}

/** One row of a batch: a result, or the error that refused the input at that position. */
export type BatchRow =
  | { index: number; ok: true; result: Result }
  | { index: number; ok: false; organizationId: string | null; error: { code: string; message: string; issues: RecordIssue[] } };

/** An evaluator built once for a rule set and reused. */
export interface Evaluator {
  readonly ruleSet: RuleSet;
  /** Validates a record and evaluates it on asOf; throws InvalidRecordError or InvalidAsOfError. */
  evaluate(record: unknown, options: EvaluateOptions): Promise<Result>;
  /** Evaluates every input; each comes back, in input order, as a result or an error row. */
  evaluateMany(records: Iterable<unknown>, options: EvaluateOptions): Promise<BatchRow[]>;
}

/** The record with every array in canonical order, so that the digest ignores the order of entries. */
function canonicalRecord(record: OrganizationRecord): unknown {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, Array.isArray(v) ? sortCanonically(v as unknown[]) : v]));
}

async function evaluateParsed(ruleSet: RuleSet, conditions: ConditionEvaluator, record: OrganizationRecord, asOf: string): Promise<Result> {
  const ctx = createFactContext(record, asOf);
  const scoring = assembleScoring(ruleSet, ctx, await conditions.run("scoring", ctx));
  ctx.outcome = scoring.outcome;
  const { measures, listActions } = assembleOutcome(ruleSet, await conditions.run("outcome", ctx));
  const digest = sha256(canonicalJson({ record: canonicalRecord(record), asOf, ruleSet: ruleSet.digest, library: LIBRARY_VERSION }));
  return {
    organizationId: record.id,
    name: record.name,
    asOf,
    ruleSet: { id: ruleSet.id, version: ruleSet.version, digest: ruleSet.digest },
    score: scoring.score,
    scoreLevel: scoring.scoreLevel,
    grade: scoring.grade,
    seriouslyDishonest: scoring.vetoes.length > 0,
    baseScore: scoring.baseScore,
    dimensions: scoring.dimensions,
    items: scoring.items,
    deductions: scoring.deductions,
    deductionTotal: scoring.deductionTotal,
    bonuses: scoring.bonuses,
    bonusTotal: scoring.bonusTotal,
    caps: scoring.caps,
    gate: scoring.gate,
    vetoes: scoring.vetoes,
    measures,
    listActions,
    reasons: topReasons(scoring.items, scoring.deductions),
    nextLevel: nextLevelOf(ruleSet, scoring),
    libraryVersion: LIBRARY_VERSION,
    digest,
  };
}

function checkAsOf(asOf: unknown): string {
  if (typeof asOf !== "string" || !isIsoDate(asOf)) throw new InvalidAsOfError(asOf);
  return asOf;
}

function readableId(input: unknown): string | null {
  try {
    const id = input !== null && typeof input === "object" ? (input as { id?: unknown }).id : undefined;
    return typeof id === "string" ? id.slice(0, 64) : null;
  } catch {
    return null; // a getter or Proxy that throws: the error row still comes back, without an id
  }
}

/**
 * Builds an evaluator for a rule set once, to evaluate many organizations with it.
 *
 * @param ruleSet - a rule set from `loadRuleSet`; the bundled reference set when omitted. A rule set with
 *   versions evaluates each record with the version in force on its asOf.
 * @returns `{ evaluate, evaluateMany }`
 * @example
 * const evaluator = createEvaluator();
 * const rows = await evaluator.evaluateMany(records, { asOf: "2023-05-31" });
 * for (const row of rows) console.log(row.ok ? row.result.grade : row.error.message);
 */
export function createEvaluator(ruleSet: RuleSet = referenceRuleSet): Evaluator {
  if (ruleSet.versions) return createDatedEvaluator(ruleSet, createEvaluator);
  const conditions = createReferenceEvaluator(ruleSet);
  const evaluateOne = async (input: unknown, options: EvaluateOptions): Promise<Result> => {
    const asOf = checkAsOf(options?.asOf);
    const parsed = safeParseOrganizationRecord(input, { asOf });
    if (!parsed.success) throw parsed.error;
    return evaluateParsed(ruleSet, conditions, parsed.data, asOf);
  };
  return {
    ruleSet,
    evaluate: evaluateOne,
    async evaluateMany(records, options) {
      checkAsOf(options?.asOf);
      const rows: BatchRow[] = [];
      let index = 0;
      for (const input of records) {
        const at = index++;
        try {
          rows.push({ index: at, ok: true, result: await evaluateOne(input, options) });
        } catch (error) {
          if (!(error instanceof SocialOrgCreditError)) throw error;
          const issues = error instanceof InvalidRecordError ? error.issues : [];
          rows.push({ index: at, ok: false, organizationId: readableId(input), error: { code: error.code, message: error.message, issues } });
        }
      }
      return rows;
    },
  };
}

// One evaluator per rule set, so that repeated calls of evaluate() do not rebuild the engines.
const evaluators = new WeakMap<RuleSet, Evaluator>();

/**
 * Validates an organization record and evaluates it on asOf: score, level, caps, gate, vetoes,
 * measures, list actions, explanations and digest.
 *
 * @param record - an organization record v1 (validated here)
 * @param options - `asOf` (required) and `ruleSet` (the bundled reference set when omitted)
 * @returns the result
 * @throws InvalidRecordError listing every problem of the record; InvalidAsOfError for a bad asOf;
 *   NoRuleSetInForceError when the rule set is a folder of versions none of which is in force on asOf
 * @example
 * const result = await evaluate(record, { asOf: "2023-05-31" });
 * console.log(result.score, result.grade); // 1000 "A"
 */
export async function evaluate(record: unknown, options: EvaluateOptions & { ruleSet?: RuleSet }): Promise<Result> {
  const ruleSet = options?.ruleSet ?? referenceRuleSet;
  let evaluator = evaluators.get(ruleSet);
  if (!evaluator) {
    evaluator = createEvaluator(ruleSet);
    evaluators.set(ruleSet, evaluator);
  }
  return evaluator.evaluate(record, options);
}
