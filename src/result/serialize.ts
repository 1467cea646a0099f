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
  Result,
  VetoResult,
} from "./types.js";
import { JsonBytes } from "../_lib/json-bytes.js";

/**
 * Thrown by the fast path on any value it does not expect where it is (a missing field, a number that
 * is a string): the caller then writes JSON.stringify's text of the whole result instead.
 */
const UNEXPECTED = Symbol("unexpected");

function unexpected(): never {
  throw UNEXPECTED;
}

const utf8 = (text: string): Uint8Array => Buffer.from(text, "utf8");

export { JsonBytes };

function str(w: JsonBytes, v: unknown): void {
  if (typeof v !== "string") unexpected();
  w.string(v);
}

// Ids, dimensions and levels repeat on every result: each is encoded once, in a bounded table.
const quoted = new Map<string, Uint8Array>();
function id(w: JsonBytes, v: unknown): void {
  if (typeof v !== "string") unexpected();
  let q = quoted.get(v);
  if (q === undefined) {
    q = utf8(JSON.stringify(v));
    if (quoted.size < 10_000) quoted.set(v, q);
  }
  w.raw(q);
}

function num(w: JsonBytes, v: unknown): void {
  if (typeof v !== "number") unexpected();
  // JSON.stringify writes a finite number as String does (−0 as "0") and NaN or ±Infinity as null.
  w.ascii(Number.isFinite(v) ? String(v) : "null");
}

function bool(w: JsonBytes, v: unknown): void {
  if (v === true) w.raw(TRUE);
  else if (v === false) w.raw(FALSE);
  else unexpected();
}

function nullableId(w: JsonBytes, v: unknown): void {
  if (v === null) w.raw(NULL);
  else id(w, v);
}

function ids(w: JsonBytes, v: unknown): void {
  if (!Array.isArray(v)) unexpected();
  w.raw(OPEN);
  for (let i = 0; i < v.length; i++) {
    if (i > 0) w.raw(COMMA);
    id(w, v[i]);
  }
  w.raw(CLOSE);
}

/** A JSON value of any shape: JSON.stringify's own text, refused when it would drop the key (undefined, a function). */
function value(w: JsonBytes, v: unknown): void {
  if (v === true) return w.raw(TRUE);
  if (v === false) return w.raw(FALSE);
  if (v === null) return w.raw(NULL);
  if (typeof v === "number") return num(w, v);
  if (typeof v === "string") return w.string(v);
  // A toJSON would be called with another key inside the whole result than here.
  if (v === undefined || typeof (v as { toJSON?: unknown }).toJSON === "function") unexpected();
  const json = JSON.stringify(v) as string | undefined;
  if (json === undefined) unexpected();
  w.text(json);
}

function valueJson(v: unknown): string {
  const json = JSON.stringify(v) as string | undefined;
  return json === undefined ? unexpected() : json;
}

/**
 * The UTF-8 JSON of every object and array of a rule set (labels, basis lists, fact params...), encoded once.
 * A result shares these objects with its rule set, so their bytes are copied rather than re-encoded. The
 * rule set must not change while they are in use: a batch worker's rule set is its own copy, which nothing changes.
 */
export interface RuleSetConstants {
  bytes: WeakMap<object, Uint8Array>;
  shells: WeakMap<object, Shell>;
  prefixes: WeakMap<object, { fact: string; prefix: Uint8Array }>;
}

/**
 * Encodes every object and array of a rule set once, for `writeResultJson`.
 *
 * @param ruleSet - the rule set (plain JSON data); it must not change afterwards
 * @returns the constants to give `new JsonBytes`
 * @example
 * const out = new JsonBytes(1 << 20, ruleSetConstants(ruleSet));
 */
export function ruleSetConstants(ruleSet: object): RuleSetConstants {
  const bytes = new WeakMap<object, Uint8Array>();
  const walk = (v: unknown): void => {
    if (v === null || typeof v !== "object" || bytes.has(v) || typeof (v as { toJSON?: unknown }).toJSON === "function") return;
    const json = JSON.stringify(v) as string | undefined;
    if (json !== undefined) bytes.set(v, utf8(json));
    for (const x of Array.isArray(v) ? v : Object.values(v)) walk(x);
  };
  walk(ruleSet);
  return { bytes, shells: new WeakMap(), prefixes: new WeakMap() };
}

