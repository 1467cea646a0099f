import { canonicalJson, compareStrings } from "../_lib/canonical.js";
import { firstDayOutside, type Span } from "../_lib/dates.js";
import { factAccessor, factValue } from "../facts/catalogue.js";
import { COLLECTION_DATE_FIELDS, type Entry, type FactContext, type FactValue, type ScoringOutcome } from "../facts/context.js";
import { checkKey } from "../engine/checks.js";
import type { Condition, FactRef, Points, Rule, RuleSet } from "../rule-set/schema.js";
import type {
  BonusResult,
  CapResult,
  DeductionResult,
  DimensionResult,
  FactEvidence,
  GateResult,
  ItemResult,
  ListActionResult,
  MeasureResult,
  NextLevel,
  ReasonResult,
  VetoResult,
} from "./types.js";

type RuleOf<K extends Rule["kind"]> = Extract<Rule, { kind: K }>;

/** The rules of one manifest list, in the manifest's order. */
function rulesIn<K extends Rule["kind"]>(ruleSet: RuleSet, ids: readonly string[]): Array<RuleOf<K>> {
  // Looked up once per rule set and list: this runs for every organization.
  let lists = ruleLists.get(ruleSet);
  if (!lists) ruleLists.set(ruleSet, (lists = new Map()));
  let rules = lists.get(ids);
  if (!rules) {
    const byId = new Map(ruleSet.rules.map((r) => [r.id, r]));
    lists.set(ids, (rules = ids.map((id) => byId.get(id)!)));
  }
  return rules as Array<RuleOf<K>>;
}
const ruleLists = new WeakMap<RuleSet, Map<readonly string[], Rule[]>>();

/** The keys of a rule's checks (`checkKey(rule.id, i)`), kept per rule object: `fired` holds these strings. */
function keysOf(rule: Rule, count: number): string[] {
  let keys = ruleKeys.get(rule);
  if (keys === undefined || keys.length < count) {
    keys = Array.from({ length: count }, (_, i) => checkKey(rule.id, i));
    ruleKeys.set(rule, keys);
  }
  return keys;
}
const ruleKeys = new WeakMap<Rule, string[]>();

/** Whether a rule's only check holds. */
const holds = (fired: Set<string>, rule: Rule) => fired.has(keysOf(rule, 1)[0]!);

function factRefsIn(c: Condition, named: RuleSet["conditions"], out: FactRef[], seen: Set<string>): void {
  if ("all" in c) c.all.forEach((x) => factRefsIn(x, named, out, seen));
  else if ("any" in c) c.any.forEach((x) => factRefsIn(x, named, out, seen));
  else if ("not" in c) factRefsIn(c.not, named, out, seen);
  else if ("condition" in c) {
    if (!seen.has(`@${c.condition}`)) {
      seen.add(`@${c.condition}`);
      factRefsIn(named[c.condition]!, named, out, seen);
    }
  } else out.push({ fact: c.fact, params: c.params });
}

/** The facts a rule's evidence shows: found once per rule set and rule, read on every organization. */
type EvidencePlan = Array<{ fact: string; params: Record<string, unknown> | undefined; get: (ctx: FactContext) => FactValue }>;
const evidencePlans = new WeakMap<RuleSet, WeakMap<Rule, EvidencePlan>>();

/** The values of every fact the given conditions and references of a rule consult, once each, in order of appearance. */
function evidenceOf(ctx: FactContext, ruleSet: RuleSet, rule: Rule, conditions: () => Condition[], extra: () => FactRef[] = () => []): FactEvidence[] {
  let plans = evidencePlans.get(ruleSet);
  if (!plans) evidencePlans.set(ruleSet, (plans = new WeakMap()));
  let plan = plans.get(rule);
  if (!plan) {
    const refs: FactRef[] = [];
    const seen = new Set<string>();
    conditions().forEach((c) => factRefsIn(c, ruleSet.conditions, refs, seen));
    refs.push(...extra());
    plan = [];
    const keys = new Set<string>();
    for (const ref of refs) {
      const params = ref.params && Object.keys(ref.params).length > 0 ? ref.params : undefined;
      const key = `${ref.fact}${params ? canonicalJson(params) : ""}`;
      if (keys.has(key)) continue;
      keys.add(key);
      plan.push({ fact: ref.fact, params, get: factAccessor(ref.fact, params) ?? ((c) => factValue(c, ref.fact, params)) });
    }
    plans.set(rule, plan);
  }
  return plan.map(({ fact, params, get }) => (params ? { fact, params, value: get(ctx) } : { fact, value: get(ctx) }));
}

