import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { topReasons } from "../src/result/assemble.js";
import type { DeductionResult, ItemResult } from "../src/result/types.js";

// The definition: every id's loss, those above 0 sorted largest first then by id, the first `count`.
function bySortingAll(items: ItemResult[], deductions: DeductionResult[], count: number) {
  const lost = new Map<string, number>();
  for (const i of items) lost.set(i.id, i.max - i.points);
  for (const d of deductions) lost.set(d.id, (lost.get(d.id) ?? 0) - d.points);
  return [...lost.entries()]
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, count)
    .map(([id, pointsLost]) => ({ id, pointsLost }));
}

describe("topReasons", () => {
  it("gives the same reasons as sorting every loss and taking the first, ties by id, for any items and deductions", () => {
    const id = fc.constantFrom("A1", "A2", "B1", "C1", "C2", "D1", "D2", "D3", "E1", "G1");
    const points = fc.integer({ min: -60, max: 200 });
    const item = fc.record({ id, points, max: fc.integer({ min: 0, max: 200 }) }).map((x) => x as unknown as ItemResult);
    const deduction = fc.record({ id, points }).map((x) => x as unknown as DeductionResult);
    fc.assert(
      fc.property(fc.array(item, { maxLength: 12 }), fc.array(deduction, { maxLength: 12 }), fc.integer({ min: 0, max: 12 }), (items, deductions, count) => {
        expect(topReasons(items, deductions, count)).toEqual(bySortingAll(items, deductions, count));
        expect(topReasons(items, deductions)).toEqual(bySortingAll(items, deductions, 4));
      }),
      { numRuns: 2000, seed: 5 },
    );
  });
});