/** A label, basis list or params: its bytes when it is the rule set's own object, else JSON.stringify's text. */
function constant(w: JsonBytes, v: unknown): void {
  const known = v !== null && typeof v === "object" && w.constants !== null ? w.constants.bytes.get(v) : undefined;
  if (known !== undefined) w.raw(known);
  else value(w, v);
}

const TRUE = utf8("true");
const FALSE = utf8("false");
const NULL = utf8("null");
const OPEN = utf8("[");
const CLOSE = utf8("]");
const COMMA = utf8(",");
const END = utf8("}");

function list<T>(w: JsonBytes, v: unknown, each: (w: JsonBytes, x: T) => void): void {
  if (!Array.isArray(v)) unexpected();
  w.raw(OPEN);
  for (let i = 0; i < v.length; i++) {
    if (i > 0) w.raw(COMMA);
    each(w, v[i] as T);
  }
  w.raw(CLOSE);
}

// The fixed text between fields, encoded once.
const AS_OF_KEY = utf8(',"asOf":');
const AT_BEST_KEY = utf8(',"atBest":');
const BASE_SCORE_KEY = utf8(',"baseScore":');
const BASIS_KEY = utf8(',"basis":');
const BLOCKED_BY_KEY = utf8(',"blockedBy":');
const BONUS_TOTAL_KEY = utf8(',"bonusTotal":');
const BONUSES_KEY = utf8(',"bonuses":');
const CAPS_KEY = utf8(',"caps":');
const CAUSES_KEY = utf8(',"causes":');
const COUNTS_UNTIL_KEY = utf8(',"countsUntil":');
const DEDUCTION_TOTAL_KEY = utf8(',"deductionTotal":');
const DEDUCTIONS_KEY = utf8(',"deductions":');
const DIGEST_KEY = utf8(',"digest":');
const DIMENSION_KEY = utf8(',"dimension":');
const DIMENSIONS_KEY = utf8(',"dimensions":');
const GATE_KEY = utf8(',"gate":');
const GRADE_KEY = utf8(',"grade":');
const HELD_KEY = utf8(',"held":');
const ITEMS_KEY = utf8(',"items":');
const KIND_KEY = utf8(',"kind":');
const LABEL_KEY = utf8(',"label":');
const LEVEL_KEY = utf8(',"level":');
const LIBRARY_VERSION_KEY = utf8(',"libraryVersion":');
const LIST_ACTIONS_KEY = utf8(',"listActions":');
const LOWERS_GRADE_KEY = utf8(',"lowersGrade":');
const MATCHED_KEY = utf8(',"matched":');
const MAX_KEY = utf8(',"max":');
const MEASURES_KEY = utf8(',"measures":');
const MISSING_KEY = utf8(',"missing":');
const NAME_KEY = utf8(',"name":');
const NEXT_LEVEL_KEY = utf8(',"nextLevel":');
const PARAMS_KEY = utf8(',"params":');
const POINTS_KEY = utf8(',"points":');
const POINTS_LOST_KEY = utf8(',"pointsLost":');
const POINTS_NEEDED_KEY = utf8(',"pointsNeeded":');
const REASONS_KEY = utf8(',"reasons":');
const RULE_SET_ID_KEY = utf8(',"ruleSet":{"id":');
const SCORE_KEY = utf8(',"score":');
const SCORE_LEVEL_KEY = utf8(',"scoreLevel":');
const SERIOUSLY_DISHONEST_KEY = utf8(',"seriouslyDishonest":');
const VERSION_KEY = utf8(',"version":');
const VETOES_KEY = utf8(',"vetoes":');
const OPEN_ID_KEY = utf8('{"id":');
const OPEN_LEVEL_KEY = utf8('{"level":');
const OPEN_ORGANIZATION_ID_KEY = utf8('{"organizationId":');
const AFTER_RULE_SET_SCORE_KEY = utf8('},"score":');

// Each kind of object is written with its keys in the order in which src/result/assemble.ts builds it.

