import { checkStrictJson, StrictJsonError } from "../_lib/strict-json.js";
import { existsSync, lstatSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { basename, isAbsolute, join, relative } from "node:path";
import type { z } from "zod";
import { canonicalJson, compareStrings, sha256 } from "../_lib/canonical.js";
import { RuleSetError, type RuleSetProblem } from "../errors.js";
import { FACTS } from "../facts/catalogue.js";
import { deepFreeze } from "./freeze.js";
import { isChecked, markChecked } from "./checked.js";
import { jsonSyntaxMessage } from "./json-error.js";
import { expandedWorkProblems, itemBoundProblems } from "./bounds.js";
import { checkComparedValues } from "./check-values.js";
import { ruleSetWithVersions, versionFolders } from "./versions.js";
import { conditionsOf, namedConditionRefs } from "./walk.js";
import {
  MAX_CONDITION_DEPTH,
  RULE_LISTS,
  manifestSchema,
  ruleSchema,
  topLevelConditionSchema,
  type Condition,
  type FactRef,
  type Manifest,
  type Points,
  type Rule,
  type RuleSet,
  type TopLevelCondition,
} from "./schema.js";

const MANIFEST_FILE = "manifest.json";
const CONDITIONS_FILE = "conditions.json";
/** Largest rule file read, so that a hostile folder cannot exhaust memory. */
const MAX_FILE_BYTES = 1_000_000;
/** Most files a rule set may have (the reference set has under 100). */
export const MAX_RULE_FILES = 1000;
/** Deepest JSON nesting of a rule file; conditions at MAX_CONDITION_DEPTH stay far below it. */
export const MAX_JSON_DEPTH = 64;
/** Most JSON values one rule file may hold (a 1 MB file holds far fewer; objects given through the API may share parts). */
const MAX_JSON_VALUES = 1_000_000;
/** Most problems one RuleSetError lists; the rest are counted in a last problem, so the error stays small. */
export const MAX_REPORTED_PROBLEMS = 1000;
/** Keys that name JavaScript's object machinery: refused anywhere in a rule file, so that no lookup can reach it. */
const RESERVED_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

type Issue = z.core.$ZodIssue;

// Appends without spreading: a hostile file can produce more problems than a call may take arguments.
function append(to: RuleSetProblem[], more: Iterable<RuleSetProblem>): void {
  for (const p of more) to.push(p);
}

function refuse(problems: RuleSetProblem[]): RuleSetError {
  if (problems.length <= MAX_REPORTED_PROBLEMS) return new RuleSetError(problems);
  const more = problems.length - MAX_REPORTED_PROBLEMS;
  return new RuleSetError([...problems.slice(0, MAX_REPORTED_PROBLEMS), { file: "", ruleId: null, path: "", message: `and ${more} more problems, not listed` }]);
}

// How far off a union branch is at its own root: missing its key fields or carrying keys it does not know.
function misfit(issues: readonly Issue[]): number {
  return issues.filter((i) => i.code === "unrecognized_keys" || (i.code === "invalid_type" && i.path.length <= 1 && (i as { input?: unknown }).input === undefined)).length;
}

/** Replaces a union's "Invalid input" with the issues of the branch the input was meant for. */
function specific(issue: Issue, prefix: PropertyKey[] = []): Array<{ path: PropertyKey[]; message: string }> {
  const path = [...prefix, ...issue.path];
  if (issue.code === "invalid_union" && issue.errors.length > 0) {
    const best = [...issue.errors].sort((a, b) => misfit(a) - misfit(b))[0]!;
    return best.flatMap((i) => specific(i, path));
  }
  if (issue.code === "unrecognized_keys" && issue.keys.includes("path")) {
    return [{ path, message: `"path" (JSONPath) is not allowed in rule files: a fact's value is compared whole; ${issue.message}` }];
  }
  return [{ path, message: issue.message }];
}

function zodProblems(file: string, ruleId: string | null, error: z.ZodError): RuleSetProblem[] {
  return error.issues.flatMap((i) => specific(i)).map((i) => ({ file, ruleId, path: i.path.map(String).join("."), message: i.message }));
}

/** Visits every fact reference of a rule: conditions, `each`, fraction points. */
function* factRefs(rule: Rule): Generator<{ ref: FactRef; path: string }> {
  function* inCondition(c: Condition, path: string): Generator<{ ref: FactRef; path: string }> {
    if ("all" in c) for (const [i, x] of c.all.entries()) yield* inCondition(x, `${path}.all.${i}`);
    else if ("any" in c) for (const [i, x] of c.any.entries()) yield* inCondition(x, `${path}.any.${i}`);
    else if ("not" in c) yield* inCondition(c.not, `${path}.not`);
    else if ("fact" in c) yield { ref: { fact: c.fact, params: c.params }, path };
  }
  function* inPoints(p: Points, path: string): Generator<{ ref: FactRef; path: string }> {
    if (typeof p !== "number") {
      yield { ref: p.fraction.numerator, path: `${path}.fraction.numerator` };
      yield { ref: p.fraction.denominator, path: `${path}.fraction.denominator` };
    }
  }
  for (const { conditions, path } of conditionsOf(rule)) yield* inCondition(conditions, path);
  if (rule.kind === "item") {
    for (const [i, c] of rule.cases.entries()) yield* inPoints(c.points, `cases.${i}.points`);
    yield* inPoints(rule.otherwise, "otherwise");
  }
  if ((rule.kind === "deduction" || rule.kind === "bonus") && rule.each) yield { ref: rule.each, path: "each" };
}


/** What a value is, for a refusal: never its content. */
function kindOf(value: unknown): string {
  if (typeof value === "function") return "a function";
  if (typeof value !== "object" || value === null) return `a ${typeof value}`;
  return "an object that is not plain data (a class instance, Map, Date…)";
}

/** The name of what an accessor threw, never its message (which could be anything). */
function thrownName(error: unknown): string {
  try {
    return error instanceof Error ? error.name.slice(0, 40) : typeof error;
  } catch {
    return "an error";
  }
}

/**
 * Copies a file's raw value into plain JSON data before any schema reads it, checking it on the way: bounded
 * depth and size, no reserved keys, nothing but null, booleans, numbers, strings, arrays and plain objects.
 * Each property is read once, so a getter or Proxy that throws (or answers differently each time) is refused
 * here, naming its place, and the schemas read the copy. Iterative, so that no nesting, however deep (or
 * cyclic, through the API), can exhaust the stack.
 */
function plainCopy(file: string, value: unknown): { copy: unknown; problems: RuleSetProblem[] } {
  const problems: RuleSetProblem[] = [];
  const root: { value?: unknown } = {};
  const stack: Array<{ value: unknown; depth: number; path: string; into: Record<string, unknown> | unknown[]; key: string | number }> = [
    { value, depth: 0, path: "", into: root as Record<string, unknown>, key: "value" },
  ];
  let count = 0;
  const problem = (path: string, message: string) => problems.push({ file, ruleId: null, path, message });
  while (stack.length > 0) {
    const { value: v, depth, path, into, key } = stack.pop()!;
    if (++count > MAX_JSON_VALUES) {
      problem("", `more than ${MAX_JSON_VALUES} JSON values`);
      break;
    }
    if (v === null || v === undefined || typeof v === "string" || typeof v === "number" || typeof v === "boolean") {
      (into as Record<string | number, unknown>)[key] = v;
      continue;
    }
    if (typeof v !== "object") {
      problem(path, `not JSON data: ${kindOf(v)}`);
      continue;
    }
    if (depth >= MAX_JSON_DEPTH) {
      problem(path, `nested more than ${MAX_JSON_DEPTH} levels deep; conditions may nest at most ${MAX_CONDITION_DEPTH}`);
      break;
    }
    let keys: string[];
    let array: boolean;
    try {
      array = Array.isArray(v);
      if (array) {
        const length = (v as unknown[]).length;
        if (!Number.isSafeInteger(length) || length < 0 || length > MAX_JSON_VALUES) throw new RangeError("length");
        keys = Array.from({ length }, (_, i) => String(i));
      } else {
        // A plain object of any realm: its prototype is null or an Object.prototype (whose own prototype is null).
        const proto: unknown = Object.getPrototypeOf(v);
        if (proto !== null && Object.getPrototypeOf(proto) !== null) {
          problem(path, `not JSON data: ${kindOf(v)}`);
          continue;
        }
        keys = Object.keys(v);
      }
    } catch (error) {
      problem(path, `cannot be read as JSON data: reading it threw ${thrownName(error)}`);
      continue;
    }
    const copy: Record<string, unknown> | unknown[] = array ? [] : {};
    (into as Record<string | number, unknown>)[key] = copy;
    for (const k of keys) {
      const at = path ? `${path}.${k.slice(0, 64)}` : k.slice(0, 64);
      if (RESERVED_KEYS.has(k)) {
        problem(at, `the key "${k}" is not allowed in rule files (it names JavaScript's object machinery)`);
        continue;
      }
      let child: unknown;
      try {
        child = (v as Record<string, unknown>)[k];
      } catch (error) {
        problem(at, `cannot be read: reading it threw ${thrownName(error)}`);
        continue;
      }
      // The key is set here, in order, and its value once it is copied: the copy keeps the keys' order,
      // which results show (params, labels), though the stack copies the values last first.
      if (!array) (copy as Record<string, unknown>)[k] = undefined;
      stack.push({ value: child, depth: depth + 1, path: at, into: copy, key: array ? Number(k) : k });
    }
  }
  return { copy: root.value, problems };
}

/**
 * The files given to `ruleSetFromFiles`, each copied into plain data (`plainCopy`); the object of files
 * itself may be hostile too.
 */
function plainFiles(files: unknown): { files: Record<string, unknown>; problems: RuleSetProblem[] } {
  const refuseAll = (message: string) => new RuleSetError([{ file: "", ruleId: null, path: "", message }]);
  let names: string[];
  try {
    if (files === null || typeof files !== "object" || Array.isArray(files)) throw refuseAll(`expected an object of files (file name to parsed JSON); found ${Array.isArray(files) ? "an array" : kindOf(files)}`);
    names = Object.keys(files);
  } catch (error) {
    if (error instanceof RuleSetError) throw error;
    throw refuseAll(`the object of files cannot be read: reading its keys threw ${thrownName(error)}`);
  }
  if (names.length > MAX_RULE_FILES) throw refuseAll(`${names.length} files; a rule set has at most ${MAX_RULE_FILES}`);
  const out: Record<string, unknown> = {};
  const problems: RuleSetProblem[] = [];
  for (const name of names) {
    if (RESERVED_KEYS.has(name)) {
      problems.push({ file: name, ruleId: null, path: "", message: `a file may not be named "${name}"` });
      continue;
    }
    let value: unknown;
    try {
      value = (files as Record<string, unknown>)[name];
    } catch (error) {
      problems.push({ file: name, ruleId: null, path: "", message: `cannot be read: reading it threw ${thrownName(error)}` });
      out[name] = undefined;
      continue;
    }
    const { copy, problems: found } = plainCopy(name, value);
    append(problems, found);
    // A refused file stays listed, without content: it is reported once, not again as missing.
    out[name] = found.length > 0 ? undefined : copy;
  }
  return { files: out, problems };
}


/** The nesting of all/any/not, a named condition counting as deep as its own tree (`named` holds those depths). */
function depth(c: Condition, named: ReadonlyMap<string, number> = new Map()): number {
  const deepest = (cs: Condition[]) => cs.reduce((max, x) => Math.max(max, depth(x, named)), 0);
  if ("all" in c) return 1 + deepest(c.all);
  if ("any" in c) return 1 + deepest(c.any);
  if ("not" in c) return 1 + depth(c.not, named);
  if ("condition" in c) return named.get(c.condition) ?? 0;
  return 0;
}


function pointsMax(p: Points): number {
  return typeof p === "number" ? p : p.of;
}

/** What the loader knows of the named conditions once their references are followed. */
interface NamedConditionGraph {
  /** The depth of each named condition, counting those it refers to; absent when it is in or reaches a cycle. */
  depths: Map<string, number>;
  /** Each cycle once, as the names along it (the first repeated at the end). */
  cycles: string[][];
  /** For each named condition that reaches an outcome fact (itself or through others): that fact and the condition using it. */
  outcomeFact: Map<string, { fact: string; via: string }>;
}

/** Follows the references between named conditions without recursion (Kahn's order), so a long chain cannot exhaust the stack. */
function analyseNamedConditions(conditions: Record<string, TopLevelCondition>): NamedConditionGraph {
  const names = Object.keys(conditions).sort(compareStrings);
  const refs = new Map(names.map((n) => [n, [...new Set(namedConditionRefs(conditions[n]!))].filter((r) => Object.hasOwn(conditions, r))]));
  const usedBy = new Map<string, string[]>();
  for (const n of names) {
    for (const r of refs.get(n)!) {
      if (!usedBy.has(r)) usedBy.set(r, []);
      usedBy.get(r)!.push(n);
    }
  }
  const waiting = new Map(names.map((n) => [n, refs.get(n)!.length]));
  const depths = new Map<string, number>();
  const outcomeFact = new Map<string, { fact: string; via: string }>();
  const ready = names.filter((n) => waiting.get(n) === 0);
  while (ready.length > 0) {
    const n = ready.pop()!;
    depths.set(n, depth(conditions[n]!, depths));
    const pseudo = { kind: "veto", id: n, conditions: conditions[n]! } as unknown as Rule;
    const own = [...factRefs(pseudo)].find(({ ref }) => FACTS.get(ref.fact)?.stage === "outcome");
    const reached = own ? { fact: own.ref.fact, via: n } : refs.get(n)!.map((r) => outcomeFact.get(r)).find((x) => x !== undefined);
    if (reached) outcomeFact.set(n, reached);
    for (const u of usedBy.get(n) ?? []) {
      waiting.set(u, waiting.get(u)! - 1);
      if (waiting.get(u) === 0) ready.push(u);
    }
  }
  // What is left is in a cycle or reaches one; walk unresolved references to name each cycle once.
  const cycles: string[][] = [];
  const walked = new Set<string>();
  for (const start of names) {
    if (depths.has(start) || walked.has(start)) continue;
    const trail: string[] = [];
    const onTrail = new Map<string, number>();
    let n: string | undefined = start;
    while (n !== undefined && !walked.has(n)) {
      walked.add(n);
      onTrail.set(n, trail.length);
      trail.push(n);
      n = refs.get(n)!.find((r) => !depths.has(r));
    }
    if (n !== undefined && onTrail.has(n)) cycles.push([...trail.slice(onTrail.get(n)!), n]);
  }
  return { depths, cycles, outcomeFact };
}

/** The checks that need the whole set: lists, dimensions, levels, sources, facts, named conditions. */
function checkRuleSet(
  manifest: Manifest,
  conditions: Record<string, TopLevelCondition>,
  rules: Rule[],
  files: Map<string, string>,
  unparsed: ReadonlySet<string>,
): RuleSetProblem[] {
  const problems: RuleSetProblem[] = [];
  const M = MANIFEST_FILE;
  const fileOf = (id: string) => files.get(id) ?? `${id}.json`;
  const byId = new Map(rules.map((r) => [r.id, r]));
  const levels = new Set(manifest.levels.map((l) => l.id));
  const dimensions = new Map(manifest.dimensions.map((d) => [d.id, d]));
  const graph = analyseNamedConditions(conditions);

  // Every listed id has a file of the right kind, and every file is listed once.
  const listed = new Set<string>();
  for (const [list, kind] of Object.entries(RULE_LISTS) as Array<[keyof typeof RULE_LISTS, string]>) {
    for (const id of manifest.rules[list]) {
      if (listed.has(id)) problems.push({ file: M, ruleId: id, path: `rules.${list}`, message: `rule ${id} is listed twice` });
      listed.add(id);
      const rule = byId.get(id);
      if (!rule) {
        if (!unparsed.has(id)) problems.push({ file: M, ruleId: id, path: `rules.${list}`, message: `rule ${id} is listed but there is no file ${id}.json` });
      }
      else if (rule.kind !== kind) problems.push({ file: fileOf(id), ruleId: id, path: "kind", message: `listed under ${list}, so its kind must be "${kind}", found "${rule.kind}"` });
    }
  }
  for (const r of rules) {
    if (!listed.has(r.id)) problems.push({ file: fileOf(r.id), ruleId: r.id, path: "", message: `rule ${r.id} is not listed in the manifest's rules` });
  }
  if (manifest.rules.gate.length > 1) problems.push({ file: M, ruleId: null, path: "rules.gate", message: "at most one gate" });

  // Scores: dimensions add up to the maximum, items add up to their dimension.
  const dimSum = manifest.dimensions.reduce((s, d) => s + d.max, 0);
  if (dimSum !== manifest.maxScore) {
    problems.push({ file: M, ruleId: null, path: "dimensions", message: `dimension maxima add up to ${dimSum}, expected maxScore ${manifest.maxScore}` });
  }
  const itemSums = new Map<string, number>();
  for (const r of rules) {
    if (r.kind !== "item") continue;
    if (!dimensions.has(r.dimension)) {
      problems.push({ file: fileOf(r.id), ruleId: r.id, path: "dimension", message: `unknown dimension "${r.dimension}"; known: ${[...dimensions.keys()].join(", ")}` });
    }
    itemSums.set(r.dimension, (itemSums.get(r.dimension) ?? 0) + r.max);
    const all = [...r.cases.map((c, i) => ({ p: c.points, path: `cases.${i}.points` })), { p: r.otherwise, path: "otherwise" }];
    for (const { p, path } of all) {
      const max = pointsMax(p);
      if (max < 0 || max > r.max) problems.push({ file: fileOf(r.id), ruleId: r.id, path, message: `points ${max} outside 0..${r.max} (the item's max)` });
    }
  }
  // With a rule file refused above, the sums would mislead: they are checked once every file parses.
  for (const d of unparsed.size > 0 ? [] : manifest.dimensions) {
    const sum = itemSums.get(d.id) ?? 0;
    if (sum !== d.max) problems.push({ file: M, ruleId: null, path: `dimensions`, message: `the items of dimension ${d.id} add up to ${sum}, expected its max ${d.max}` });
  }

  // Levels: best first, strictly decreasing lowest scores, the last starting at 0.
  manifest.levels.forEach((l, i) => {
    const prev = manifest.levels[i - 1];
    if (prev && l.minScore >= prev.minScore) problems.push({ file: M, ruleId: null, path: `levels.${i}.minScore`, message: `levels must be best first with decreasing minScore; ${l.id} (${l.minScore}) overlaps ${prev.id} (${prev.minScore})` });
    if (l.minScore > manifest.maxScore) problems.push({ file: M, ruleId: null, path: `levels.${i}.minScore`, message: `minScore ${l.minScore} above maxScore ${manifest.maxScore}` });
  });
  if (manifest.levels.at(-1)!.minScore !== 0) problems.push({ file: M, ruleId: null, path: "levels", message: "the last level must start at 0 so that every score has a level" });
  if (levels.size !== manifest.levels.length) problems.push({ file: M, ruleId: null, path: "levels", message: "level ids must be unique" });
  if (!levels.has(manifest.vetoLevel)) problems.push({ file: M, ruleId: null, path: "vetoLevel", message: `unknown level "${manifest.vetoLevel}"` });
  if (manifest.bonusCap > manifest.maxScore) problems.push({ file: M, ruleId: null, path: "bonusCap", message: `bonusCap above maxScore` });
  for (const r of rules) {
    // A single deduction or bonus larger than the whole scale is a typo, not a weight.
    if ((r.kind === "deduction" || r.kind === "bonus") && Math.abs(r.points) > manifest.maxScore) {
      problems.push({ file: fileOf(r.id), ruleId: r.id, path: "points", message: `points ${r.points} beyond the scale of ${manifest.maxScore} (maxScore)` });
    }
  }

  // Per rule: basis, levels, facts, named conditions, depth.
  for (const r of rules) {
    const file = fileOf(r.id);
    r.basis.forEach((b, i) => {
      // A basis names a source id, optionally followed by an article: "MCA-39 art. 7".
      if (!Object.hasOwn(manifest.sources, b.split(" ")[0]!)) problems.push({ file, ruleId: r.id, path: `basis.${i}`, message: `unknown source "${b}"; the manifest's sources are ${Object.keys(manifest.sources).join(", ")}` });
    });
    if (r.kind === "cap" && !levels.has(r.atBest)) problems.push({ file, ruleId: r.id, path: "atBest", message: `unknown level "${r.atBest}"` });
    if (r.kind === "gate") {
      const i = manifest.levels.findIndex((l) => l.id === r.level);
      if (i < 0 || i === manifest.levels.length - 1) problems.push({ file, ruleId: r.id, path: "level", message: `the gate must guard a level that has one below it; found "${r.level}"` });
    }
    const outcomeAllowed = r.kind === "measure" || r.kind === "list-action";
    if (!outcomeAllowed) {
      // A scoring rule must not reach an outcome fact through a named condition either.
      for (const { conditions: c, path } of conditionsOf(r)) {
        for (const name of new Set(namedConditionRefs(c))) {
          const reached = graph.outcomeFact.get(name);
          if (reached) {
            problems.push({ file, ruleId: r.id, path, message: `fact "${reached.fact}" is only known after scoring (reached through named condition "${reached.via}"): measures and list actions may use it, a ${r.kind} may not` });
          }
        }
      }
    }
    for (const { ref, path } of factRefs(r)) {
      const def = FACTS.get(ref.fact);
      if (!def) {
        problems.push({ file, ruleId: r.id, path, message: `unknown fact "${ref.fact}"` });
        continue;
      }
      if (def.stage === "outcome" && !outcomeAllowed) problems.push({ file, ruleId: r.id, path, message: `fact "${ref.fact}" is only known after scoring: measures and list actions may use it, a ${r.kind} may not` });
      const parsed = def.params.safeParse(ref.params);
      if (!parsed.success) {
        for (const i of parsed.error.issues) problems.push({ file, ruleId: r.id, path: [path, "params", ...i.path.map(String)].join("."), message: `fact ${ref.fact}: ${i.message}` });
      }
      if (path === "each" && !def.collection) problems.push({ file, ruleId: r.id, path, message: `each needs a collection fact (one that returns entries); "${ref.fact}" is not` });
    }
    for (const { conditions: c, path } of conditionsOf(r)) {
      const d = depth(c, graph.depths);
      if (d > MAX_CONDITION_DEPTH) problems.push({ file, ruleId: r.id, path, message: `conditions nested ${d} deep; at most ${MAX_CONDITION_DEPTH} (a named condition counts as deep as its own conditions)` });
      for (const name of namedConditionRefs(c)) {
        if (!Object.hasOwn(conditions, name)) problems.push({ file, ruleId: r.id, path, message: `unknown named condition "${name}"; ${CONDITIONS_FILE} has ${Object.keys(conditions).join(", ") || "none"}` });
      }
    }
  }

  // Named conditions: known names, facts of the scoring stage, no cycles.
  for (const [name, c] of Object.entries(conditions)) {
    const pseudo = { kind: "veto", id: name, conditions: c } as unknown as Rule;
    for (const { ref, path } of factRefs(pseudo)) {
      const def = FACTS.get(ref.fact);
      if (!def) problems.push({ file: CONDITIONS_FILE, ruleId: name, path, message: `unknown fact "${ref.fact}"` });
      else {
        const parsed = def.params.safeParse(ref.params);
        if (!parsed.success) {
          for (const i of parsed.error.issues) problems.push({ file: CONDITIONS_FILE, ruleId: name, path: [path, "params", ...i.path.map(String)].join("."), message: `fact ${ref.fact}: ${i.message}` });
        }
      }
    }
    for (const ref of namedConditionRefs(c)) {
      if (!Object.hasOwn(conditions, ref)) problems.push({ file: CONDITIONS_FILE, ruleId: name, path: "", message: `unknown named condition "${ref}"; ${CONDITIONS_FILE} has ${Object.keys(conditions).join(", ")}` });
    }
    const d = graph.depths.get(name) ?? depth(c);
    if (d > MAX_CONDITION_DEPTH) problems.push({ file: CONDITIONS_FILE, ruleId: name, path: "", message: `nested ${d} deep; at most ${MAX_CONDITION_DEPTH} (counting the named conditions it refers to)` });
  }
  for (const cycle of graph.cycles) {
    problems.push({ file: CONDITIONS_FILE, ruleId: cycle[0]!, path: "", message: `named conditions refer to each other in a cycle: ${cycle.join(" -> ")}` });
  }
  return problems;
}

/**
 * Builds a checked rule set from already-parsed files: `manifest.json`, optional `conditions.json`, and
 * one `<id>.json` per rule.
 *
 * @param files - file name to parsed JSON
 * @returns the rule set with its digest
 * @throws RuleSetError listing every problem with its file and rule id
 * @example
 * const ruleSet = ruleSetFromFiles({ "manifest.json": manifest, "P1.json": p1, ... });
 */
export function ruleSetFromFiles(given: Record<string, unknown>): RuleSet {
  // Plain data first: a file too deep, too large, with reserved keys or that is not data is given to no schema.
  const { files, problems } = plainFiles(given);
  const refused = new Set(problems.map((p) => p.file));
  const fileNames = Object.keys(files).sort(compareStrings);

  const manifestResult = refused.has(MANIFEST_FILE) ? null : manifestSchema.safeParse(files[MANIFEST_FILE]);
  if (!Object.hasOwn(files, MANIFEST_FILE)) problems.push({ file: MANIFEST_FILE, ruleId: null, path: "", message: "the rule set has no manifest.json" });
  else if (manifestResult && !manifestResult.success) append(problems, zodProblems(MANIFEST_FILE, null, manifestResult.error));

  const conditions: Record<string, TopLevelCondition> = {};
  const rawConditions = refused.has(CONDITIONS_FILE) ? {} : (files[CONDITIONS_FILE] ?? {});
  if (rawConditions === null || typeof rawConditions !== "object" || Array.isArray(rawConditions)) {
    problems.push({ file: CONDITIONS_FILE, ruleId: null, path: "", message: "expected an object of named conditions" });
  } else {
    for (const [name, c] of Object.entries(rawConditions)) {
      const parsed = topLevelConditionSchema.safeParse(c);
      if (parsed.success) conditions[name] = parsed.data;
      else append(problems, zodProblems(CONDITIONS_FILE, name, parsed.error));
    }
  }

  const rules: Rule[] = [];
  const ruleFiles = new Map<string, string>();
  const unparsed = new Set<string>();
  for (const file of fileNames) {
    if (file === MANIFEST_FILE || file === CONDITIONS_FILE) continue;
    const raw = files[file] as { id?: unknown } | null;
    const rawId = raw && typeof raw === "object" && typeof raw.id === "string" ? raw.id : null;
    const parsed = refused.has(file) ? null : ruleSchema.safeParse(raw);
    if (!parsed?.success) {
      if (parsed) append(problems, zodProblems(file, rawId, parsed.error));
      unparsed.add(file.replace(/\.json$/, ""));
      if (rawId !== null) unparsed.add(rawId);
      continue;
    }
    const rule = parsed.data;
    if (`${rule.id}.json` !== file) {
      problems.push({ file, ruleId: rule.id, path: "id", message: `a rule file is named after its id: expected ${rule.id}.json` });
    }
    if (ruleFiles.has(rule.id)) {
      problems.push({ file, ruleId: rule.id, path: "id", message: `id ${rule.id} is also used by ${ruleFiles.get(rule.id)}` });
      continue;
    }
    ruleFiles.set(rule.id, file);
    rules.push(rule);
  }

  if (manifestResult?.success) {
    append(problems, checkRuleSet(manifestResult.data, conditions, rules, ruleFiles, unparsed));
    append(problems, checkComparedValues(manifestResult.data, conditions, rules, (id) => ruleFiles.get(id) ?? `${id}.json`));
  }
  // Bounds need a sound graph of named conditions and known facts: checked once nothing else is wrong.
  if (problems.length === 0) {
    append(problems, itemBoundProblems(rules, (id) => ruleFiles.get(id) ?? `${id}.json`));
    append(problems, expandedWorkProblems({ conditions, rules }, (id) => ruleFiles.get(id) ?? `${id}.json`));
  }
  if (problems.length > 0 || !manifestResult?.success) throw refuse(problems);

  const manifest = manifestResult.data;
  rules.sort((a, b) => compareStrings(a.id, b.id));
  const digest = sha256(canonicalJson({ manifest, conditions, rules }));
  // Frozen, everything in it: results name this digest, so nothing may change the rules it stands for.
  return markChecked(deepFreeze({ id: manifest.id, version: manifest.version, effectiveFrom: manifest.effectiveFrom, digest, manifest, conditions, rules }));
}

/** Reads a property of an object given through the API once; a getter or Proxy that throws is a problem, not a crash. */
function given(value: unknown, key: string, where: string, problems: RuleSetProblem[]): unknown {
  try {
    return value !== null && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined;
  } catch (error) {
    problems.push({ file: where, ruleId: null, path: key, message: `reading it threw ${thrownName(error)}` });
    return undefined;
  }
}

/**
 * The checked rule set an evaluator works from. A rule set this library loaded is returned as it is (it is
 * checked, frozen and digested already: nothing is redone). Any other object — made by hand, copied with
 * JSON, changed after loading — is rebuilt from its `manifest`, `conditions` and `rules` by the loader
 * (`ruleSetFromFiles`), so it passes every check a loaded set passes, gets a frozen copy that later changes
 * to the object cannot reach, and a digest computed from that content: a digest the object carries is never
 * trusted (it is recomputed, not compared). The top-level `id`, `version` and `effectiveFrom` come from
 * the manifest, as they do for a loaded set. A set with `versions` is rebuilt version by version.
 *
 * @param ruleSet - a rule set object
 * @returns a checked, frozen rule set with its own digest
 * @throws RuleSetError listing every problem, as loading the same files would
 */
export function checkedRuleSet(ruleSet: RuleSet): RuleSet {
  if (isChecked(ruleSet)) return ruleSet;
  const problems: RuleSetProblem[] = [];
  if (ruleSet === null || typeof ruleSet !== "object") {
    throw new RuleSetError([{ file: "", ruleId: null, path: "", message: `expected a rule set object; found ${kindOf(ruleSet)}` }]);
  }
  const versions = given(ruleSet, "versions", "", problems);
  if (problems.length > 0) throw refuse(problems);
  if (versions !== undefined) {
    if (!Array.isArray(versions) || versions.length === 0) {
      throw new RuleSetError([{ file: "", ruleId: null, path: "versions", message: `expected a non-empty array of rule-set versions; found ${Array.isArray(versions) ? "an empty array" : kindOf(versions)}` }]);
    }
    const loaded: Array<{ folder: string; ruleSet: RuleSet }> = [];
    versions.forEach((v: unknown, i: number) => {
      try {
        const version = checkedRuleSet(v as RuleSet);
        loaded.push({ folder: version.version, ruleSet: version });
      } catch (error) {
        if (!(error instanceof RuleSetError)) throw error;
        problems.push(...error.problems.map((p) => ({ ...p, file: `versions.${i}/${p.file}` })));
      }
    });
    if (problems.length > 0) throw new RuleSetError(problems);
    return markChecked(ruleSetWithVersions(loaded));
  }
  const files: Record<string, unknown> = { [MANIFEST_FILE]: given(ruleSet, "manifest", "", problems) };
  const conditions = given(ruleSet, "conditions", "", problems);
  if (conditions !== undefined) files[CONDITIONS_FILE] = conditions;
  const rules = given(ruleSet, "rules", "", problems);
  if (!Array.isArray(rules)) {
    problems.push({ file: "", ruleId: null, path: "rules", message: `expected an array of rules; found ${kindOf(rules)}` });
  } else {
    rules.forEach((rule: unknown, i: number) => {
      const id = given(rule, "id", `rules.${i}`, problems);
      const file = typeof id === "string" ? `${id}.json` : `rules.${i}`;
      if (typeof id !== "string") problems.push({ file, ruleId: null, path: "id", message: `expected a rule with a string id; found ${kindOf(id)}` });
      else if (Object.hasOwn(files, file) || file === MANIFEST_FILE || file === CONDITIONS_FILE) problems.push({ file, ruleId: id, path: "id", message: `id ${id} is used by two rules` });
      else files[file] = rule;
    });
  }
  if (problems.length > 0) throw refuse(problems);
  return ruleSetFromFiles(files);
}

const UTF8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Reads one rule file: a regular file of the folder (a symbolic link only to a regular file inside the
 * folder), at most MAX_FILE_BYTES, UTF-8 JSON. A refusal never quotes the file: it may be anything (a link
 * to /etc/passwd), so it says where the JSON breaks, not what is there.
 */
function readRuleFile(dir: string, name: string): { value: unknown } | { problem: string } {
  const path = join(dir, name);
  let text: string;
  try {
    const stat = statSync(path);
    // A device or pipe (a link to /dev/zero) reports size 0 and never ends: only regular files are read.
    if (!stat.isFile()) return { problem: "not a readable JSON file: not a regular file" };
    if (lstatSync(path).isSymbolicLink()) {
      const inside = relative(realpathSync(dir), realpathSync(path));
      if (inside === "" || inside.startsWith("..") || isAbsolute(inside)) {
        return { problem: "not read: a symbolic link to a file outside the rule-set folder (a rule file is a file of its folder)" };
      }
    }
    if (stat.size > MAX_FILE_BYTES) return { problem: `not a readable JSON file: larger than ${MAX_FILE_BYTES} bytes` };
    const bytes = readFileSync(path);
    if (bytes.length > MAX_FILE_BYTES) return { problem: `not a readable JSON file: larger than ${MAX_FILE_BYTES} bytes` };
    text = UTF8.decode(bytes);
  } catch (error) {
    if (error instanceof TypeError) return { problem: "not a readable JSON file: not UTF-8 text" };
    const code = (error as NodeJS.ErrnoException).code;
    return { problem: `not a readable JSON file: ${code === "ELOOP" ? "a loop of symbolic links" : code === "ENOENT" ? "a symbolic link to nothing" : (code ?? "it cannot be read")}` };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { problem: `not a readable JSON file: ${jsonSyntaxMessage(text)}` };
  }
  // A repeated key is read by JSON.parse as its last value while a reader sees the first: refused.
  try {
    checkStrictJson(text);
  } catch (error) {
    if (error instanceof StrictJsonError) return { problem: `not a rule file a reader can trust: ${error.message}` };
    throw error;
  }
  return { value };
}

/**
 * Reads the raw JSON files of a rule-set folder (every `*.json` directly inside it).
 *
 * @param dir - the folder
 * @returns file name to parsed JSON
 * @throws RuleSetError when a file cannot be read or is not JSON
 */
export function readRuleFiles(dir: string): Record<string, unknown> {
  const files: Record<string, unknown> = {};
  const problems: RuleSetProblem[] = [];
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith(".json"));
  } catch (error) {
    throw new RuleSetError([{ file: dir, ruleId: null, path: "", message: `cannot read the rule-set folder: ${(error as Error).message}` }]);
  }
  if (names.length > MAX_RULE_FILES) {
    throw new RuleSetError([{ file: dir, ruleId: null, path: "", message: `${names.length} .json files; a rule set has at most ${MAX_RULE_FILES}` }]);
  }
  for (const name of names.sort(compareStrings)) {
    const read = readRuleFile(dir, name);
    if ("problem" in read) problems.push({ file: name, ruleId: null, path: "", message: read.problem });
    else files[basename(name)] = read.value;
  }
  if (problems.length > 0) throw refuse(problems);
  return files;
}

