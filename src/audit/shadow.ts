import { canonicalJson, compareStrings } from "../_lib/canonical.js";
import { createEvaluator } from "../evaluate.js";
import { SocialOrgCreditError } from "../errors.js";
import type { Result } from "../result/types.js";
import type { Rule, RuleKind, RuleSet } from "../rule-set/schema.js";
import { ruleSetVersionOn } from "../rule-set/versions.js";
import { namedConditionRefs } from "../rule-set/walk.js";
import { diffResults, type ChangedOrganization } from "./diff.js";

/** Fields that document a rule or a version without changing any result. */
const DOCUMENTATION = new Set(["note", "version", "effectiveFrom", "title"]);

/** The id under which changes of the manifest (levels, bonus cap, dimensions…) are reported. */
export const MANIFEST_CHANGE = "manifest";

/** A rule (or the manifest) that differs between two rule sets, with what differs. */
export interface RuleChange {
  id: string;
  kind: RuleKind | typeof MANIFEST_CHANGE;
  /** Each difference as `path: before → after`, or `added` / `removed`, or the named condition it uses that changed. */
  changes: string[];
}

const MAX_SHOWN = 48;
function show(value: unknown): string {
  if (value === undefined) return "(none)";
  const text = JSON.stringify(value);
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN - 1)}…` : text;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** The leaves that differ between two JSON values, as `path: before → after`. */
function leafChanges(a: unknown, b: unknown, path: string, out: string[], top = false): void {
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort(compareStrings);
    for (const k of keys) if (!(top && DOCUMENTATION.has(k))) leafChanges(a[k], b[k], path ? `${path}.${k}` : k, out);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) leafChanges(a[i], b[i], `${path}.${i}`, out);
    return;
  }
  if (canonicalJson(a ?? null) !== canonicalJson(b ?? null) || (a === undefined) !== (b === undefined)) out.push(`${path}: ${show(a)} → ${show(b)}`);
}


/** The named conditions a rule reaches, directly or through other named conditions. */
function reachedConditions(rule: Rule, named: RuleSet["conditions"]): Set<string> {
  const reached = new Set<string>();
  const visit = (names: string[]) => {
    for (const n of names) {
      if (reached.has(n) || !(n in named)) continue;
      reached.add(n);
      visit(namedConditionRefs(named[n]!));
    }
  };
  // Every condition tree of a rule sits in its JSON: walk the JSON for { condition } nodes.
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (isPlainObject(v)) {
      if (typeof v.condition === "string" && Object.keys(v).length === 1) visit([v.condition]);
      else Object.values(v).forEach(walk);
    }
  };
  walk(rule);
  return reached;
}

/**
 * The rules that differ between two rule sets (ignoring notes), in B's manifest order, then those only
 * in A; a rule whose named condition changed counts as changed; the manifest last, when its levels,
 * dimensions, bonus cap or lists differ.
 *
 * @param a - the rule set in force
 * @param b - the revision
 * @returns every change
 * @example
 * ruleSetChanges(current, revised); // [{ id: "X1", kind: "deduction", changes: ["points: -60 → -80"] }]
 */
export function ruleSetChanges(a: RuleSet, b: RuleSet): RuleChange[] {
  const byIdA = new Map(a.rules.map((r) => [r.id, r]));
  const byIdB = new Map(b.rules.map((r) => [r.id, r]));
  const order = (rs: RuleSet) => Object.values(rs.manifest.rules).flat();
  const ids = [...new Set([...order(b), ...order(a)])];
  const changedConditions = [...new Set([...Object.keys(a.conditions), ...Object.keys(b.conditions)])].filter(
    (n) => canonicalJson(a.conditions[n] ?? null) !== canonicalJson(b.conditions[n] ?? null),
  );
  const changes: RuleChange[] = [];
  for (const id of ids) {
    const ra = byIdA.get(id);
    const rb = byIdB.get(id);
    if (!ra && !rb) continue;
    if (!ra || !rb) {
      changes.push({ id, kind: (rb ?? ra)!.kind, changes: [rb ? "added" : "removed"] });
      continue;
    }
    const own: string[] = [];
    leafChanges(ra, rb, "", own, true);
    const reached = new Set([...reachedConditions(ra, a.conditions), ...reachedConditions(rb, b.conditions)]);
    const via = changedConditions.filter((n) => reached.has(n)).map((n) => `named condition ${n} changed`);
    if (own.length + via.length > 0) changes.push({ id, kind: rb.kind, changes: [...own, ...via] });
  }
  const manifest: string[] = [];
  leafChanges(a.manifest, b.manifest, "", manifest, true);
  if (manifest.length > 0) changes.push({ id: MANIFEST_CHANGE, kind: MANIFEST_CHANGE, changes: manifest });
  return changes;
}

/** Everything a result says under one id, as a string to compare between two results. */
function signatures(r: Result): Map<string, string> {
  const m = new Map<string, unknown[]>();
  const add = (id: string, v: unknown) => m.set(id, [...(m.get(id) ?? []), v]);
  for (const i of r.items) add(i.id, i.points);
  for (const d of r.deductions) add(d.id, d.points);
  for (const b of r.bonuses) add(b.id, b.points);
  for (const c of r.caps) add(c.id, ["cap", c.atBest]);
  for (const v of r.vetoes) add(v.id, "veto");
  if (r.gate.id) add(r.gate.id, [r.gate.held, r.gate.missing]);
  for (const x of r.measures) add(x.id, [x.reasons, x.params]);
  for (const x of r.listActions) add(x.id, x.causes);
  return new Map([...m].map(([id, v]) => [id, canonicalJson(v)]));
}

/**
 * How far each id pushes a result up: points for items, deductions and bonuses; for a cap or veto that
 * holds, minus one more than its level's rank (a stricter cap pushes down further); one for the gate held.
 */
function pushes(r: Result, rank: (level: string) => number): Map<string, number> {
  const m = new Map<string, number>();
  const add = (id: string, n: number) => m.set(id, (m.get(id) ?? 0) + n);
  for (const x of [...r.items, ...r.deductions, ...r.bonuses]) add(x.id, x.points);
  for (const c of r.caps) add(c.id, -(1 + rank(c.atBest)));
  for (const v of r.vetoes) add(v.id, -(1 + rank(r.grade)));
  if (r.gate.id) add(r.gate.id, r.gate.held ? 1 : 0);
  return m;
}

/** One changed rule and what it did to the population. */
export interface ShadowRuleRow extends RuleChange {
  /** Organizations whose result differs under this id (points, whether it holds, reasons, causes). */
  affected: number;
  /** Of those, the organizations whose grade changed in the direction this rule pushed them. */
  moved: number;
  /** Of those moved, how many got a better grade and how many a worse one. */
  up: number;
  down: number;
}

/** An input refused under either rule set. */
export interface ShadowRefusal {
  source: string;
  organizationId: string | null;
  code: string;
  message: string;
}

/** The effect of replacing rule set A by rule set B on one population. */
export interface ShadowReport {
  a: { id: string; versions: string[]; digests: string[] };
  b: { id: string; versions: string[]; digests: string[] };
  /** The levels best first (B's, then any only A has). */
  levels: string[];
  /** `matrix[gradeUnderA][gradeUnderB]`: how many organizations. */
  matrix: Record<string, Record<string, number>>;
  read: number;
  compared: number;
  refused: number;
  /** The first refusals (at most 20); `refused` counts them all. */
  refusals: ShadowRefusal[];
  moved: number;
  up: number;
  down: number;
  newlyRestricted: number;
  newlyReleased: number;
  /** Every changed rule, with the organizations it affected and moved. */
  rules: ShadowRuleRow[];
  /** Moved organizations that no changed rule accounts for (counted under the manifest row when it changed). */
  unaccounted: number;
  /** The organizations whose grade changed, in input order, with what moved them. */
  changed: ChangedOrganization[];
}

/** One organization of a shadow run: a record and its asOf, or why it could not be read. */
export interface ShadowEntry {
  source: string;
  record: unknown;
  asOf: string | null;
  readError?: string | null;
}

const MAX_REFUSALS = 20;

/**
 * Scores one population under two rule sets and reports what changes: the level migration matrix, and
 * for each rule that differs, how many organizations it affected and how many it moved to another
 * grade (those whose grade went the way the rule pushed them) — what a bureau needs before adopting a
 * revision. Folders of versions use, for each
 * organization, the version in force on its asOf (the changed rules are listed between the versions in
 * force on the first asOf compared); single versions apply whatever the asOf.
 *
 * @param a - the rule set in force
 * @param b - the revision
 * @param entries - the population (records with their asOf), read once, in order
 * @returns the report; every entry is compared or counted as refused
 * @example
 * const report = await shadowRun(loadRuleSet("rules/quzhou-reference"), loadRuleSet("drafts/2026.1"),
 *   records.map((record, i) => ({ source: `#${i}`, record, asOf: "2026-06-30" })));
 * report.matrix.B.C; // organizations that B would move from level B to level C
 */