const factPrefixes = new Map<string, Uint8Array>();
const VALUE = utf8(',"value":');
const FACT = utf8('{"fact":');
const PARAMS = utf8(',"params":');
function factEvidence(w: JsonBytes, e: FactEvidence): void {
  const fact = e.fact;
  const params = e.params as unknown;
  if (typeof fact !== "string") unexpected();
  if (params === undefined) {
    let prefix = factPrefixes.get(fact);
    if (prefix === undefined) {
      prefix = utf8(`{"fact":${JSON.stringify(fact)},"value":`);
      if (factPrefixes.size < 10_000) factPrefixes.set(fact, prefix);
    }
    w.raw(prefix);
  } else {
    if (params === null || typeof params !== "object") unexpected();
    const constants = w.constants;
    const paramsBytes = constants?.bytes.get(params);
    if (paramsBytes !== undefined) {
      // The rule set's own params: `{"fact":…,"params":…,"value":` kept per params object and fact.
      let known = constants!.prefixes.get(params);
      if (known === undefined || known.fact !== fact) {
        known = { fact, prefix: utf8(`{"fact":${JSON.stringify(fact)},"params":${Buffer.from(paramsBytes).toString("utf8")},"value":`) };
        constants!.prefixes.set(params, known);
      }
      w.raw(known.prefix);
    } else {
      w.raw(FACT);
      str(w, fact);
      w.raw(PARAMS);
      value(w, params);
      w.raw(VALUE);
    }
  }
  value(w, e.value);
  w.raw(END);
}
const evidenceList = (w: JsonBytes, v: unknown) => list(w, v, factEvidence);

/** The parts of an item's or dimension's text fixed by its rule, kept per label object of the rule set. */
interface Shell {
  id: unknown;
  group: unknown;
  max: unknown;
  basis: unknown;
  head: Uint8Array;
  mid: Uint8Array;
  tail: Uint8Array;
}

/** The shell of a rule set's label with these fields, or null when the label is not the rule set's own. */
function shellOf(w: JsonBytes, label: unknown, basis: unknown, id: unknown, group: unknown, max: unknown, build: () => { head: string; mid: string; tail: string }): Shell | null {
  const constants = w.constants;
  if (constants === null || label === null || typeof label !== "object" || !constants.bytes.has(label)) return null;
  if (basis !== undefined && (basis === null || typeof basis !== "object" || !constants.bytes.has(basis))) return null;
  const s = constants.shells.get(label);
  if (s !== undefined && s.id === id && s.group === group && s.max === max && s.basis === basis) return s;
  const { head, mid, tail } = build();
  const fresh: Shell = { id, group, max, basis, head: utf8(head), mid: utf8(mid), tail: utf8(tail) };
  constants.shells.set(label, fresh);
  return fresh;
}

const jsonNum = (v: unknown) => (typeof v === "number" ? valueJson(v) : unexpected());
const jsonId = (v: unknown) => (typeof v === "string" ? JSON.stringify(v) : unexpected());

function dimension(w: JsonBytes, d: DimensionResult): void {
  const s = shellOf(w, d.label, undefined, d.id, undefined, d.max, () => ({
    head: `{"id":${jsonId(d.id)},"score":`,
    mid: "",
    tail: `,"max":${jsonNum(d.max)},"label":${valueJson(d.label)}}`,
  }));
  if (s === null) {
    w.raw(OPEN_ID_KEY);
    id(w, d.id);
    w.raw(SCORE_KEY);
    num(w, d.score);
    w.raw(MAX_KEY);
    num(w, d.max);
    w.raw(LABEL_KEY);
    value(w, d.label);
    return w.raw(END);
  }
  w.raw(s.head);
  num(w, d.score);
  w.raw(s.tail);
}

const EVIDENCE = utf8(',"evidence":');
const OTHERWISE = utf8('"otherwise"');
function item(w: JsonBytes, i: ItemResult): void {
  const s = shellOf(w, i.label, i.basis, i.id, i.dimension, i.max, () => ({
    head: `{"id":${jsonId(i.id)},"dimension":${jsonId(i.dimension)},"points":`,
    mid: `,"max":${jsonNum(i.max)},"matched":`,
    tail: `,"label":${valueJson(i.label)},"basis":${valueJson(i.basis)}}`,
  }));
  if (s === null) {
    w.raw(OPEN_ID_KEY);
    id(w, i.id);
    w.raw(DIMENSION_KEY);
    id(w, i.dimension);
    w.raw(POINTS_KEY);
  } else w.raw(s.head);
  num(w, i.points);
  if (s === null) {
    w.raw(MAX_KEY);
    num(w, i.max);
    w.raw(MATCHED_KEY);
  } else w.raw(s.mid);
  if (i.matched === "otherwise") w.raw(OTHERWISE);
  else num(w, i.matched);
  w.raw(EVIDENCE);
  evidenceList(w, i.evidence);
  if (s === null) labelAndBasis(w, i);
  else w.raw(s.tail);
}

