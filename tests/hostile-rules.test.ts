// A rule folder from an untrusted source: it cannot run code, and whatever shape it has it fails at load
// with a RuleSetError naming the file and the problem (never a RangeError or a crash at evaluation).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createEvaluator, evaluate, RuleSetError, type RuleSet, type RuleSetProblem } from "../src/index.js";
import { loadRuleSet, MAX_JSON_DEPTH, MAX_REPORTED_PROBLEMS, MAX_RULE_FILES, ruleSetFromFiles } from "../src/rule-set/load.js";
import { MAX_CONDITION_DEPTH, MAX_SCORE_LIMIT } from "../src/rule-set/schema.js";
import { organizationFixtures } from "./_lib/fixtures.js";
import { createCompiledEvaluator } from "../src/engine/compiled-engine.js";
import { createReferenceEvaluator } from "../src/engine/reference-engine.js";
import { createFactContext } from "../src/facts/context.js";
import { parseOrganizationRecord } from "../src/record/parse.js";
import { problemsOf, referenceFiles, type RuleFiles } from "./_lib/rule-files.js";


const ROOT = join(import.meta.dirname, "..");
const files = referenceFiles;
const clean = organizationFixtures().find((f) => f.file.startsWith("01-"))!;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "soc-hostile-rules-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MARKER = "__socPwned";
afterEach(() => {
  expect((globalThis as Record<string, unknown>)[MARKER]).toBeUndefined();
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
});

function expectProblem(f: RuleFiles, file: string, message: RegExp): RuleSetProblem[] {
  const problems = problemsOf(f);
  expect(problems, JSON.stringify(problems.slice(0, 5)).slice(0, 2000)).toContainEqual(expect.objectContaining({ file, message: expect.stringMatching(message) }));
  return problems;
}
/** `{ all: [ … ] }` wrapped around a condition `times` times. */
function nestInAll(condition: unknown, times: number): unknown {
  let c = condition;
  for (let i = 0; i < times; i++) c = { all: [c] };
  return c;
}

/** JavaScript a careless engine might run: each would set the marker or exit the process. */
const PAYLOADS = [
  `"); globalThis.${MARKER} = 1; //`,
  `\${globalThis.${MARKER} = 1}`,
  `constructor.constructor('globalThis.${MARKER} = 1')()`,
  `require('child_process').execSync('touch ${join(tmpdir(), "soc-pwned")}')`,
  `process.exit(9)`,
  `<script>globalThis.${MARKER} = 1</script>`,
  `$..[?(@.constructor.constructor('globalThis.${MARKER} = 1')())]`,
];