export async function shadowRun(a: RuleSet, b: RuleSet, entries: Iterable<ShadowEntry> | AsyncIterable<ShadowEntry>): Promise<ShadowReport> {
  const evalA = createEvaluator(a);
  const evalB = createEvaluator(b);
  const levels = [...new Set([...b.manifest.levels, ...a.manifest.levels].map((l) => l.id))];
  const rank = (level: string) => levels.indexOf(level);
  const matrix: ShadowReport["matrix"] = Object.fromEntries(levels.map((f) => [f, Object.fromEntries(levels.map((t) => [t, 0]))]));
  // The changed rules are those between the versions in force on the first asOf compared.
  let rules: ShadowRuleRow[] | null = null;
  const rulesOn = (asOf: string | null): ShadowRuleRow[] =>
    (rules ??= ruleSetChanges(asOf ? ruleSetVersionOn(a, asOf) : a, asOf ? ruleSetVersionOn(b, asOf) : b).map((c) => ({ ...c, affected: 0, moved: 0, up: 0, down: 0 })));
  const used = { a: new Map<string, string>(), b: new Map<string, string>() };
  const report = { read: 0, compared: 0, refused: 0, moved: 0, up: 0, down: 0, newlyRestricted: 0, newlyReleased: 0, unaccounted: 0 };
  const refusals: ShadowRefusal[] = [];
  const changed: ChangedOrganization[] = [];

  const refuse = (entry: ShadowEntry, code: string, message: string) => {
    report.refused++;
    const id = isPlainObject(entry.record) && typeof entry.record.id === "string" ? entry.record.id.slice(0, 64) : null;
    if (refusals.length < MAX_REFUSALS) refusals.push({ source: entry.source, organizationId: id, code, message });
  };

  for await (const entry of entries) {
    report.read++;
    if (entry.readError) {
      refuse(entry, "unreadable_row", entry.readError);
      continue;
    }
    if (entry.asOf === null) {
      refuse(entry, "missing_as_of", "this entry has no asOf");
      continue;
    }
    let ra: Result;
    let rb: Result;
    try {
      ra = await evalA.evaluate(entry.record, { asOf: entry.asOf });
      rb = await evalB.evaluate(entry.record, { asOf: entry.asOf });
    } catch (error) {
      if (!(error instanceof SocialOrgCreditError)) throw error;
      refuse(entry, error.code, error.message);
      continue;
    }
    report.compared++;
    used.a.set(ra.ruleSet.version, ra.ruleSet.digest);
    used.b.set(rb.ruleSet.version, rb.ruleSet.digest);
    // One organization at a time through diffResults: the matrix cell, what moved it, restrictions.
    const d = diffResults([ra], [rb], levels);
    matrix[ra.grade] ??= {};
    matrix[ra.grade]![rb.grade] = (matrix[ra.grade]![rb.grade] ?? 0) + 1;
    if (d.newlyRestricted.length > 0) report.newlyRestricted++;
    if (d.newlyReleased.length > 0) report.newlyReleased++;
    const gradeChanged = ra.grade !== rb.grade;
    const better = rank(rb.grade) < rank(ra.grade);
    if (gradeChanged) {
      report.moved++;
      report[better ? "up" : "down"]++;
      changed.push(...d.changed);
    }
    const sa = signatures(ra);
    const sb = signatures(rb);
    const pa = pushes(ra, rank);
    const pb = pushes(rb, rank);
    const rows = rulesOn(entry.asOf);
    const manifestRow = rows.find((r) => r.id === MANIFEST_CHANGE);
    let accounted = false;
    for (const row of rows) {
      if (row === manifestRow) continue;
      if (sa.get(row.id) === sb.get(row.id)) continue;
      row.affected++;
      // A rule moved the organization only if it pushed the way the grade went.
      const push = (pb.get(row.id) ?? 0) - (pa.get(row.id) ?? 0);
      if (!gradeChanged || push === 0 || push > 0 !== better) continue;
      accounted = true;
      row.moved++;
      row[better ? "up" : "down"]++;
    }
    if (gradeChanged && !accounted) {
      report.unaccounted++;
      if (manifestRow) {
        manifestRow.affected++;
        manifestRow.moved++;
        manifestRow[better ? "up" : "down"]++;
      }
    }
  }
  const versions = (m: Map<string, string>, rs: RuleSet) => ({
    id: rs.id,
    versions: [...m.keys()].sort(compareStrings),
    digests: [...m.keys()].sort(compareStrings).map((v) => m.get(v)!),
  });
  return { a: versions(used.a, a), b: versions(used.b, b), levels, matrix, ...report, refusals, rules: rulesOn(null), changed };
}
