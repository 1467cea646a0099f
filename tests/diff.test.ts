import { describe, expect, it } from "vitest";
import { diffResults } from "../src/audit/diff.js";
import { evaluate } from "../src/index.js";
import { organizationFixtures } from "./_lib/fixtures.js";

const LEVELS = ["A", "B", "C", "D", "E"];

describe("diffResults", () => {
  it("counts an organization that lost an abnormal listing as moving from D to C, moved by K1 and X10", async () => {
    // Fixture 42: abnormal listing current on 2024-06-30 (K1, X10: grade D). Removing the listing lifts both.
    const f = organizationFixtures().find((x) => x.file.startsWith("42-"))!;
    const before = await evaluate(f.record, { asOf: f.asOf });
    const unlisted = { ...f.record, listings: [] };
    const after = await evaluate(unlisted, { asOf: f.asOf });
    const d = diffResults([before], [after], LEVELS);
    expect(d.compared).toBe(1);
    expect(d.matrix[before.grade]![after.grade]).toBe(1);
    expect(d.changed).toHaveLength(1);
    expect(d.changed[0]!.movedBy.map((m) => m.id)).toEqual(["X10", "K1"]);
    expect(d.changed[0]!.movedBy[0]).toEqual({ id: "X10", before: -150, after: 0 });
    expect(d.newlyReleased[0]!.measures).toContain("exclude-government-purchase");
    expect(d.newlyRestricted).toEqual([]);
  });

  it("counts unchanged organizations on the diagonal and reports those present on one side only", async () => {
    const fs = organizationFixtures().slice(0, 3);
    const results = await Promise.all(fs.map((f) => evaluate(f.record, { asOf: f.asOf })));
    const d = diffResults(results, results.slice(1), LEVELS);
    expect(d.compared).toBe(2);
    expect(d.changed).toEqual([]);
    expect(d.onlyBefore).toEqual([results[0]!.organizationId]);
    expect(d.onlyAfter).toEqual([]);
    const diagonal = LEVELS.reduce((s, l) => s + d.matrix[l]![l]!, 0);
    expect(diagonal).toBe(2);
  });
});