/** The reader of the fact a reference names: found once per reference object of the rule set, not per organization. */
function readerOf(ref: FactRef): (ctx: FactContext) => FactValue {
  let get = readers.get(ref);
  if (get === undefined) {
    get = factAccessor(ref.fact, ref.params) ?? ((c) => factValue(c, ref.fact, ref.params));
    readers.set(ref, get);
  }
  return get;
}
const readers = new WeakMap<FactRef, (ctx: FactContext) => FactValue>();

function pointsOf(ctx: FactContext, p: Points): number {
  if (typeof p === "number") return p;
  const num = readerOf(p.fraction.numerator)(ctx);
  const den = readerOf(p.fraction.denominator)(ctx);
  if (typeof num !== "number" || typeof den !== "number" || den <= 0) return 0;
  return Math.floor((p.of * num) / den);
}

/** The entries a deduction or bonus counts, each with the day it stops counting. */
function occurrences(ctx: FactContext, each: FactRef): Array<{ entry: Entry; countsUntil: string | null }> {
  const entries = readerOf(each)(ctx) as unknown as Entry[];
  const params = (each.params ?? {}) as { within?: Span; dateField?: string };
  const dateField = params.dateField ?? COLLECTION_DATE_FIELDS[each.fact]?.[0];
  return entries.map((entry) => ({
    entry,
    countsUntil: params.within && dateField && typeof entry[dateField] === "string" ? firstDayOutside(entry[dateField] as string, params.within) : null,
  }));
}

/** What the scoring stage yields. */
export interface Scoring {
  baseScore: number;
  dimensions: DimensionResult[];
  items: ItemResult[];
  deductions: DeductionResult[];
  deductionTotal: number;
  bonuses: BonusResult[];
  bonusTotal: number;
  score: number;
  scoreLevel: string;
  grade: string;
  caps: CapResult[];
  gate: GateResult;
  vetoes: VetoResult[];
  /** Ids of the abnormal causes that hold. */
  causes: string[];
  outcome: ScoringOutcome;
}

/**
 * Adds up the scoring stage: items, deductions, bonuses, score, levels, caps, gate and vetoes.
 *
 * @param ruleSet - the rule set
 * @param ctx - the fact context
 * @param fired - keys of the scoring checks that hold
 * @returns the scoring part of the result
 */
