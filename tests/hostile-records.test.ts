// Whatever a backend feeds the library, it gets a result or a typed InvalidRecordError listing the problems:
// never a crash, an untyped exception, a polluted Object.prototype or an error that grows with the input.
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import {
  createEvaluator,
  evaluate,
  InvalidAsOfError,
  InvalidRecordError,
  parseOrganizationRecord,
  safeParseOrganizationRecord,
  type RecordIssue,
} from "../src/index.js";
import { MAX_REPORTED_ISSUES } from "../src/record/parse.js";
import { RECORD_LIMITS } from "../src/record/schema.js";
import { organizationFixtures } from "./_lib/fixtures.js";

const SEED = Number(process.env.FC_SEED ?? 20230531);
const RUNS = { randomJson: 300, randomObjects: 300, randomText: 200, wrongType: 400, asOf: 200 } as const;

const clean = organizationFixtures().find((f) => f.file.startsWith("01-"))!;
const ASOF = clean.asOf;
const evaluator = createEvaluator();

// Snapshot of the built-in prototypes: every test must leave them as they were.
const PROTOTYPES = { Object: Object.prototype, Array: Array.prototype, Function: Function.prototype, String: String.prototype } as const;
const snapshot = () => Object.fromEntries(Object.entries(PROTOTYPES).map(([n, p]) => [n, Reflect.ownKeys(p).map(String).sort()]));
const before = snapshot();
afterEach(() => {
  expect(snapshot()).toEqual(before);
  for (const probe of [{}, [], Object.create(Object.prototype)]) {
    expect((probe as Record<string, unknown>).polluted).toBeUndefined();
    expect((probe as Record<string, unknown>).isAdmin).toBeUndefined();
  }
});

/** Every issue is plain, short data: the size of an error does not grow with the size of the input. */
function expectWellFormed(issues: RecordIssue[]): void {
  expect(issues.length).toBeGreaterThan(0);
  expect(issues.length).toBeLessThanOrEqual(MAX_REPORTED_ISSUES + 1);
  for (const i of issues) {
    for (const field of [i.code, i.path, i.expected, i.found, i.message.zh, i.message.en]) expect(typeof field).toBe("string");
    expect(JSON.stringify(i).length).toBeLessThan(2000);
  }
}

/** Refused the same way by every entry point: parse, safeParse, evaluate, and a batch row. Returns the issues. */
async function expectRefused(input: unknown, asOf = ASOF): Promise<RecordIssue[]> {
  let thrown: unknown;
  try {
    parseOrganizationRecord(input, { asOf });
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(InvalidRecordError);
  const issues = (thrown as InvalidRecordError).issues;
  expectWellFormed(issues);
  expect((thrown as InvalidRecordError).message.length).toBeLessThan(2000);

  const safe = safeParseOrganizationRecord(input, { asOf });
  expect(safe.success).toBe(false);
  await expect(evaluate(input, { asOf })).rejects.toBeInstanceOf(InvalidRecordError);
  const [row] = await evaluator.evaluateMany([input], { asOf });
  expect(row).toMatchObject({ index: 0, ok: false, error: { code: "invalid_record" } });
  return issues;
}

const paths = (issues: RecordIssue[]) => issues.map((i) => i.path);

/** For inputs that may happen to be valid: a result, or the same typed refusal as above. */
async function expectResultOrRefused(input: unknown, asOf = ASOF): Promise<void> {
  const parsed = safeParseOrganizationRecord(input, { asOf });
  if (parsed.success) await expect(evaluate(input, { asOf })).resolves.toMatchObject({ organizationId: parsed.data.id });
  else await expectRefused(input, asOf);
}

/** Every leaf of a record, with its dotted path and value. */
function leaves(value: unknown, path: string[] = []): Array<{ path: string[]; value: unknown }> {
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value);
    return entries.length === 0 ? [{ path, value }] : entries.flatMap(([k, v]) => [{ path: [...path, k], value: v }, ...leaves(v, [...path, k])]);
  }
  return [];
}

