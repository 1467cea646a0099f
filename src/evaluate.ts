import { sha256 } from "./_lib/canonical.js";
import { JsonBytes } from "./_lib/json-bytes.js";
import { writeCanonicalRecord } from "./record/canonical.js";
import { isIsoDate } from "./_lib/dates.js";
import { evaluateInOrder, recordOfTask, type TaskOutcome } from "./audit/parallel.js";
import { createCompiledEvaluator, type SyncConditionEvaluator } from "./engine/compiled-engine.js";
import { createReferenceEvaluator } from "./engine/reference-engine.js";
import type { ConditionEvaluator } from "./engine/checks.js";
import { InvalidAsOfError, InvalidRecordError, SocialOrgCreditError, type RecordIssue } from "./errors.js";
import { createFactContext } from "./facts/context.js";
import { safeParseOrganizationRecord } from "./record/parse.js";
import type { OrganizationRecord } from "./record/schema.js";
import { assembleOutcome, assembleScoring, nextLevelOf, topReasons, type Scoring } from "./result/assemble.js";
import type { Result } from "./result/types.js";
import { checkedRuleSet } from "./rule-set/load.js";
import { referenceRuleSet } from "./rule-set/reference.js";
import { createDatedEvaluator } from "./rule-set/versions.js";
import type { RuleSet } from "./rule-set/schema.js";
import { LIBRARY_VERSION } from "./version.js";

/** Options of one evaluation. */
export interface EvaluateOptions {
  /** The evaluation date, `YYYY-MM-DD` (China Standard Time calendar date). Never defaulted to today. */
  asOf: string;
}

/** Which evaluator runs the rules' conditions: both give byte-identical results. */
export type EngineName = "compiled" | "reference";

/** Options of `createEvaluator`. */
export interface EvaluatorOptions {
  /**
   * `compiled` (default): the conditions compiled once into synchronous closures; `reference`: run by
   * json-rules-engine, the reference semantics the compiled evaluator is tested against.
   */
  engine?: EngineName;
}

/** Options of a batch. */
export interface BatchOptions extends EvaluateOptions {
  /**
   * Worker threads to spread the batch over; 0 evaluates on the calling thread. By default a batch of
   * at least `PARALLEL_THRESHOLD` records uses one worker per core, a smaller one none. A result from a
   * worker arrives as JSON and is parsed here: equal to the one-thread result as JSON, byte for byte.
   */
  workers?: number;
}

/** Why an input of a batch was refused. */
export interface BatchError {
  /**
   * The code of the error that refused it (`invalid_record`, `invalid_as_of`, `no_rule_set_in_force`…), or
   * `worker_failed`: the worker thread evaluating it failed on it (ran out of memory, stopped, threw), also
   * when it was retried alone with a larger heap; every other input of the batch is evaluated.
   */
  code: string;
  message: string;
  issues: RecordIssue[];
}

/** One row of a batch: a result, or the error that refused the input at that position. */
export type BatchRow =
  | { index: number; ok: true; result: Result }
  | { index: number; ok: false; organizationId: string | null; error: BatchError };

/** An evaluator built once for a rule set and reused. */
export interface Evaluator {
  readonly ruleSet: RuleSet;
  readonly engine: EngineName;
  /** Validates a record and evaluates it on asOf; throws InvalidRecordError or InvalidAsOfError. */
  evaluate(record: unknown, options: EvaluateOptions): Promise<Result>;
  /** Evaluates every input; each comes back, in input order, as a result or an error row. */
  evaluateMany(records: Iterable<unknown>, options: BatchOptions): Promise<BatchRow[]>;
  /** Like `evaluateMany`, as a stream: rows come in input order while the input is still being read. */
  evaluateEach(records: Iterable<unknown> | AsyncIterable<unknown>, options: BatchOptions): AsyncGenerator<BatchRow>;
}

/** An evaluator of the compiled engine, which can also evaluate synchronously. */
export interface SyncEvaluator extends Evaluator {
  readonly engine: "compiled";
  /** `evaluate` without the promise: for loops over many records on one thread. */
  evaluateSync(record: unknown, options: EvaluateOptions): Result;
}

/**
 * The digest of an evaluation: sha256 over the canonical JSON of `{ record, asOf, ruleSet digest, library
 * version }`, with every array of the record in canonical order so that the order of entries does not count.
 *
 * @param record - the validated record
 * @param asOf - the evaluation date
 * @param ruleSet - the rule set
 * @returns `sha256:…`
 * @example
 * digestOf(record, "2023-05-31", referenceRuleSet); // "sha256:3f…"
 */
