// The fast path of validation (src/record/fast-parse.ts) against the full validation (zod + cross-field
// checks): whatever the fast path accepts, the full validation accepts, and the record it builds is the same
// object zod builds, field order included. zod itself is the judge, as json-rules-engine is for the compiled rules.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { generatePopulation } from "../src/audit/generate.js";
import { FAST_PARSE_ENABLED, fastParseRecord } from "../src/record/fast-parse.js";
import { organizationRecordSchema } from "../src/record/schema.js";
import { safeParseOrganizationRecord } from "../src/record/parse.js";
import { recordCaseArb } from "./_lib/arbitraries.js";
import { invalidFixtures, organizationFixtures } from "./_lib/fixtures.js";

const SEED = Number(process.env.FC_SEED ?? 20231130);

/** The full validation alone: the schema's parse and the cross-field checks, without the fast path. */
function fullValidation(input: unknown, asOf: string): { ok: true; json: string } | { ok: false } {
  const zod = organizationRecordSchema.safeParse(input);
  // safeParseOrganizationRecord takes the fast path first; with zod refusing, its verdict is the full one.
  const full = safeParseOrganizationRecord(input, { asOf });
  if (!zod.success) {
    expect(full.success).toBe(false);
    return { ok: false };
  }
  // zod accepted the fields: the full verdict adds the cross-field checks.
  return full.success ? { ok: true, json: JSON.stringify(zod.data) } : { ok: false };
}

/** Both paths on one input: the fast one may give up, never accept what the full one refuses, nor build another record. */
function compare(input: unknown, asOf: string): "fast" | "full only" | "refused" {
  const fast = fastParseRecord(input, asOf);
  const full = fullValidation(input, asOf);
  if (fast !== null) {
    expect(full.ok, `fast path accepted what the full validation refuses: ${JSON.stringify(input)?.slice(0, 300)}`).toBe(true);
    expect(JSON.stringify(fast)).toBe((full as { json: string }).json);
    return "fast";
  }
  return full.ok ? "full only" : "refused";
}

