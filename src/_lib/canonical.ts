import * as crypto from "node:crypto";
import { createHash } from "node:crypto";

/**
 * Serializes a JSON value with object keys sorted at every depth, so equal values give equal strings.
 * Arrays keep their order; callers sort them first where order carries no meaning.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return primitiveJson(value);
  // Concatenation in loops rather than map/filter/join: this runs for every organization's digest and evidence.
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i++) out += `${i > 0 ? "," : ""}${canonicalJson(value[i])}`;
    return `${out}]`;
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  let sorted = true;
  for (let i = 1; i < keys.length && sorted; i++) sorted = keys[i - 1]! <= keys[i]!;
  if (!sorted) sortKeys(keys);
  let out = "{";
  for (const k of keys) {
    const v = obj[k];
    if (v === undefined) continue;
    out += `${out.length > 1 ? "," : ""}${quotedKey(k)}${canonicalJson(v)}`;
  }
  return `${out}}`;
}

/** Sorts strings by code unit, as Array#sort does without a comparator: by insertion for the few keys of an entry. */
function sortKeys(keys: string[]): void {
  if (keys.length > 16) {
    keys.sort();
    return;
  }
  for (let i = 1; i < keys.length; i++) {
    const k = keys[i]!;
    let j = i - 1;
    for (; j >= 0 && keys[j]! > k; j--) keys[j + 1] = keys[j]!;
    keys[j + 1] = k;
  }
}

/** JSON.stringify's text of a primitive ("null" for undefined, a function or a symbol), the common cases without a call into it. */
export function primitiveJson(value: unknown): string {
  if (typeof value === "string") {
    // Printable ASCII but `"` and `\` needs no escaping; anything else is left to JSON.stringify.
    for (let i = 0; i < value.length; i++) {
      const c = value.charCodeAt(i);
      if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) return JSON.stringify(value);
    }
    return `"${value}"`;
  }
  if (value === true) return "true";
  if (value === false) return "false";
  if (value === null) return "null";
  // JSON.stringify writes a finite number as String does and NaN or ±Infinity as null.
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "null";
  return JSON.stringify(value) ?? "null";
}

// Records have few distinct field names: each is quoted once, in a bounded table.
const quotedKeys = new Map<string, string>();
function quotedKey(key: string): string {
  let quoted = quotedKeys.get(key);
  if (quoted === undefined) {
    quoted = `${JSON.stringify(key)}:`;
    if (quotedKeys.size < 10_000) quotedKeys.set(key, quoted);
  }
  return quoted;
}

/** `sha256:` followed by the hex SHA-256 of a string's UTF-8 bytes, or of bytes. */
export function sha256(data: string | Uint8Array): string {
  return `sha256:${oneShotHash ? oneShotHash("sha256", data, "hex") : typeof data === "string" ? createHash("sha256").update(data, "utf8").digest("hex") : createHash("sha256").update(data).digest("hex")}`;
}
// crypto.hash (Node 20.12+) hashes a string in one call, without a Hash object per digest.
const oneShotHash = (crypto as { hash?: (algorithm: string, data: string | Uint8Array, encoding: "hex") => string }).hash;

/** Compares two strings by code unit, independent of locale. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sorts values by their canonical JSON, giving one order whatever order they came in. */
export function sortCanonically<T>(values: readonly T[]): T[] {
  return values
    .map((v) => ({ v, key: canonicalJson(v) }))
    .sort((a, b) => compareStrings(a.key, b.key))
    .map((x) => x.v);
}