function countsUntil(w: JsonBytes, v: unknown): void {
  if (v === null) w.raw(NULL);
  else str(w, v);
}

function deduction(w: JsonBytes, d: DeductionResult): void {
  w.raw(OPEN_ID_KEY);
  id(w, d.id);
  w.raw(POINTS_KEY);
  num(w, d.points);
  w.raw(LABEL_KEY);
  constant(w, d.label);
  w.raw(BASIS_KEY);
  constant(w, d.basis);
  w.raw(EVIDENCE);
  if (Array.isArray(d.evidence)) evidenceList(w, d.evidence);
  else value(w, d.evidence);
  w.raw(COUNTS_UNTIL_KEY);
  countsUntil(w, d.countsUntil);
  w.raw(END);
}

function bonus(w: JsonBytes, b: BonusResult): void {
  w.raw(OPEN_ID_KEY);
  id(w, b.id);
  w.raw(POINTS_KEY);
  num(w, b.points);
  w.raw(EVIDENCE);
  value(w, b.evidence);
  w.raw(COUNTS_UNTIL_KEY);
  countsUntil(w, b.countsUntil);
  w.raw(LABEL_KEY);
  constant(w, b.label);
  w.raw(BASIS_KEY);
  constant(w, b.basis);
  w.raw(END);
}

function labelAndBasis(w: JsonBytes, x: { label: unknown; basis: unknown }): void {
  w.raw(LABEL_KEY);
  constant(w, x.label);
  w.raw(BASIS_KEY);
  constant(w, x.basis);
  w.raw(END);
}

function cap(w: JsonBytes, c: CapResult): void {
  w.raw(OPEN_ID_KEY);
  id(w, c.id);
  w.raw(AT_BEST_KEY);
  id(w, c.atBest);
  w.raw(LOWERS_GRADE_KEY);
  bool(w, c.lowersGrade);
  w.raw(EVIDENCE);
  evidenceList(w, c.evidence);
  labelAndBasis(w, c);
}

function gate(w: JsonBytes, g: GateResult): void {
  w.raw(OPEN_ID_KEY);
  nullableId(w, g.id);
  w.raw(LEVEL_KEY);
  nullableId(w, g.level);
  w.raw(HELD_KEY);
  bool(w, g.held);
  w.raw(MISSING_KEY);
  ids(w, g.missing);
  w.raw(END);
}

function veto(w: JsonBytes, v: VetoResult): void {
  w.raw(OPEN_ID_KEY);
  id(w, v.id);
  w.raw(EVIDENCE);
  evidenceList(w, v.evidence);
  labelAndBasis(w, v);
}

function measure(w: JsonBytes, m: MeasureResult): void {
  w.raw(OPEN_ID_KEY);
  id(w, m.id);
  w.raw(KIND_KEY);
  id(w, m.kind);
  w.raw(PARAMS_KEY);
  value(w, m.params);
  w.raw(REASONS_KEY);
  ids(w, m.reasons);
  labelAndBasis(w, m);
}

function listAction(w: JsonBytes, a: ListActionResult): void {
  w.raw(OPEN_ID_KEY);
  id(w, a.id);
  w.raw(CAUSES_KEY);
  ids(w, a.causes);
  labelAndBasis(w, a);
}

function reason(w: JsonBytes, r: ReasonResult): void {
  w.raw(OPEN_ID_KEY);
  id(w, r.id);
  w.raw(POINTS_LOST_KEY);
  num(w, r.pointsLost);
  w.raw(END);
}

function nextLevel(w: JsonBytes, n: NextLevel | null): void {
  if (n === null) return w.raw(NULL);
  w.raw(OPEN_LEVEL_KEY);
  id(w, n.level);
  w.raw(POINTS_NEEDED_KEY);
  num(w, n.pointsNeeded);
  w.raw(BLOCKED_BY_KEY);
  ids(w, n.blockedBy);
  w.raw(END);
}

