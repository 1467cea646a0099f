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

/**
 * Thrown by the fast path on any value it does not expect where it is (a missing field, a number that
 * is a string): the caller then writes JSON.stringify's text of the whole result instead.
 */
const UNEXPECTED = Symbol("unexpected");

function unexpected(): never {
  throw UNEXPECTED;
}

const utf8 = (text: string): Uint8Array => Buffer.from(text, "utf8");

/**
 * Where a result's UTF-8 JSON is written: a buffer that grows as needed. Writing bytes straight into it
 * spares the hundreds of short strings (and their joining) that building the text would cost.
 */
export class JsonBytes {
  /** The buffer written so far; replaced by a larger one when it runs out. */
  bytes: Buffer;
  /** Bytes written. */
  at = 0;

  /** The rule set's encoded objects, when results of one rule set are written. */
  readonly constants: RuleSetConstants | null;

  constructor(capacity: number, constants: RuleSetConstants | null = null) {
    this.bytes = Buffer.allocUnsafeSlow(Math.max(capacity, 1024));
    this.constants = constants;
  }

  /** Makes room for n more bytes. */
  room(n: number): void {
    if (this.at + n <= this.bytes.length) return;
    const larger = Buffer.allocUnsafeSlow(Math.max(this.bytes.length * 2, this.at + n));
    this.bytes.copy(larger, 0, 0, this.at);
    this.bytes = larger;
  }

  raw(b: Uint8Array): void {
    const n = b.length;
    this.room(n);
    const out = this.bytes;
    let at = this.at;
    // A loop beats TypedArray#set on the short pieces that make up most of a result.
    if (n < 48) for (let i = 0; i < n; i++) out[at++] = b[i]!;
    else {
      out.set(b, at);
      at += n;
    }
    this.at = at;
  }

  /** A text known to be ASCII (digits, the literals). */
  ascii(s: string): void {
    const n = s.length;
    this.room(n);
    const out = this.bytes;
    let at = this.at;
    for (let i = 0; i < n; i++) out[at++] = s.charCodeAt(i);
    this.at = at;
  }

  /** Any text, encoded as UTF-8 (JSON text never holds a lone surrogate: JSON.stringify escapes them). */
  text(s: string): void {
    const n = s.length;
    this.room(n * 3);
    const out = this.bytes;
    let at = this.at;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        this.at = at + out.write(s.slice(i), at, "utf8");
        return;
      }
      out[at++] = c;
    }
    this.at = at;
  }

  /** A string as a JSON string literal, escaped exactly as JSON.stringify escapes it. */
  string(s: string): void {
    const n = s.length;
    this.room(n + 2);
    const out = this.bytes;
    let at = this.at;
    out[at++] = 0x22;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      // Printable ASCII but `"` and `\` is written as is; anything else is left to JSON.stringify.
      if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) {
        this.text(JSON.stringify(s));
        return;
      }
      out[at++] = c;
    }
    out[at++] = 0x22;
    this.at = at;
  }
}

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

// Byte pieces of the fixed text between fields, by their text.
const pieces = new Map<string, Uint8Array>();
function piece(text: string): Uint8Array {
  let p = pieces.get(text);
  if (p === undefined) pieces.set(text, (p = utf8(text)));
  return p;
}

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
    w.raw(piece('{"id":'));
    id(w, d.id);
    w.raw(piece(',"score":'));
    num(w, d.score);
    w.raw(piece(',"max":'));
    num(w, d.max);
    w.raw(piece(',"label":'));
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
    w.raw(piece('{"id":'));
    id(w, i.id);
    w.raw(piece(',"dimension":'));
    id(w, i.dimension);
    w.raw(piece(',"points":'));
  } else w.raw(s.head);
  num(w, i.points);
  if (s === null) {
    w.raw(piece(',"max":'));
    num(w, i.max);
    w.raw(piece(',"matched":'));
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
  w.raw(piece('{"id":'));
  id(w, d.id);
  w.raw(piece(',"points":'));
  num(w, d.points);
  w.raw(piece(',"label":'));
  constant(w, d.label);
  w.raw(piece(',"basis":'));
  constant(w, d.basis);
  w.raw(EVIDENCE);
  if (Array.isArray(d.evidence)) evidenceList(w, d.evidence);
  else value(w, d.evidence);
  w.raw(piece(',"countsUntil":'));
  countsUntil(w, d.countsUntil);
  w.raw(END);
}

function bonus(w: JsonBytes, b: BonusResult): void {
  w.raw(piece('{"id":'));
  id(w, b.id);
  w.raw(piece(',"points":'));
  num(w, b.points);
  w.raw(EVIDENCE);
  value(w, b.evidence);
  w.raw(piece(',"countsUntil":'));
  countsUntil(w, b.countsUntil);
  w.raw(piece(',"label":'));
  constant(w, b.label);
  w.raw(piece(',"basis":'));
  constant(w, b.basis);
  w.raw(END);
}