export function digestOf(record: OrganizationRecord, asOf: string, ruleSet: RuleSet): string {
  // canonicalJson({ asOf, library, record: <arrays sorted>, ruleSet }) written as UTF-8 in one pass, the
  // record by the plan its schema gives (src/record/canonical.ts), and hashed as bytes.
  const w = digestBytes;
  w.at = 0;
  w.ascii('{"asOf":');
  w.string(asOf);
  w.ascii(',"library":');
  w.string(LIBRARY_VERSION);
  w.ascii(',"record":');
  writeCanonicalRecord(w, record);
  w.ascii(',"ruleSet":');
  w.string(ruleSet.digest);
  w.ascii("}");
  return sha256(w.bytes.subarray(0, w.at));
}
// Reused by every digest of this thread: digestOf returns before anything else writes it.
const digestBytes = new JsonBytes(1 << 14);

/** The complete Result from the assembled stages: the record's fields, scoring, outcome, reasons, next level and digest. */
export function resultOf(ruleSet: RuleSet, record: OrganizationRecord, asOf: string, scoring: Scoring, outcome: ReturnType<typeof assembleOutcome>): Result {
  const { measures, listActions } = outcome;
  const digest = digestOf(record, asOf, ruleSet);
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

async function evaluateParsed(ruleSet: RuleSet, conditions: ConditionEvaluator, record: OrganizationRecord, asOf: string): Promise<Result> {
  const ctx = createFactContext(record, asOf);
  const scoring = assembleScoring(ruleSet, ctx, await conditions.run("scoring", ctx));
  ctx.outcome = scoring.outcome;
  return resultOf(ruleSet, record, asOf, scoring, assembleOutcome(ruleSet, await conditions.run("outcome", ctx)));
}

function evaluateParsedSync(ruleSet: RuleSet, conditions: SyncConditionEvaluator, record: OrganizationRecord, asOf: string): Result {
  const ctx = createFactContext(record, asOf);
  const scoring = assembleScoring(ruleSet, ctx, conditions.runSync("scoring", ctx));
  ctx.outcome = scoring.outcome;
  return resultOf(ruleSet, record, asOf, scoring, assembleOutcome(ruleSet, conditions.runSync("outcome", ctx)));
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
 * The error row of an input refused by an error of this library; any other error is a fault and is rethrown.
 *
 * @param input - the refused input
 * @param error - what `evaluate` threw
 * @returns the row's `organizationId` and `error`
 */
export function refusalOf(input: unknown, error: unknown): { organizationId: string | null; error: BatchError } {
  if (!(error instanceof SocialOrgCreditError)) throw error;
  const issues = error instanceof InvalidRecordError ? error.issues : [];
  return { organizationId: readableId(input), error: { code: error.code, message: error.message, issues } };
}

function parse(input: unknown, options: EvaluateOptions): { record: OrganizationRecord; asOf: string } {
  const asOf = checkAsOf(options?.asOf);
  const parsed = safeParseOrganizationRecord(input, { asOf });
  if (!parsed.success) throw parsed.error;
  return { record: parsed.data, asOf };
}

/**
 * Builds an evaluator for a rule set once, to evaluate many organizations with it.
 *
 * @param ruleSet - a rule set from `loadRuleSet`; the bundled reference set when omitted. A rule set with
 *   versions evaluates each record with the version in force on its asOf.
 * @param options - `engine`: `compiled` (default) or `reference` (json-rules-engine)
 * @returns `{ evaluate, evaluateMany, evaluateEach }`, and `evaluateSync` for the compiled engine
 * @throws RuleSetError when a condition cannot be compiled (an operator the compiler does not support), or, for
 *   a rule set object this library did not load (made by hand, copied, changed), when it fails any check the
 *   loader makes. Such an object is rebuilt by the loader: the evaluator's `ruleSet` is a frozen copy whose
 *   digest is computed from its content (a digest the object carries is ignored), so changing the object
 *   afterwards changes nothing
 * @example
 * const evaluator = createEvaluator();
 * const rows = await evaluator.evaluateMany(records, { asOf: "2023-05-31" });
 * for (const row of rows) console.log(row.ok ? row.result.grade : row.error.message);
 * const reference = createEvaluator(referenceRuleSet, { engine: "reference" });
 */
export function createEvaluator(ruleSet?: RuleSet, options?: { engine?: "compiled" }): SyncEvaluator;
export function createEvaluator(ruleSet?: RuleSet, options?: EvaluatorOptions): Evaluator;
export function createEvaluator(given: RuleSet = referenceRuleSet, options: EvaluatorOptions = {}): Evaluator {
  const engine = options.engine ?? "compiled";
  if (engine !== "compiled" && engine !== "reference") throw new TypeError(`engine must be "compiled" or "reference"; found ${JSON.stringify(engine)}`);
  // A loaded set is used as it is; any other object is checked as the loader checks files, copied frozen and
  // digested from its content: results carry the digest of the rules they were computed with, whatever the
  // object claims or becomes afterwards.
  const ruleSet = checkedRuleSet(given);
  if (ruleSet.versions) return createDatedEvaluator(ruleSet, engine, (version) => createEvaluator(version, { engine }));
  const core: Pick<SyncEvaluator, "evaluate"> & Partial<Pick<SyncEvaluator, "evaluateSync">> = (() => {
    if (engine === "reference") {
      const conditions = createReferenceEvaluator(ruleSet);
      return {
        async evaluate(input: unknown, evaluateOptions: EvaluateOptions) {
          const { record, asOf } = parse(input, evaluateOptions);
          return evaluateParsed(ruleSet, conditions, record, asOf);
        },
      };
    }
    const conditions = createCompiledEvaluator(ruleSet);
    const evaluateSync = (input: unknown, evaluateOptions: EvaluateOptions): Result => {
      const { record, asOf } = parse(input, evaluateOptions);
      return evaluateParsedSync(ruleSet, conditions, record, asOf);
    };
    return { evaluateSync, evaluate: async (input: unknown, evaluateOptions: EvaluateOptions) => evaluateSync(input, evaluateOptions) };
  })();
  const evaluator: Evaluator = {
    ruleSet,
    engine,
    ...core,
    evaluateEach: (records, batchOptions) => evaluateEach(evaluator, records, batchOptions),
    async evaluateMany(records, batchOptions) {
      const rows: BatchRow[] = [];
      for await (const row of evaluateEach(evaluator, records, batchOptions)) rows.push(row);
      return rows;
    },
  };
  return evaluator;
}

/**
 * Evaluates one batch input to a row's content, on whatever thread runs it.
 *
 * @param evaluator - the evaluator
 * @param input - the record
 * @param asOf - its evaluation date
 * @returns the result, or the refusal of an input this library rejects (a promise for the reference engine)
 * @throws any error that is not this library's refusal of the input (a fault)
 */
export function evaluateTask(evaluator: Evaluator, input: unknown, asOf: string): TaskOutcome | Promise<TaskOutcome> {
  if ("evaluateSync" in evaluator) {
    // The compiled engine answers synchronously: no promise per record.
    try {
      return { ok: true, result: (evaluator as SyncEvaluator).evaluateSync(input, { asOf }) };
    } catch (error) {
      return { ok: false, ...refusalOf(input, error) };
    }
  }
  return evaluator.evaluate(input, { asOf }).then(
    (result): TaskOutcome => ({ ok: true, result }),
    (error: unknown): TaskOutcome => ({ ok: false, ...refusalOf(input, error) }),
  );
}

async function* evaluateEach(evaluator: Evaluator, records: Iterable<unknown> | AsyncIterable<unknown>, options: BatchOptions): AsyncGenerator<BatchRow> {
  const asOf = checkAsOf(options?.asOf);
  let index = 0;
  const outcomes = evaluateInOrder(records, (record) => ({ record, asOf }), {
    ruleSet: evaluator.ruleSet,
    engine: evaluator.engine,
    workers: options.workers,
    // The tasks here are records, never texts, so every outcome is a result or a refusal.
    local: (t) => evaluateTask(evaluator, recordOfTask(t)!.record, t.asOf),
  });
  for await (const [, outcome] of outcomes) {
    const at = index++;
    yield outcome!.ok ? { index: at, ok: true, result: outcome!.result } : { index: at, ok: false, organizationId: outcome!.organizationId, error: outcome!.error };
  }
}

// Evaluators already built, per rule set object and engine: a rule set is compiled once, not per call.
const evaluators = new WeakMap<RuleSet, Partial<Record<EngineName, Evaluator>>>();

/**
 * Validates an organization record and evaluates it on asOf: score, level, caps, gate, vetoes,
 * measures, list actions, explanations and digest.
 *
 * @param record - an organization record v1 (validated here)
 * @param options - `asOf` (required), `ruleSet` (the bundled reference set when omitted) and `engine`
 *   (`compiled` by default, or `reference`: json-rules-engine; the results are byte-identical)
 * @returns the result
 * @throws InvalidRecordError listing every problem of the record; InvalidAsOfError for a bad asOf;
 *   NoRuleSetInForceError when the rule set is a folder of versions none of which is in force on asOf
 * @example
 * const result = await evaluate(record, { asOf: "2023-05-31" });
 * console.log(result.score, result.grade); // 1000 "A"
 */
export async function evaluate(record: unknown, options: EvaluateOptions & { ruleSet?: RuleSet; engine?: EngineName }): Promise<Result> {
  const ruleSet = options?.ruleSet ?? referenceRuleSet;
  const engine = options?.engine ?? "compiled";
  let byEngine = evaluators.get(ruleSet);
  if (!byEngine) evaluators.set(ruleSet, (byEngine = {}));
  byEngine[engine] ??= createEvaluator(ruleSet, { engine });
  return byEngine[engine]!.evaluate(record, options);
}
