import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJson, sha256 } from "../src/_lib/canonical.js";

// The plain recursive definition the quicker canonicalJson must match.
const plain = (v: unknown): string => {
  if (v === null || typeof v !== "object") return JSON.stringify(v) ?? "null";
  if (Array.isArray(v)) return `[${v.map(plain).join(",")}]`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${plain(o[k])}`).join(",")}}`;
};

describe("canonicalJson and sha256, written for speed", () => {
  it("escape any string and sort any keys as the plain definition does: lone surrogates, control characters, non-ASCII keys", () => {
    const value = fc.jsonValue({ stringUnit: "binary", maxDepth: 3 });
    fc.assert(fc.property(value, (v) => canonicalJson(v) === plain(v)), { numRuns: 1000, seed: 11 });
    fc.assert(fc.property(fc.jsonValue(), (v) => canonicalJson(v) === plain(v)), { numRuns: 2000, seed: 7 });
    fc.assert(fc.property(fc.dictionary(fc.string({ unit: "binary" }), fc.string({ unit: "binary" }), { maxKeys: 20 }), (o) => canonicalJson(o) === plain(o)), { numRuns: 500, seed: 12 });
  });

  it("write numbers, NaN, infinities, -0, functions and symbols as JSON.stringify does", () => {
    fc.assert(fc.property(fc.double(), (n) => canonicalJson(n) === plain(n) && canonicalJson([n]) === plain([n])), { numRuns: 1000, seed: 13 });
    for (const v of [-0, NaN, Infinity, -Infinity, () => 1, Symbol("s"), undefined, true, false, null]) expect(canonicalJson(v)).toBe(plain(v));
    // More keys than the insertion sort takes: the same order.
    const many = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${(i * 7) % 40}`, i]));
    expect(canonicalJson(many)).toBe(plain(many));
  });

  it("hash to the hex SHA-256 of the text's UTF-8 bytes", () => {
    for (const text of ["", "abc", "衢州市", "\ud800"]) {
      expect(sha256(text)).toBe(`sha256:${createHash("sha256").update(text, "utf8").digest("hex")}`);
    }
    expect(sha256("abc")).toBe("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    // Bytes hash as themselves: the digest hashes the UTF-8 it wrote.
    expect(sha256(Buffer.from("衢州市", "utf8"))).toBe(sha256("衢州市"));
  });
});