function labelAndBasis(w: JsonBytes, x: { label: unknown; basis: unknown }): void {
  w.raw(piece(',"label":'));
  constant(w, x.label);
  w.raw(piece(',"basis":'));
  constant(w, x.basis);
  w.raw(END);
}

function cap(w: JsonBytes, c: CapResult): void {
  w.raw(piece('{"id":'));
  id(w, c.id);
  w.raw(piece(',"atBest":'));
  id(w, c.atBest);
  w.raw(piece(',"lowersGrade":'));
  bool(w, c.lowersGrade);
  w.raw(EVIDENCE);
  evidenceList(w, c.evidence);
  labelAndBasis(w, c);
}

function gate(w: JsonBytes, g: GateResult): void {
  w.raw(piece('{"id":'));
  nullableId(w, g.id);
  w.raw(piece(',"level":'));
  nullableId(w, g.level);
  w.raw(piece(',"held":'));
  bool(w, g.held);
  w.raw(piece(',"missing":'));
  ids(w, g.missing);
  w.raw(END);
}

function veto(w: JsonBytes, v: VetoResult): void {
  w.raw(piece('{"id":'));
  id(w, v.id);
  w.raw(EVIDENCE);
  evidenceList(w, v.evidence);
  labelAndBasis(w, v);
}

function measure(w: JsonBytes, m: MeasureResult): void {
  w.raw(piece('{"id":'));
  id(w, m.id);
  w.raw(piece(',"kind":'));
  id(w, m.kind);
  w.raw(piece(',"params":'));
  value(w, m.params);
  w.raw(piece(',"reasons":'));
  ids(w, m.reasons);
  labelAndBasis(w, m);
}

function listAction(w: JsonBytes, a: ListActionResult): void {
  w.raw(piece('{"id":'));
  id(w, a.id);
  w.raw(piece(',"causes":'));
  ids(w, a.causes);
  labelAndBasis(w, a);
}

function reason(w: JsonBytes, r: ReasonResult): void {
  w.raw(piece('{"id":'));
  id(w, r.id);
  w.raw(piece(',"pointsLost":'));
  num(w, r.pointsLost);
  w.raw(END);
}

function nextLevel(w: JsonBytes, n: NextLevel | null): void {
  if (n === null) return w.raw(NULL);
  w.raw(piece('{"level":'));
  id(w, n.level);
  w.raw(piece(',"pointsNeeded":'));
  num(w, n.pointsNeeded);
  w.raw(piece(',"blockedBy":'));
  ids(w, n.blockedBy);
  w.raw(END);
}

function fastJson(w: JsonBytes, r: Result): void {
  const rs = r.ruleSet;
  w.raw(piece('{"organizationId":'));
  str(w, r.organizationId);
  w.raw(piece(',"name":'));
  str(w, r.name);
  w.raw(piece(',"asOf":'));
  id(w, r.asOf);
  w.raw(piece(',"ruleSet":{"id":'));
  id(w, rs.id);
  w.raw(piece(',"version":'));
  id(w, rs.version);
  w.raw(piece(',"digest":'));
  id(w, rs.digest);
  w.raw(piece('},"score":'));
  num(w, r.score);
  w.raw(piece(',"scoreLevel":'));
  id(w, r.scoreLevel);
  w.raw(piece(',"grade":'));
  id(w, r.grade);
  w.raw(piece(',"seriouslyDishonest":'));
  bool(w, r.seriouslyDishonest);
  w.raw(piece(',"baseScore":'));
  num(w, r.baseScore);
  w.raw(piece(',"dimensions":'));
  list(w, r.dimensions, dimension);
  w.raw(piece(',"items":'));
  list(w, r.items, item);
  w.raw(piece(',"deductions":'));
  list(w, r.deductions, deduction);
  w.raw(piece(',"deductionTotal":'));
  num(w, r.deductionTotal);
  w.raw(piece(',"bonuses":'));
  list(w, r.bonuses, bonus);
  w.raw(piece(',"bonusTotal":'));
  num(w, r.bonusTotal);
  w.raw(piece(',"caps":'));
  list(w, r.caps, cap);
  w.raw(piece(',"gate":'));
  gate(w, r.gate);
  w.raw(piece(',"vetoes":'));
  list(w, r.vetoes, veto);
  w.raw(piece(',"measures":'));
  list(w, r.measures, measure);
  w.raw(piece(',"listActions":'));
  list(w, r.listActions, listAction);
  w.raw(piece(',"reasons":'));
  list(w, r.reasons, reason);
  w.raw(piece(',"nextLevel":'));
  nextLevel(w, r.nextLevel);
  w.raw(piece(',"libraryVersion":'));
  id(w, r.libraryVersion);
  w.raw(piece(',"digest":'));
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
