import { describe, expect, it } from "vitest";
import { evaluate } from "../src/index.js";
import { organizationFixtures } from "./_lib/fixtures.js";

/** The same data with every array rotated and reversed and every object's keys in reverse order. */
function reordered(value: unknown, depth = 0): unknown {
  if (Array.isArray(value)) {
    const items = value.map((v) => reordered(v, depth + 1));
    return items.length > 1 ? [...items.slice(1), items[0]].reverse() : items;
  }
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value)
        .reverse()
        .map(([k, v]) => [k, reordered(v, depth + 1)]),
    );
  }
  return value;
}

describe("deterministic results", () => {
  const fixtures = organizationFixtures();
  it("gives byte-identical JSON and digest whatever the order of arrays and keys", async () => {
    for (const f of fixtures) {
      const a = await evaluate(f.record, { asOf: f.asOf });
      const b = await evaluate(reordered(f.record), { asOf: f.asOf });
      expect(JSON.stringify(b), f.file).toBe(JSON.stringify(a));
    }
  });
  it("gives byte-identical JSON when evaluated twice", async () => {
    for (const f of fixtures) {
      const a = JSON.stringify(await evaluate(f.record, { asOf: f.asOf }));
      expect(JSON.stringify(await evaluate(f.record, { asOf: f.asOf })), f.file).toBe(a);
    }
  });
  it("changes the digest when the record, asOf or the rule set changes", async () => {
    const f = fixtures[0]!;
    const a = await evaluate(f.record, { asOf: f.asOf });
    const b = await evaluate({ ...f.record, name: `${String(f.record.name)}X` }, { asOf: f.asOf });
    const c = await evaluate(f.record, { asOf: "2023-06-01" });
    expect(new Set([a.digest, b.digest, c.digest]).size).toBe(3);
    expect(a.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
  it("does not change the record it was given", async () => {
    const f = fixtures[2]!;
    const copy = structuredClone(f.record);
    await evaluate(copy, { asOf: f.asOf });
    expect(copy).toEqual(f.record);
  });
});