describe("a rule folder cannot run code", () => {
  it("has no eval, new Function, vm, child_process or dynamic import in src/ or in the built dist/", () => {
    const sources = (d: string): string[] =>
      readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? sources(join(d, n)) : /\.(ts|js|cjs)$/.test(n) ? [join(d, n)] : []));
    const checked = [...sources(join(ROOT, "src")), ...sources(join(ROOT, "dist"))];
    expect(checked.length).toBeGreaterThan(20);
    const forbidden = [/\beval\s*\(/, /\bnew\s+Function\b/, /\bFunction\s*\(/, /node:vm|["']vm["']/, /child_process/, /\bimport\s*\(\s*[^"'\s]/, /\brequire\s*\(\s*[^"'\s]/];
    for (const path of checked) {
      const text = readFileSync(path, "utf8");
      for (const pattern of forbidden) expect(pattern.test(text), `${path} matches ${pattern}`).toBe(false);
    }
  });

  it(`treats JavaScript in labels, notes, values, reasons and causes as data (${PAYLOADS.length} payloads)`, async () => {
    for (const payload of PAYLOADS) {
      const f = files();
      f["K1.json"].label = { zh: payload, en: payload };
      f["P1.json"].label = { zh: payload, en: payload };
      f["K1.json"].note = payload;
      f["manifest.json"].sources["MCA-60"].title = payload;
      f["spot-check-rate.json"].triggers.forEach((t: { reason: string; params: unknown }, i: number) => {
        t.reason = `${payload}${i}`;
        t.params = { rate: payload };
      });
      // A condition comparing a fact with the payload is refused at load as a value the fact never takes:
      // the payload is read as a string and nothing else.
      const compared = structuredClone(f);
      compared["K1.json"].conditions = { any: [{ fact: "type", operator: "equal", value: payload }, { fact: "type", operator: "in", value: [payload, `${payload}2`] }] };
      expect(() => ruleSetFromFiles(compared)).toThrow(RuleSetError);
      const ruleSet = ruleSetFromFiles(f);
      const r = await evaluate({ ...clean.record, listings: [{ list: "abnormal", cause: "other", listedOn: "2023-01-01", removedOn: null }] }, { asOf: clean.asOf, ruleSet });
      expect(r.caps.map((c) => c.id)).toContain("K1");
      expect(r.caps.find((c) => c.id === "K1")!.label.zh).toBe(payload);
      expect(r.items.find((i) => i.id === "P1")!.points).toBe(20);
      const spot = r.measures.find((m) => m.id === "spot-check-rate");
      expect(spot?.params).toEqual({ rate: payload });
      expect(spot?.reasons).toHaveLength(1);
      expect(spot?.reasons[0]!.startsWith(payload)).toBe(true);
      expect(r.items.find((i) => i.id === "P1")!.label).toEqual({ zh: payload, en: payload });
    }
    expect(existsSync(join(tmpdir(), "soc-pwned"))).toBe(false);
  });

  it("refuses JSONPath (path) in a rule and in a named condition, and a fact-valued value", () => {
    const inRule = files();
    inRule["K1.json"].conditions = { all: [{ fact: "listings", path: PAYLOADS.at(-1), operator: "equal", value: 1 }] };
    expectProblem(inRule, "K1.json", /"path" \(JSONPath\) is not allowed/);
    const inNamed = files();
    inNamed["conditions.json"].onEitherList.all[0].path = "$.length";
    expectProblem(inNamed, "conditions.json", /"path" \(JSONPath\) is not allowed/);
    const factValued = files();
    factValued["K1.json"].conditions = { all: [{ fact: "type", operator: "equal", value: { fact: "type", path: "$..x" } }] };
    expectProblem(factValued, "K1.json", /expected/);
  });

  it("never runs JSONPath even for a hand-made rule set that skipped the loader", async () => {
    const ruleSet = structuredClone(createEvaluator().ruleSet) as RuleSet;
    const k1 = ruleSet.rules.find((r) => r.id === "K1") as { conditions: unknown };
    k1.conditions = { all: [{ fact: "listings", path: PAYLOADS.at(-1), operator: "equal", value: 1 }] };
    // createEvaluator checks a hand-made object as the loader checks files; behind it, the compiled engine
    // refuses it when built, json-rules-engine's path resolver when it runs.
    for (const engine of ["compiled", "reference"] as const) expect(() => createEvaluator(ruleSet, { engine })).toThrow(/K1\.json.*JSONPath/);
    expect(() => createCompiledEvaluator(ruleSet)).toThrow(RuleSetError);
    expect(() => createCompiledEvaluator(ruleSet)).toThrow(/JSONPath/);
    const error = await createReferenceEvaluator(ruleSet).run("scoring", createFactContext(parseOrganizationRecord(clean.record, { asOf: clean.asOf }), clean.asOf)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RuleSetError);
    expect((error as RuleSetError).message).toMatch(/JSONPath is not allowed/);
  });

  it("refuses unknown facts, operators and named conditions, including the names of JavaScript's object machinery", () => {
    for (const name of ["constructor", "__proto__", "toString", "hasOwnProperty", "__context", "process", "globalThis"]) {
      const fact = files();
      fact["K1.json"].conditions = { all: [{ fact: name, operator: "equal", value: 1 }] };
      expectProblem(fact, "K1.json", new RegExp(`unknown fact "${name}"`));
      const named = files();
      named["K1.json"].conditions = { all: [{ condition: name }] };
      expectProblem(named, "K1.json", new RegExp(`unknown named condition "${name}"`));
      const basis = files();
      basis["K1.json"].basis = [name];
      expectProblem(basis, "K1.json", /unknown source/);
    }
    for (const operator of ["eval", "constructor", "__proto__", "regex"]) {
      const f = files();
      f["K1.json"].conditions = { all: [{ fact: "type", operator, value: 1 }] };
      expect(problemsOf(f)).toContainEqual(expect.objectContaining({ file: "K1.json", path: "conditions.all.0.operator" }));
    }
    const where = files();
    where["K1.json"].conditions = { all: [{ fact: "listings", params: { where: { toString: "x" } }, operator: "countAtLeast", value: 1 }] };
    expectProblem(where, "K1.json", /have no field "toString"/);
  });

  it("refuses the keys __proto__, constructor and prototype anywhere in a rule file, parsed from JSON", () => {
    const attacks: Array<[string, (text: string) => string, string]> = [
      ["conditions.json", (t) => t.replace("{", '{"__proto__":{"all":[]},'), "__proto__"],
      ["manifest.json", (t) => t.replace('"sources":{', '"sources":{"__proto__":{"title":"x"},'), "sources.__proto__"],
      ["K1.json", (t) => t.replace("{", '{"constructor":{"prototype":{"polluted":true}},'), "constructor"],
      ["spot-check-rate.json", (t) => t.replace('"params":{', '"params":{"__proto__":{"polluted":true},'), "triggers.0.params.__proto__"],
      ["X1.json", (t) => t.replace('"params":{', '"params":{"prototype":1,'), "each.params.prototype"],
    ];
    for (const [file, attack, path] of attacks) {
      const f = files();
      const text = attack(JSON.stringify(f[file]));
      expect(text).not.toBe(JSON.stringify(f[file]));
      f[file] = JSON.parse(text);
      const problems = expectProblem(f, file, /is not allowed in rule files/);
      expect(problems.map((p) => p.path)).toContain(path);
    }
  });
});

describe("shapes that would exhaust the loader fail at load", () => {
  it(`refuses conditions nested 100,000 deep (JSON nesting is at most ${MAX_JSON_DEPTH}), parsed from JSON or built in memory`, () => {
    const fromText = files();
    fromText["K1.json"].conditions = JSON.parse(`${'{"all":['.repeat(100_000)}${"]}".repeat(100_000)}`);
    expectProblem(fromText, "K1.json", new RegExp(`nested more than ${MAX_JSON_DEPTH} levels`));
    const named = files();
    named["conditions.json"].deep = nestInAll({ fact: "unreachable", operator: "equal", value: true }, 100_000);
    expectProblem(named, "conditions.json", /nested more than/);
  });

  it("refuses a condition that contains itself (an object cycle given through the API)", () => {
    const f = files();
    const c = { all: [] as unknown[] };
    c.all.push(c);
    f["K1.json"].conditions = c;
    expectProblem(f, "K1.json", /nested more than/);
  });

  it("refuses a structure that shares its parts 2^25 ways (a small object with an enormous tree)", () => {
    const f = files();
    let c: unknown = { fact: "unreachable", operator: "equal", value: true };
    for (let i = 0; i < 25; i++) c = { any: [c, c] };
    f["K1.json"].conditions = c;
    expectProblem(f, "K1.json", /more than 1000000 JSON values/);
  });

  it("refuses named conditions in a cycle of one, two and three, reporting each cycle once", () => {
    for (const names of [["a"], ["a", "b"], ["a", "b", "c"]]) {
      const f = files();
      names.forEach((n, i) => (f["conditions.json"][n] = { all: [{ condition: names[(i + 1) % names.length] }] }));
      const cycles = problemsOf(f).filter((p) => /cycle/.test(p.message));
      expect(cycles).toHaveLength(1);
      expect(cycles[0]!.message).toContain(`${names.join(" -> ")} -> ${names[0]}`);
    }
  });

  it("refuses a chain of 5,000 named conditions, and one that ends in a cycle, without exhausting the stack", () => {
    const chain = files();
    for (let i = 0; i < 5000; i++) chain["conditions.json"][`c${i}`] = { all: [{ condition: `c${i + 1}` }] };
    chain["conditions.json"].c5000 = { all: [{ fact: "unreachable", operator: "equal", value: true }] };
    chain["K1.json"].conditions = { all: [{ condition: "c0" }] };
    expectProblem(chain, "K1.json", /nested 5002 deep; at most 8/);

    const intoCycle = files();
    for (let i = 0; i < 5000; i++) intoCycle["conditions.json"][`c${i}`] = { all: [{ condition: `c${i + 1}` }] };
    intoCycle["conditions.json"].c5000 = { all: [{ condition: "c4999" }] };
    const cycles = problemsOf(intoCycle).filter((p) => /cycle/.test(p.message));
    expect(cycles.map((p) => p.message)).toEqual(["named conditions refer to each other in a cycle: c4999 -> c5000 -> c4999"]);
  });

  it(`lists at most ${MAX_REPORTED_PROBLEMS} problems and counts the rest, for 5,000 broken named conditions`, () => {
    const f = files();
    for (let i = 0; i < 5_000; i++) f["conditions.json"][`bad${i}`] = { all: [{ fact: "unreachable", operator: "equal" }] };
    const problems = problemsOf(f);
    expect(problems).toHaveLength(MAX_REPORTED_PROBLEMS + 1);
    expect(problems.at(-1)!.message).toMatch(/^and \d+ more problems, not listed$/);
  });

  it("loads 20,000 named conditions that all use one shared condition (references are indexed, not copied per use)", () => {
    const f = files();
    for (let i = 0; i < 20_000; i++) f["conditions.json"][`s${i}`] = { all: [{ condition: "onEitherList" }] };
    expect(Object.keys(ruleSetFromFiles(f).conditions)).toHaveLength(20_000 + Object.keys(referenceFiles()["conditions.json"] as object).length);
  });

  it(`counts the depth of named conditions where they are used (at most ${MAX_CONDITION_DEPTH} in all)`, () => {
    const leaf = { fact: "unreachable", operator: "equal", value: true };
    const ok = files();
    ok["conditions.json"].deepish = nestInAll(leaf, MAX_CONDITION_DEPTH - 1);
    ok["K1.json"].conditions = { all: [{ condition: "deepish" }] };
    expect(() => ruleSetFromFiles(ok)).not.toThrow();
    const tooDeep = files();
    tooDeep["conditions.json"].deepish = nestInAll(leaf, MAX_CONDITION_DEPTH - 1);
    tooDeep["K1.json"].conditions = { all: [{ not: { condition: "deepish" } }] };
    expectProblem(tooDeep, "K1.json", new RegExp(`nested ${MAX_CONDITION_DEPTH + 1} deep; at most ${MAX_CONDITION_DEPTH}`));
  });
});

describe("absurd numbers fail at load", () => {
  const cases: Array<[string, (f: RuleFiles) => void, string, RegExp]> = [
    ["deduction points -1e308", (f) => (f["X1.json"].points = -1e308), "X1.json", /points/],
    ["bonus points 1e308", (f) => (f["B2.json"].points = 1e308), "B2.json", /points/],
    [`bonus points ${MAX_SCORE_LIMIT + 1}`, (f) => (f["B2.json"].points = MAX_SCORE_LIMIT + 1), "B2.json", /<=1000000/],
    ["deduction points -1001, beyond the 1000-point scale", (f) => (f["X1.json"].points = -1001), "X1.json", /beyond the scale of 1000/],
    ["item points 1e308", (f) => (f["P1.json"].cases[0].points = 1e308), "P1.json", /points/],
    ["item max 2^53", (f) => (f["P1.json"].max = 2 ** 53), "P1.json", /max/],
    ["maxScore 1e308", (f) => (f["manifest.json"].maxScore = 1e308), "manifest.json", /maxScore/],
    ["a dimension max 1e308", (f) => (f["manifest.json"].dimensions[0].max = 1e308), "manifest.json", /dimensions/],
    ["a level minScore 1e308", (f) => (f["manifest.json"].levels[0].minScore = 1e308), "manifest.json", /levels/],
    ["bonusCap 1e308", (f) => (f["manifest.json"].bonusCap = 1e308), "manifest.json", /bonusCap/],
    ["a window of 10^9 years", (f) => (f["X1.json"].each.params.within = { years: 1e9 }), "X1.json", /within\.years/],
    ["a window of 10^9 months", (f) => (f["X1.json"].each.params.within = { months: 1e9 }), "X1.json", /within\.months/],
    ["a window of -3 years", (f) => (f["X1.json"].each.params.within = { years: -3 }), "X1.json", /within\.years/],
    ["a window of 1.5 years", (f) => (f["X1.json"].each.params.within = { years: 1.5 }), "X1.json", /within\.years/],
    ["yearsBack 10^9", (f) => (f["K3.json"].conditions.any[0].all[0].params.yearsBack = 1e9), "K3.json", /yearsBack/],
  ];
  for (const [name, change, file, pathOrMessage] of cases) {
    it(`refuses ${name}`, () => {
      const f = files();
      change(f);
      const problems = problemsOf(f);
      expect(problems.some((p) => p.file === file && (pathOrMessage.test(p.path) || pathOrMessage.test(p.message))), JSON.stringify(problems).slice(0, 1000)).toBe(true);
    });
  }

  it("accepts huge comparison values as plain data (1e308 compared, nothing computed from it)", async () => {
    const f = files();
    f["K1.json"].conditions = { all: [{ fact: "satisfactionPercent", operator: "greaterThan", value: 1e308 }] };
    const r = await evaluate(clean.record, { asOf: clean.asOf, ruleSet: ruleSetFromFiles(f) });
    expect(r.caps.map((c) => c.id)).not.toContain("K1");
  });
});

describe("hostile folders", () => {
  function folder(name: string): string {
    const d = join(dir, name);
    mkdirSync(d);
    for (const [f, v] of Object.entries(referenceFiles())) writeFileSync(join(d, f), JSON.stringify(v));
    return d;
  }

  it(`refuses a folder of more than ${MAX_RULE_FILES} rule files before reading them`, () => {
    const d = folder("many");
    for (let i = 0; i < MAX_RULE_FILES; i++) writeFileSync(join(d, `Z${i}.json`), "{}");
    expect(() => loadRuleSet(d)).toThrow(/at most 1000/);
    const asObject = files();
    for (let i = 0; i < MAX_RULE_FILES; i++) asObject[`Z${i}.json`] = {};
    expectProblem(asObject, "", /at most 1000/);
  });

  it("refuses a rule file that is a link to a device, and one over 1 MB, naming them", () => {
    const d = folder("devices");
    symlinkSync("/dev/zero", join(d, "Z1.json"));
    writeFileSync(join(d, "Z2.json"), `"${"x".repeat(1_000_001)}"`);
    let thrown: unknown;
    try {
      loadRuleSet(d);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(RuleSetError);
    expect((thrown as RuleSetError).problems).toEqual([
      expect.objectContaining({ file: "Z1.json", message: expect.stringMatching(/not a regular file/) }),
      expect.objectContaining({ file: "Z2.json", message: expect.stringMatching(/larger than 1000000 bytes/) }),
    ]);
  });
});