export function assembleScoring(ruleSet: RuleSet, ctx: FactContext, fired: Set<string>): Scoring {
  const { manifest } = ruleSet;
  const lists = manifest.rules;

  const items: ItemResult[] = rulesIn<"item">(ruleSet, lists.items).map((rule) => {
    const keys = keysOf(rule, rule.cases.length);
    let index = -1;
    for (let i = 0; i < keys.length && index < 0; i++) if (fired.has(keys[i]!)) index = i;
    const points = pointsOf(ctx, index >= 0 ? rule.cases[index]!.points : rule.otherwise);
    return {
      id: rule.id,
      dimension: rule.dimension,
      points,
      max: rule.max,
      matched: index >= 0 ? index : "otherwise",
      evidence: evidenceOf(
        ctx,
        ruleSet,
        rule,
        () => rule.cases.map((c) => c.conditions),
        () => [...rule.cases.map((c) => c.points), rule.otherwise].flatMap((p) => (typeof p === "number" ? [] : [p.fraction.numerator, p.fraction.denominator])),
      ),
      label: rule.label,
      basis: rule.basis,
    };
  });

  const deductions: DeductionResult[] = rulesIn<"deduction">(ruleSet, lists.deductions).flatMap((rule): DeductionResult[] => {
    if (!holds(fired, rule)) return [];
    const common = { id: rule.id, points: rule.points, label: rule.label, basis: rule.basis };
    if (!rule.each) {
      return [{ ...common, evidence: evidenceOf(ctx, ruleSet, rule, () => (rule.conditions ? [rule.conditions] : [])), countsUntil: null }];
    }
    return occurrences(ctx, rule.each).map(({ entry, countsUntil }) => ({ ...common, evidence: entry, countsUntil }));
  });

  const bonuses: BonusResult[] = rulesIn<"bonus">(ruleSet, lists.bonuses).flatMap((rule) =>
    holds(fired, rule)
      ? occurrences(ctx, rule.each).map(({ entry, countsUntil }) => ({
          id: rule.id,
          points: rule.points,
          evidence: entry,
          countsUntil,
          label: rule.label,
          basis: rule.basis,
        }))
      : [],
  );

  const dimensions: DimensionResult[] = manifest.dimensions.map((d) => {
    let score = 0;
    for (const i of items) if (i.dimension === d.id) score += i.points;
    return { id: d.id, score, max: d.max, label: d.label };
  });
  const baseScore = items.reduce((s, i) => s + i.points, 0);
  const deductionTotal = deductions.reduce((s, d) => s + d.points, 0);
  const bonusTotal = Math.min(
    bonuses.reduce((s, b) => s + b.points, 0),
    manifest.bonusCap,
  );
  const score = Math.max(0, Math.min(manifest.maxScore, baseScore + deductionTotal + bonusTotal));

  const levelIds = manifest.levels.map((l) => l.id);
  const rank = (level: string) => levelIds.indexOf(level);
  const scoreLevel = manifest.levels.find((l) => score >= l.minScore)!.id;

  const gateRule = rulesIn<"gate">(ruleSet, lists.gate)[0];
  const gate: GateResult = gateRule
    ? (() => {
        const keys = keysOf(gateRule, gateRule.parts.length);
        const missing = gateRule.parts.filter((_, i) => !fired.has(keys[i]!)).map((p) => p.id);
        return { id: gateRule.id, level: gateRule.level, held: missing.length === 0, missing };
      })()
    : { id: null, level: null, held: true, missing: [] };
  // A failed gate moves a score at the gated level (or better) to the level just below it.
  const gatedLevel =
    gate.level !== null && !gate.held && rank(scoreLevel) <= rank(gate.level) ? levelIds[rank(gate.level) + 1]! : scoreLevel;

  const heldCapRules = rulesIn<"cap">(ruleSet, lists.caps).filter((r) => holds(fired, r));
  const vetoes: VetoResult[] = rulesIn<"veto">(ruleSet, lists.vetoes)
    .filter((r) => holds(fired, r))
    .map((r) => ({ id: r.id, evidence: evidenceOf(ctx, ruleSet, r, () => [r.conditions]), label: r.label, basis: r.basis }));

  const worst = (a: string, b: string) => (rank(a) >= rank(b) ? a : b);
  const cappedLevel = heldCapRules.reduce((level, cap) => worst(level, cap.atBest), gatedLevel);
  const grade = vetoes.length > 0 ? worst(cappedLevel, manifest.vetoLevel) : cappedLevel;

  const caps: CapResult[] = heldCapRules.map((r) => ({
    id: r.id,
    atBest: r.atBest,
    lowersGrade: rank(r.atBest) > rank(gatedLevel) && r.atBest === cappedLevel && vetoes.length === 0,
    evidence: evidenceOf(ctx, ruleSet, r, () => [r.conditions]),
    label: r.label,
    basis: r.basis,
  }));
  const causes = rulesIn<"cause">(ruleSet, lists.causes)
    .filter((r) => holds(fired, r))
    .map((r) => r.id);

  const held = [...caps.map((c) => c.id), ...vetoes.map((v) => v.id), ...causes, ...(gate.held && gate.id ? [gate.id] : [])];
  return {
    baseScore,
    dimensions,
    items,
    deductions,
    deductionTotal,
    bonuses,
    bonusTotal,
    score,
    scoreLevel,
    grade,
    caps,
    gate,
    vetoes,
    causes,
    outcome: { score, scoreLevel, grade, held },
  };
}

/**
 * Collects the outcome stage: every measure with its reasons, every list action with its causes.
 *
 * @param ruleSet - the rule set
 * @param fired - keys of the outcome checks that hold
 * @returns measures and list actions, in the manifest's order
 */