describe("the fast path of validation", () => {
  it("is on: its field lists are the record schema's", () => {
    expect(FAST_PARSE_ENABLED).toBe(true);
  });

  it("builds the same record as zod for every fixture and refuses every invalid fixture", () => {
    for (const f of organizationFixtures()) expect(compare(f.record, f.asOf), f.file).toBe("fast");
    for (const f of invalidFixtures()) expect(compare(f.record, f.asOf ?? "2023-05-31"), f.file).not.toBe("fast");
  });

  it("takes 2,000 generated organizations on several dates, each the same as zod's", () => {
    for (const [i, asOf] of ["2022-12-31", "2023-05-31", "2024-02-29", "2025-06-30"].entries()) {
      for (const raw of generatePopulation({ count: 500, seed: 900 + i, asOf })) expect(compare(JSON.parse(JSON.stringify(raw)), asOf)).toBe("fast");
    }
  });

  it("takes arbitrary valid records, keys in any order, each the same as zod's", () => {
    const shuffled = (o: unknown, rank: (k: string) => number): unknown =>
      o === null || typeof o !== "object"
        ? o
        : Array.isArray(o)
          ? o.map((x) => shuffled(x, rank))
          : Object.fromEntries(Object.entries(o).sort((a, b) => rank(a[0]) - rank(b[0])).map(([k, v]) => [k, shuffled(v, rank)]));
    fc.assert(
      fc.property(recordCaseArb, fc.integer(), ({ asOf, record: generated }, salt) => {
        // As generated (fast-check may make objects without a prototype, which the fast path leaves to zod)...
        expect(compare(generated, asOf)).not.toBe("refused");
        // ...and as JSON.parse gives it.
        const record = JSON.parse(JSON.stringify(generated)) as unknown;
        expect(compare(record, asOf)).toBe("fast");
        const rank = (k: string) => [...k].reduce((h, c) => (h * 31 + c.charCodeAt(0) + salt) | 0, 7);
        expect(compare(shuffled(record, rank), asOf)).toBe("fast");
      }),
      { numRuns: 300, seed: SEED },
    );
  });

  // Values that sit on the edges of what the schema takes, of every type.
  const EDGE_VALUES: unknown[] = [
    undefined, null, true, false, 0, -0, 1, -1, 0.5, 1899, 1900, 2199, 2200, 2023.5, 100, 100.01, 1e12, 1e12 + 1, NaN, Infinity, -Infinity,
    "", "x", "A", "pass", "fine", "warning", "abnormal", "dishonest", "penalty", "court_defaulter", "other", "5A", "good", "none", "own", "late",
    "service", "2023-05-31", "2023-06-01", "2024-02-29", "2023-02-29", "1899-12-31", "1900-01-01", "2199-12-31", "2200-01-01", "2023-5-31",
    " 2023-05-31", "91330800MJ0000001X", "名".repeat(200), "名".repeat(201), [], [{}], {}, { year: 2020, result: "pass" }, { on: "2023-01-01" },
  ];
  type Mutation = { path: Array<string | number>; op: "set"; value: unknown } | { path: Array<string | number>; op: "delete" | "extra" | "duplicate" | "proto" };

  function mutate(record: Record<string, unknown>, m: Mutation): unknown {
    const copy = structuredClone(record) as Record<string, unknown>;
    let target: Record<string | number, unknown> = copy;
    for (const step of m.path.slice(0, -1)) {
      const next = target[step];
      if (next === null || typeof next !== "object") return copy;
      target = next as Record<string | number, unknown>;
    }
    const last = m.path[m.path.length - 1]!;
    if (m.op === "set") target[last] = m.value;
    else if (m.op === "delete") delete target[last];
    else if (m.op === "extra") target.unexpected = 1;
    else if (m.op === "proto") Object.setPrototypeOf(target, { inherited: true });
    else if (Array.isArray(target[last]) && Object.getPrototypeOf(target[last]) === Array.prototype && (target[last] as unknown[]).length > 0) {
      (target[last] as unknown[]).push(structuredClone((target[last] as unknown[])[0]));
    }
    return copy;
  }

  /** Every path to a field of the record, entries included. */
  function pathsOf(value: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
    if (value === null || typeof value !== "object") return [prefix];
    const keys = Object.keys(value);
    return [prefix, ...keys.flatMap((k) => pathsOf((value as Record<string | number, unknown>)[k], [...prefix, k]))].filter((p) => p.length > 0);
  }

  it("never accepts a mutated record the full validation refuses, and builds zod's record when it accepts (3,000 mutations)", () => {
    const base = [...generatePopulation({ count: 60, seed: 31, asOf: "2023-05-31" })].map((r) => JSON.parse(JSON.stringify(r)) as Record<string, unknown>);
    const counts = { fast: 0, "full only": 0, refused: 0 };
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: base.length - 1 }),
        fc.nat(),
        fc.array(
          fc.oneof(
            fc.record({ op: fc.constant("set" as const), value: fc.constantFrom(...EDGE_VALUES) }),
            fc.record({ op: fc.constantFrom("delete" as const, "extra" as const, "duplicate" as const, "proto" as const) }),
          ),
          { minLength: 1, maxLength: 3 },
        ),
        (which, pick, ops) => {
          let record: unknown = base[which]!;
          for (const [i, op] of ops.entries()) {
            const paths = pathsOf(record);
            const path = paths[(pick + i * 7919) % paths.length]!;
            record = mutate(record as Record<string, unknown>, { ...op, path } as Mutation);
          }
          counts[compare(record, "2023-05-31")]++;
        },
      ),
      { numRuns: 3000, seed: SEED },
    );
    // The mutations reach both verdicts (with seed 20231130: 230 fast, 2,758 refused, and 12 the full validation
    // alone takes: arrays given another prototype, which the fast path leaves to zod).
    expect(counts.refused).toBeGreaterThan(2000);
    expect(counts.fast).toBeGreaterThan(150);
  });

  it("gives up, leaving the full validation to answer, on data that is not plain: Proxies, other prototypes, getters that throw", () => {
    const record = JSON.parse(JSON.stringify(organizationFixtures()[0]!.record)) as Record<string, unknown>;
    const asOf = organizationFixtures()[0]!.asOf;
    expect(fastParseRecord(new Proxy(record, {}), asOf)).toBeNull();
    expect(fastParseRecord({ ...record, party: new Proxy(record.party as object, {}) }, asOf)).toBeNull();
    expect(fastParseRecord(Object.assign(Object.create(null) as object, record), asOf)).toBeNull();
    const throwing = { ...record };
    Object.defineProperty(throwing, "name", { enumerable: true, get: () => { throw new Error("boom"); } });
    expect(fastParseRecord(throwing, asOf)).toBeNull();
    const full = safeParseOrganizationRecord(throwing, { asOf });
    expect(full.success).toBe(false);
    // A field hidden from enumeration but present, beside an unknown field: zod refuses the unknown field.
    const hidden = { ...record, unexpected: 1 } as Record<string, unknown>;
    Object.defineProperty(hidden, "honours", { enumerable: false, value: [] });
    expect(compare(hidden, asOf)).toBe("refused");
  });
});
