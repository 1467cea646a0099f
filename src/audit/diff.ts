import { compareStrings } from "../_lib/canonical.js";
import { SocialOrgCreditError } from "../errors.js";
import type { Result } from "../result/types.js";

/** One thing that moved an organization between two results: an item, deduction, bonus, cap or veto. */
export interface Movement {
  id: string;
  /** Points before and after (summed over occurrences); for caps and vetoes, 1 when it holds and 0 when not. */
  before: number;
  after: number;
}

export interface ChangedOrganization {
  organizationId: string;
  name: string;
  gradeBefore: string;
  gradeAfter: string;
  scoreBefore: number;
  scoreAfter: number;
  /** What changed between the two results, largest change first. */
  movedBy: Movement[];
}

export interface RestrictionChange {
  organizationId: string;
  name: string;
  grade: string;
  /** Restriction measures gained (newly restricted) or lost (released). */
  measures: string[];
}

/** The comparison of two sets of results of the same organizations (two dates, or two rule sets). */
export interface ResultsDiff {
  levels: string[];
  /** `matrix[from][to]`: how many organizations went from grade `from` to grade `to`. */
  matrix: Record<string, Record<string, number>>;
  compared: number;
  onlyBefore: string[];
  onlyAfter: string[];
  changed: ChangedOrganization[];
  newlyRestricted: RestrictionChange[];
  newlyReleased: RestrictionChange[];
}

/** Points by id of a result's items, deductions and bonuses, and 1 for each cap, veto and the gate that holds. */
export function contributions(r: Result): Map<string, number> {
  const m = new Map<string, number>();
  const add = (id: string, n: number) => m.set(id, (m.get(id) ?? 0) + n);
  for (const i of r.items) add(i.id, i.points);
  for (const d of r.deductions) add(d.id, d.points);
  for (const b of r.bonuses) add(b.id, b.points);
  for (const c of r.caps) add(c.id, 1);
  for (const v of r.vetoes) add(v.id, 1);
  if (r.gate.id) add(r.gate.id, r.gate.held ? 1 : 0);
  return m;
}

/** The ids whose contribution differs between two results, largest change first (ties by id). */
export function movements(before: Result, after: Result): Movement[] {
  const a = contributions(before);
  const b = contributions(after);
  const ids = new Set([...a.keys(), ...b.keys()]);
  return [...ids]
    .map((id) => ({ id, before: a.get(id) ?? 0, after: b.get(id) ?? 0 }))
    .filter((m) => m.before !== m.after)
    .sort((x, y) => Math.abs(y.after - y.before) - Math.abs(x.after - x.before) || compareStrings(x.id, y.id));
}

/** The results of one side by credit code; a credit code twice is refused (one of them would be dropped). */
function byOrganization(results: Iterable<Result>, side: string): Map<string, Result> {
  const m = new Map<string, Result>();
  let position = 0;
  const firstAt = new Map<string, number>();
  for (const r of results) {
    const earlier = firstAt.get(r.organizationId);
    if (earlier !== undefined) {
      throw new SocialOrgCreditError("duplicate_id", `diffResults: the ${side} results hold credit code ${r.organizationId} twice, at positions ${earlier} and ${position}; one result per organization`);
    }
    firstAt.set(r.organizationId, position++);
    m.set(r.organizationId, r);
  }
  return m;
}

const restrictions = (r: Result) => new Set(r.measures.filter((m) => m.kind === "restriction").map((m) => m.id));

/**
 * Compares two sets of results organization by organization: the level migration matrix, the
 * organizations that changed grade with what moved them, and who was newly restricted or released.
 *
 * @param before - the earlier results (another asOf, or the current rule set)
 * @param after - the later results (or the revised rule set)
 * @param levels - the levels best first; taken from the results' grades when omitted
 * @returns the diff, with organizations in credit-code order
 * @throws SocialOrgCreditError (`duplicate_id`) when one side holds a credit code twice
 * @example
 * const d = diffResults(may2023, may2024, ["A", "B", "C", "D", "E"]);
 * d.matrix.B.C; // organizations that fell from B to C
 */
export function diffResults(before: Iterable<Result>, after: Iterable<Result>, levels?: string[]): ResultsDiff {
  const byIdBefore = byOrganization(before, "before");
  const byIdAfter = byOrganization(after, "after");
  const seenLevels = levels ?? [...new Set([...byIdBefore.values(), ...byIdAfter.values()].map((r) => r.grade))].sort(compareStrings);
  const matrix: ResultsDiff["matrix"] = Object.fromEntries(seenLevels.map((f) => [f, Object.fromEntries(seenLevels.map((t) => [t, 0]))]));

  const changed: ChangedOrganization[] = [];
  const newlyRestricted: RestrictionChange[] = [];
  const newlyReleased: RestrictionChange[] = [];
  let compared = 0;
  const ids = [...byIdBefore.keys()].filter((id) => byIdAfter.has(id)).sort(compareStrings);
  for (const id of ids) {
    const a = byIdBefore.get(id)!;
    const b = byIdAfter.get(id)!;
    compared++;
    matrix[a.grade] ??= {};
    matrix[a.grade]![b.grade] = (matrix[a.grade]![b.grade] ?? 0) + 1;
    if (a.grade !== b.grade) {
      changed.push({ organizationId: id, name: b.name, gradeBefore: a.grade, gradeAfter: b.grade, scoreBefore: a.score, scoreAfter: b.score, movedBy: movements(a, b) });
    }
    const ra = restrictions(a);
    const rb = restrictions(b);
    const gained = [...rb].filter((m) => !ra.has(m));
    const lost = [...ra].filter((m) => !rb.has(m));
    if (gained.length > 0) newlyRestricted.push({ organizationId: id, name: b.name, grade: b.grade, measures: gained });
    if (lost.length > 0) newlyReleased.push({ organizationId: id, name: b.name, grade: b.grade, measures: lost });
  }
  return {
    levels: seenLevels,
    matrix,
    compared,
    onlyBefore: [...byIdBefore.keys()].filter((id) => !byIdAfter.has(id)).sort(compareStrings),
    onlyAfter: [...byIdAfter.keys()].filter((id) => !byIdBefore.has(id)).sort(compareStrings),
    changed,
    newlyRestricted,
    newlyReleased,
  };
}