function fastJson(w: JsonBytes, r: Result): void {
  const rs = r.ruleSet;
  w.raw(OPEN_ORGANIZATION_ID_KEY);
  str(w, r.organizationId);
  w.raw(NAME_KEY);
  str(w, r.name);
  w.raw(AS_OF_KEY);
  id(w, r.asOf);
  w.raw(RULE_SET_ID_KEY);
  id(w, rs.id);
  w.raw(VERSION_KEY);
  id(w, rs.version);
  w.raw(DIGEST_KEY);
  id(w, rs.digest);
  w.raw(AFTER_RULE_SET_SCORE_KEY);
  num(w, r.score);
  w.raw(SCORE_LEVEL_KEY);
  id(w, r.scoreLevel);
  w.raw(GRADE_KEY);
  id(w, r.grade);
  w.raw(SERIOUSLY_DISHONEST_KEY);
  bool(w, r.seriouslyDishonest);
  w.raw(BASE_SCORE_KEY);
  num(w, r.baseScore);
  w.raw(DIMENSIONS_KEY);
  list(w, r.dimensions, dimension);
  w.raw(ITEMS_KEY);
  list(w, r.items, item);
  w.raw(DEDUCTIONS_KEY);
  list(w, r.deductions, deduction);
  w.raw(DEDUCTION_TOTAL_KEY);
  num(w, r.deductionTotal);
  w.raw(BONUSES_KEY);
  list(w, r.bonuses, bonus);
  w.raw(BONUS_TOTAL_KEY);
  num(w, r.bonusTotal);
  w.raw(CAPS_KEY);
  list(w, r.caps, cap);
  w.raw(GATE_KEY);
  gate(w, r.gate);
  w.raw(VETOES_KEY);
  list(w, r.vetoes, veto);
  w.raw(MEASURES_KEY);
  list(w, r.measures, measure);
  w.raw(LIST_ACTIONS_KEY);
  list(w, r.listActions, listAction);
  w.raw(REASONS_KEY);
  list(w, r.reasons, reason);
  w.raw(NEXT_LEVEL_KEY);
  nextLevel(w, r.nextLevel);
  w.raw(LIBRARY_VERSION_KEY);
  id(w, r.libraryVersion);
  w.raw(DIGEST_KEY);
  str(w, r.digest);
  w.raw(END);
}

/**
 * Appends the UTF-8 JSON of a Result: exactly the bytes of `JSON.stringify(result)`, written faster (the
 * structure is known, and the rule set's labels and basis lists are encoded once). On any value of a type
 * it does not expect, it writes JSON.stringify's text instead. It writes each object's keys in the order in
 * which `evaluate` builds them: it is for results as `evaluate` returns them, not objects rebuilt in another order.
 *
 * @param out - where to append
 * @param result - a result as `evaluate` builds it
 * @returns nothing; `out.at` has moved past the text
 * @example
 * const out = new JsonBytes(1 << 16);
 * writeResultJson(out, evaluator.evaluateSync(record, { asOf: "2023-05-31" }));
 * out.bytes.subarray(0, out.at); // the UTF-8 bytes of JSON.stringify(result)
 */
export function writeResultJson(out: JsonBytes, result: Result): void {
  const start = out.at;
  try {
    fastJson(out, result);
  } catch {
    // UNEXPECTED, or a part that is not even an object: JSON.stringify gives its text (or its own error).
    out.at = start;
    out.text(JSON.stringify(result));
  }
}

/**
 * The JSON text of a Result through `writeResultJson`: exactly `JSON.stringify(result)`.
 *
 * @param result - a result as `evaluate` builds it
 * @param constants - the encoded objects of its rule set (`ruleSetConstants`), if any
 * @returns the same text as `JSON.stringify(result)`
 * @example
 * resultJson(result, ruleSetConstants(ruleSet)) === JSON.stringify(result); // true
 */
export function resultJson(result: Result, constants: RuleSetConstants | null = null): string {
  const out = new JsonBytes(8192, constants);
  writeResultJson(out, result);
  return out.bytes.toString("utf8", 0, out.at);
}