function setAt(record: unknown, path: string[], value: unknown): unknown {
  const copy = structuredClone(record) as Record<string, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
  node[path.at(-1)!] = value;
  return copy;
}

describe("random input", () => {
  it(`refuses random JSON values with a typed error (${RUNS.randomJson} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (v) => {
        await expectRefused(v);
      }),
      { numRuns: RUNS.randomJson, seed: SEED },
    );
  });

  it(`refuses random objects whose keys include __proto__, constructor and prototype (${RUNS.randomObjects} runs)`, async () => {
    const key = fc.oneof(fc.string(), fc.constantFrom("__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "id", "party", "listings"));
    const objects = fc.object({ key, maxDepth: 4, values: [fc.jsonValue(), fc.constant({ polluted: true })] });
    await fc.assert(
      fc.asyncProperty(objects, async (o) => {
        // Through JSON, as a backend would send it: JSON.parse makes "__proto__" an own key.
        await expectRefused(JSON.parse(JSON.stringify(o)));
        // Merged into a valid record, the keys may all be known fields with valid values: then it scores.
        await expectResultOrRefused({ ...clean.record, ...JSON.parse(JSON.stringify(o)) });
      }),
      { numRuns: RUNS.randomObjects, seed: SEED },
    );
  });

  it(`refuses random text and malformed JSON text given instead of a record (${RUNS.randomText} runs)`, async () => {
    const text = JSON.stringify(clean.record);
    const truncated = fc.nat({ max: text.length - 1 }).map((n) => text.slice(0, n));
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), truncated), async (s) => {
        await expectRefused(s);
      }),
      { numRuns: RUNS.randomText, seed: SEED },
    );
  });
});

describe("wrong types", () => {
  const fields = leaves(clean.record).filter((l) => l.path.length > 0);
  /** A value of another type than the valid one (null only where the field is never nullable is not certain: left out). */
  const wrongFor = (valid: unknown): fc.Arbitrary<unknown> => {
    const others = [fc.string(), fc.integer(), fc.boolean(), fc.constant({}), fc.constant([1]), fc.constantFrom(Number.NaN, Infinity, -Infinity)];
    if (typeof valid === "boolean") return fc.oneof(...others.filter((_, i) => i !== 2));
    if (typeof valid === "string") return fc.oneof(...others.filter((_, i) => i !== 0));
    if (typeof valid === "number") return fc.oneof(fc.string(), fc.boolean(), fc.constant({}), fc.constant([]), fc.constantFrom(Number.NaN, Infinity, -Infinity, 1e308, -1));
    if (Array.isArray(valid)) return fc.oneof(fc.string(), fc.integer(), fc.constant({}), fc.constant(null));
    return fc.oneof(fc.string(), fc.integer(), fc.constant([]));
  };
  const mutation = fc.constantFrom(...fields).chain((f) => wrongFor(f.value).map((bad) => ({ path: f.path, bad })));

  it(`refuses a record with one field of the wrong type and names that field (${RUNS.wrongType} runs over ${fields.length} fields)`, async () => {
    await fc.assert(
      fc.asyncProperty(mutation, async ({ path, bad }) => {
        const issues = await expectRefused(setAt(clean.record, path, bad));
        const at = path.join(".");
        expect(paths(issues).some((p) => p === at || p.startsWith(`${at}.`)), `${at} in ${paths(issues).join(", ")}`).toBe(true);
      }),
      { numRuns: RUNS.wrongType, seed: SEED },
    );
  });

  it("refuses every missing required field, naming it", async () => {
    for (const key of Object.keys(clean.record)) {
      const { [key]: _, ...rest } = clean.record;
      const issues = await expectRefused(rest);
      expect(issues).toContainEqual(expect.objectContaining({ code: "missing_field", path: key }));
    }
  });
});

describe("numbers JSON cannot carry (through the API)", () => {
  const numericPaths = [["satisfactionPercent"], ["annualInspections", "0", "year"], ["penalties", "0", "amountYuan"]];
  const withFine = { ...clean.record, penalties: [{ on: "2022-01-10", kind: "fine", amountYuan: 1000 }], annualInspections: [{ year: 2022, result: "pass" }] };
  for (const bad of [Number.NaN, Infinity, -Infinity, 10n, 1e308, -1e308, Number.MAX_VALUE]) {
    it(`refuses ${String(bad)} in every numeric field, naming it`, async () => {
      for (const path of numericPaths) {
        const issues = await expectRefused(setAt(withFine, path, bad));
        expect(paths(issues)).toContain(path.join("."));
      }
    });
  }
  it("refuses NaN, Infinity and a BigInt where a date, a boolean or an enum is expected", async () => {
    for (const bad of [Number.NaN, Infinity, 10n]) {
      for (const path of [["registeredOn"], ["isCharity"], ["type"], ["party", "coverage"]]) {
        expect(paths(await expectRefused(setAt(clean.record, path, bad)))).toContain(path.join("."));
      }
    }
  });
  it("accepts -0 and the smallest positive number as a satisfaction percent (they are numbers in 0..100)", async () => {
    for (const ok of [-0, Number.MIN_VALUE]) await expect(evaluate({ ...clean.record, satisfactionPercent: ok }, { asOf: ASOF })).resolves.toBeDefined();
  });
});

describe("dates", () => {
  const impossible = [
    "2023-02-29",
    "2023-02-30",
    "2023-04-31",
    "2023-13-01",
    "2023-00-10",
    "2023-01-00",
    "2023-1-5",
    "23-01-05",
    " 2023-01-05",
    "2023-01-05\n",
    "2023-01-05T00:00:00Z",
    "+002023-01-05",
    "２０２３-０１-０５",
    "2023/01/05",
    "",
  ];
  const outOfRange = ["1899-12-31", "0000-01-01", "0001-01-01", "2200-01-01", "9999-12-31"];
  const datePaths = [["registeredOn"], ["activities", "0", "on"], ["listings", "0", "listedOn"], ["evaluation", "awardedOn"]];
  const withListing = { ...clean.record, listings: [{ list: "abnormal", cause: "other", listedOn: "2021-07-01", removedOn: "2022-01-05" }] };

  it(`refuses ${impossible.length} impossible or malformed dates and ${outOfRange.length} dates out of 1900..2199 in ${datePaths.length} date fields, naming each`, async () => {
    for (const date of [...impossible, ...outOfRange]) {
      for (const path of datePaths) {
        const issues = await expectRefused(setAt(withListing, path, date));
        expect(issues).toContainEqual(expect.objectContaining({ path: path.join("."), code: "invalid_date" }));
      }
    }
  });

  it("evaluates records dated on the first and last accepted days (1900-01-01, 2199-12-31), at either end", async () => {
    const oldest = { ...clean.record, registeredOn: "1900-01-01", activities: [{ on: "1900-01-01", kind: "service" }] };
    const r = await evaluate(oldest, { asOf: "1900-01-01" });
    expect(Number.isInteger(r.score)).toBe(true);
    const latest = { ...clean.record, penalties: [{ on: "2199-12-31", kind: "warning", amountYuan: null }], evaluation: { grade: "5A", awardedOn: "2199-12-31", expiresOn: null } };
    const far = await evaluate(latest, { asOf: "2199-12-31" });
    expect(far.deductions).toContainEqual(expect.objectContaining({ id: "X1", countsUntil: "2202-12-31" }));
    // Dates far after asOf are ignored, not refused.
    const future = await evaluate(latest, { asOf: ASOF });
    expect(future.deductions.map((d) => d.id)).not.toContain("X1");
  });

  it(`throws InvalidAsOfError with a short message for a bad asOf (${RUNS.asOf} runs, and hostile values)`, async () => {
    const hostile: unknown[] = ["2023-02-29", "1899-12-31", "2200-01-01", "x".repeat(10_000_000), 10n, Symbol("asOf"), Number.NaN, {}, [], null, undefined, () => "2023-05-31"];
    for (const asOf of hostile) {
      const error = await evaluate(clean.record, { asOf: asOf as string }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidAsOfError);
      expect((error as Error).message.length).toBeLessThan(200);
      await expect(evaluator.evaluateMany([clean.record], { asOf: asOf as string })).rejects.toBeInstanceOf(InvalidAsOfError);
    }
    await fc.assert(
      fc.asyncProperty(fc.string().filter((s) => !/^\d{4}-\d{2}-\d{2}$/.test(s)), async (asOf) => {
        await expect(evaluate(clean.record, { asOf })).rejects.toBeInstanceOf(InvalidAsOfError);
      }),
      { numRuns: RUNS.asOf, seed: SEED },
    );
  });
});

describe("size", () => {
  const repeated = ["annualInspections", "activities", "governmentProjects", "complaints", "penalties", "rectificationNotices", "violations", "listings", "honours"];
  const entryOf: Record<string, unknown> = {
    activities: { on: "2023-01-01", kind: "service" },
    honours: { on: "2022-01-01", kind: "credit_pledge_kept" },
    complaints: { on: "2023-01-01", verified: false },
  };

  it(`refuses an array of ${RECORD_LIMITS.maxEntries + 1} entries in each of the ${repeated.length} repeated parts, with one too_large issue`, async () => {
    for (const field of repeated) {
      const issues = await expectRefused({ ...clean.record, [field]: Array.from({ length: RECORD_LIMITS.maxEntries + 1 }, () => ({})) });
      expect(issues).toEqual([expect.objectContaining({ code: "too_large", path: field })]);
    }
  });

  it("refuses an array of 2,000,000 bad entries with one issue per oversized part, not one per entry", async () => {
    const huge = Array.from({ length: 2_000_000 }, () => "junk");
    const issues = await expectRefused({ ...clean.record, activities: huge, honours: huge });
    expect(paths(issues)).toEqual(["activities", "honours"]);
  });

  it(`accepts ${RECORD_LIMITS.maxEntries} entries, the limit itself`, async () => {
    const full = { ...clean.record, activities: Array.from({ length: RECORD_LIMITS.maxEntries }, () => entryOf.activities) };
    const r = await evaluate(full, { asOf: ASOF });
    expect(r.items.find((i) => i.id === "A1")?.points).toBe(80);
  });

  it("lists at most MAX_REPORTED_ISSUES problems and counts the rest, for 100,000 unknown fields", async () => {
    const noisy: Record<string, unknown> = { ...clean.record };
    for (let i = 0; i < 100_000; i++) noisy[`extra${i}`] = i;
    const issues = await expectRefused(noisy);
    expect(issues).toHaveLength(MAX_REPORTED_ISSUES + 1);
    expect(issues.at(-1)).toMatchObject({ code: "too_many_issues", found: `${100_000 - MAX_REPORTED_ISSUES} more` });
  });

  it("lists at most MAX_REPORTED_ISSUES problems for 10,000 broken entries", async () => {
    const issues = await expectRefused({ ...clean.record, activities: Array.from({ length: 10_000 }, () => ({ on: "2023-02-29", kind: "party" })) });
    expect(issues.at(-1)?.code).toBe("too_many_issues");
  });

  it("refuses 10-million-character strings in the name, the id, a date, an enum and an unknown key, with short messages", async () => {
    const big = "名".repeat(10_000_000);
    for (const path of [["name"], ["id"], ["registeredOn"], ["type"], ["party", "coverage"]]) {
      expect(paths(await expectRefused(setAt(clean.record, path, big)))).toContain(path.join("."));
    }
    const issues = await expectRefused({ ...clean.record, [big]: 1 });
    expect(issues[0]!.code).toBe("unknown_field");
  });
});

describe("nesting and shapes JSON does not have", () => {
  const nest = (depth: number, leaf: unknown = 1) => {
    let v: unknown = leaf;
    for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
    return v;
  };

  it("refuses 100,000-deep nesting in a field, in an array entry and as the record, parsed from JSON text", async () => {
    const deep = JSON.parse(`${"[".repeat(100_000)}${"]".repeat(100_000)}`) as unknown;
    expect(paths(await expectRefused({ ...clean.record, party: deep }))).toContain("party");
    expect(paths(await expectRefused({ ...clean.record, activities: [deep] }))).toContain("activities.0");
    expect(paths(await expectRefused({ ...clean.record, unknownDeep: nest(100_000) }))).toContain("unknownDeep");
    await expectRefused(deep);
  });

  it("refuses a record that contains itself", async () => {
    const cyclic: Record<string, unknown> = { ...clean.record, party: { ...clean.record.party as object } };
    (cyclic.party as Record<string, unknown>).self = cyclic;
    cyclic.activities = [cyclic];
    const found = paths(await expectRefused(cyclic));
    expect(found).toContain("party.self");
    expect(found.some((p) => p.startsWith("activities.0."))).toBe(true);
  });

  it("refuses __proto__, constructor and prototype keys parsed from JSON, at the root, in parts and in entries, leaving prototypes untouched", async () => {
    const text = JSON.stringify(clean.record);
    const attacks = [
      text.replace("{", '{"__proto__":{"polluted":true,"isAdmin":true},'),
      text.replace("{", '{"constructor":{"prototype":{"polluted":true}},'),
      text.replace("{", '{"prototype":{"polluted":true},'),
      text.replace('"party":{', '"party":{"__proto__":{"polluted":true},'),
      text.replace('"activities":[{', '"activities":[{"__proto__":{"polluted":true},'),
      text.replace('"activities":[{', '"activities":[{"constructor":{"prototype":{"polluted":true}},'),
    ];
    const expected = ["__proto__", "constructor", "prototype", "party.__proto__", "activities.0.__proto__", "activities.0.constructor"];
    for (const [i, attack] of attacks.entries()) {
      const input = JSON.parse(attack) as Record<string, unknown>;
      const issues = await expectRefused(input);
      expect(issues).toContainEqual(expect.objectContaining({ code: "unknown_field", path: expected[i] }));
    }
  });

  it("refuses inputs that throw when read (a getter, a Proxy) with an unreadable issue", async () => {
    const getter = { ...clean.record };
    Object.defineProperty(getter, "party", { enumerable: true, get: () => { throw new Error("boom"); } });
    const proxy = new Proxy({ ...clean.record }, { get: () => { throw new TypeError("trap"); }, ownKeys: () => { throw new TypeError("trap"); } });
    for (const input of [getter, proxy]) {
      const issues = await expectRefused(input);
      expect(issues).toEqual([expect.objectContaining({ code: "unreadable", path: "" })]);
    }
  });

  it("refuses values that are not records: undefined, null, numbers, BigInt, symbols, functions, dates, maps, class instances", async () => {
    class Organization {
      id = clean.record.id;
    }
    const values: unknown[] = [undefined, null, 0, 10n, Symbol("r"), () => clean.record, new Date(0), new Map(Object.entries(clean.record)), new Organization(), [clean.record], ""];
    for (const v of values) expect(paths(await expectRefused(v)).length).toBeGreaterThan(0);
  });

  it("evaluates a record without a prototype like the same plain record", async () => {
    const bare = Object.assign(Object.create(null) as object, clean.record);
    const a = await evaluate(bare, { asOf: ASOF });
    const b = await evaluate(clean.record, { asOf: ASOF });
    expect(a.digest).toBe(b.digest);
  });
});