export function assembleOutcome(ruleSet: RuleSet, fired: Set<string>): { measures: MeasureResult[]; listActions: ListActionResult[] } {
  const lists = ruleSet.manifest.rules;
  const measures: MeasureResult[] = [];
  for (const rule of rulesIn<"measure">(ruleSet, lists.measures)) {
    const keys = keysOf(rule, rule.triggers.length);
    let triggered: typeof rule.triggers | null = null;
    for (let i = 0; i < keys.length; i++) if (fired.has(keys[i]!)) (triggered ??= []).push(rule.triggers[i]!);
    if (triggered === null) continue;
    // The first trigger that holds sets each parameter.
    const params = triggered.reduceRight<MeasureResult["params"]>((acc, t) => ({ ...acc, ...(t.params ?? {}) }), {});
    measures.push({ id: rule.id, kind: rule.measureKind, params, reasons: triggered.map((t) => t.reason), label: rule.label, basis: rule.basis });
  }
  const listActions: ListActionResult[] = [];
  for (const rule of rulesIn<"list-action">(ruleSet, lists.listActions)) {
    const keys = keysOf(rule, rule.triggers.length);
    let causes: string[] | null = null;
    for (let i = 0; i < keys.length; i++) if (fired.has(keys[i]!)) (causes ??= []).push(rule.triggers[i]!.cause);
    if (causes !== null) listActions.push({ id: rule.id, causes, label: rule.label, basis: rule.basis });
  }
  return { measures, listActions };
}

/**
 * The items and deductions that lost the most points: a base item loses max − points, a deduction id
 * the sum of its occurrences; largest first, ties by id; nothing that lost 0.
 */
export function topReasons(items: ItemResult[], deductions: DeductionResult[], count = 4): ReasonResult[] {
  const lost = new Map<string, number>();
  for (const i of items) lost.set(i.id, i.max - i.points);
  for (const d of deductions) lost.set(d.id, (lost.get(d.id) ?? 0) - d.points);
  const byLoss = (a: [string, number], b: [string, number]) => b[1] - a[1] || compareStrings(a[0], b[0]);
  if (Number.isInteger(count) && count >= 0) {
    // The largest few kept in order while reading: what sorting them all by byLoss and taking the first gives
    // (ids are unique), without a pair per entry.
    const ids: string[] = [];
    const losses: number[] = [];
    lost.forEach((loss, id) => {
      if (!(loss > 0)) return;
      let at = ids.length;
      while (at > 0 && (loss > losses[at - 1]! || (loss === losses[at - 1]! && id < ids[at - 1]!))) at--;
      if (at >= count) return;
      ids.splice(at, 0, id);
      losses.splice(at, 0, loss);
      if (ids.length > count) {
        ids.pop();
        losses.pop();
      }
    });
    return ids.map((id, i) => ({ id, pointsLost: losses[i]! }));
  }
  return [...lost.entries()]
    .filter(([, n]) => n > 0)
    .sort(byLoss)
    .slice(0, count)
    .map(([id, pointsLost]) => ({ id, pointsLost }));
}

/**
 * The next better level than the grade, the points the score lacks for it, and what would still hold
 * the grade below it: caps whose atBest is worse, vetoes, and the gate when that level is the gated one.
 */
export function nextLevelOf(ruleSet: RuleSet, s: Scoring): NextLevel | null {
  const levels = ruleSet.manifest.levels;
  const i = levels.findIndex((l) => l.id === s.grade);
  if (i <= 0) return null;
  const target = levels[i - 1]!;
  const rank = (id: string) => levels.findIndex((l) => l.id === id);
  const blockedBy = [
    ...s.caps.filter((c) => rank(c.atBest) > i - 1).map((c) => c.id),
    ...(rank(ruleSet.manifest.vetoLevel) > i - 1 ? s.vetoes.map((v) => v.id) : []),
    ...(s.gate.id !== null && s.gate.level === target.id && !s.gate.held ? [s.gate.id] : []),
  ];
  return { level: target.id, pointsNeeded: Math.max(0, target.minScore - s.score), blockedBy };
}
