import type { z } from "zod";
import { canonicalJson, compareStrings } from "../_lib/canonical.js";
import { JsonBytes } from "../_lib/json-bytes.js";
import { organizationRecordSchema, type OrganizationRecord } from "./schema.js";

/*
 * The canonical JSON of a validated record (every object's keys sorted, every array's entries sorted by
 * their canonical JSON), written as UTF-8 bytes by a plan taken once from the record schema, instead of
 * listing and sorting the keys of every object and building strings. It is what the digest of a result
 * hashes. It relies on what validation guarantees: no object of the record has a field its schema lacks
 * (zod's strict objects build fresh objects of their own fields). tests/compiled-evaluator.test.ts checks
 * it against the plain definition on fixtures, generated and arbitrary records.
 */

const utf8 = (text: string): Uint8Array => Buffer.from(text, "utf8");

/**
 * An object's fields in canonical (sorted) order, each with the bytes before its value (`"key":`, `,"key":`)
 * and how its value is written: an object or array of the record by its own plan, anything else as a value.
 */
type ObjectPlan = Array<{ key: string; first: Uint8Array; next: Uint8Array; write: (w: JsonBytes, v: unknown) => void }>;

/** The object schema inside a field's schema (through nullable), or null for any other kind of value. */
function objectShape(schema: z.ZodType): Record<string, z.ZodType> | null {
  const def = schema.def as { type: string; innerType?: z.ZodType; shape?: Record<string, z.ZodType> };
  if (def.type === "nullable" && def.innerType) return objectShape(def.innerType);
  return def.type === "object" && def.shape ? def.shape : null;
}

/** How a field's value is written, from its schema. */
function writerOf(schema: z.ZodType): (w: JsonBytes, v: unknown) => void {
  const def = schema.def as { type: string; element?: z.ZodType };
  if (def.type === "array") {
    const shape = def.element ? objectShape(def.element) : null;
    const entry = shape ? objectPlan(shape) : null;
    return (w, v) => (Array.isArray(v) ? sortedEntries(w, v, entry) : value(w, v));
  }
  const shape = objectShape(schema);
  if (shape === null) return value;
  const fields = objectPlan(shape);
  return (w, v) => planned(w, v, fields);
}

/** Keys in canonicalJson's order: Array#sort without a comparator orders strings by UTF-16 code unit. */
function objectPlan(shape: Record<string, z.ZodType>): ObjectPlan {
  return Object.keys(shape)
    .sort()
    .map((key) => ({ key, first: utf8(`${JSON.stringify(key)}:`), next: utf8(`,${JSON.stringify(key)}:`), write: writerOf(shape[key]!) }));
}

const OPEN_OBJECT = utf8("{");
const CLOSE_OBJECT = utf8("}");
const OPEN_ARRAY = utf8("[");
const CLOSE_ARRAY = utf8("]");
const COMMA = utf8(",");
const TRUE = utf8("true");
const FALSE = utf8("false");
const NULL = utf8("null");

/** A value as canonicalJson writes it: primitives as JSON.stringify does, anything else by canonicalJson. */
function value(w: JsonBytes, v: unknown): void {
  if (typeof v === "string") w.string(v);
  else if (v === true) w.raw(TRUE);
  else if (v === false) w.raw(FALSE);
  else if (v === null) w.raw(NULL);
  else if (typeof v === "number" && Number.isFinite(v)) w.ascii(String(v));
  else w.text(canonicalJson(v));
}

/** An object of the record by its plan: its fields in sorted order, those that are undefined left out. */
function planned(w: JsonBytes, v: unknown, plan: ObjectPlan): void {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return value(w, v);
  const obj = v as Record<string, unknown>;
  w.raw(OPEN_OBJECT);
  let written = false;
  for (let i = 0; i < plan.length; i++) {
    const field = plan[i]!;
    const x = obj[field.key];
    if (x === undefined) continue;
    w.raw(written ? field.next : field.first);
    written = true;
    field.write(w, x);
  }
  w.raw(CLOSE_OBJECT);
}

// Entries of one array are first written here, then copied out in canonical order.
const entries = new JsonBytes(1 << 12);
const starts: number[] = [];

/** Byte order of two entries in `entries`: for ASCII text, the UTF-16 code unit order compareStrings gives. */
function compareEntries(a: number, b: number): number {
  const bytes = entries.bytes;
  const aEnd = starts[a + 1]!;
  const bEnd = starts[b + 1]!;
  for (let i = starts[a]!, j = starts[b]!; i < aEnd && j < bEnd; i++, j++) {
    const d = bytes[i]! - bytes[j]!;
    if (d !== 0) return d;
  }
  return aEnd - starts[a]! - (bEnd - starts[b]!);
}

/** An array's entries, each written canonically, in canonical order (sorted by their canonical JSON). */
function sortedEntries(w: JsonBytes, list: unknown[], plan: ObjectPlan | null): void {
  const n = list.length;
  entries.at = 0;
  entries.wide = false;
  starts.length = 0;
  for (let i = 0; i < n; i++) {
    starts.push(entries.at);
    if (plan === null) value(entries, list[i]);
    else planned(entries, list[i], plan);
  }
  starts.push(entries.at);
  const bytes = entries.bytes;
  if (entries.wide) {
    // Text beyond ASCII (not in a validated record, whose entries hold codes, dates and numbers): UTF-8 byte
    // order may differ from UTF-16 code unit order, so these entries are sorted as strings.
    const texts = list.map((e) => canonicalJson(e)).sort(compareStrings);
    w.text(`[${texts.join(",")}]`);
    return;
  }
  let sorted = true;
  for (let i = 1; i < n && sorted; i++) sorted = compareEntries(i - 1, i) <= 0;
  const order = sorted ? null : Array.from({ length: n }, (_, i) => i).sort(compareEntries);
  w.raw(OPEN_ARRAY);
  for (let i = 0; i < n; i++) {
    if (i > 0) w.raw(COMMA);
    const e = order === null ? i : order[i]!;
    w.range(bytes, starts[e]!, starts[e + 1]!);
  }
  w.raw(CLOSE_ARRAY);
}

/**
 * Appends the canonical JSON of a validated record, as UTF-8: the bytes of
 * `canonicalJson({ ...record, [each array]: its entries sorted by their canonicalJson })`.
 *
 * @param w - where to append
 * @param record - an organization record that passed validation
 * @returns nothing; `w.at` has moved past the text
 */
export function writeCanonicalRecord(w: JsonBytes, record: OrganizationRecord): void {
  planned(w, record, RECORD_PLAN);
}
const RECORD_PLAN = objectPlan(organizationRecordSchema.shape);

/**
 * The canonical JSON text of a validated record (see `writeCanonicalRecord`).
 *
 * @param record - an organization record that passed validation
 * @returns the text
 * @example
 * canonicalRecordJson(record); // '{"activities":[{"kind":"service","on":"2023-01-05"}],"annualInspections":[…],…}'
 */
export function canonicalRecordJson(record: OrganizationRecord): string {
  const w = new JsonBytes(4096);
  writeCanonicalRecord(w, record);
  return w.bytes.toString("utf8", 0, w.at);
}