/**
 * Loads a rule set from a folder of rule files and checks it. The folder is one version (it holds
 * `manifest.json`, optional `conditions.json` and one `<id>.json` per rule), which applies on any asOf;
 * or it holds versions, one per subfolder named after its version (`2023.1/`, `2026.1/`), each with its
 * own `effectiveFrom`: the latest is returned, carrying every version, and evaluation uses the version
 * in force on asOf.
 *
 * @param dir - the rule-set folder
 * @returns the checked rule set (with `versions` for a folder of versions)
 * @throws RuleSetError listing every problem with its file (relative to dir) and rule id
 * @example
 * const ruleSet = loadRuleSet("./rules/my-bureau");
 * const result = await evaluate(record, { asOf: "2024-06-30", ruleSet });
 */
export function loadRuleSet(dir: string): RuleSet {
  const folders = versionFolders(dir);
  if (folders.length === 0) return ruleSetFromFiles(readRuleFiles(dir));
  if (existsSync(join(dir, MANIFEST_FILE))) {
    throw new RuleSetError([{ file: MANIFEST_FILE, ruleId: null, path: "", message: `the folder holds a version's files and also version folders (${folders.join(", ")}): put each version in its own folder` }]);
  }
  const problems: RuleSetProblem[] = [];
  const loaded: Array<{ folder: string; ruleSet: RuleSet }> = [];
  for (const folder of folders) {
    try {
      // A version folder holds no links to folders either (refused by versionFolders, its result unused).
      versionFolders(join(dir, folder));
      loaded.push({ folder, ruleSet: ruleSetFromFiles(readRuleFiles(join(dir, folder))) });
    } catch (error) {
      if (!(error instanceof RuleSetError)) throw error;
      problems.push(...error.problems.map((p) => ({ ...p, file: `${folder}/${p.file}` })));
    }
  }
  if (problems.length > 0) throw new RuleSetError(problems);
  return ruleSetWithVersions(loaded);
}
