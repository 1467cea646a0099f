// Objects given to ruleSetFromFiles are read once, as data: a getter or Proxy that throws, or anything that
// is not plain JSON data, is refused with a RuleSetError naming its file and place, never a raw Error.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RuleSetError, ruleSetFromFiles } from "../src/index.js";
import { problemsOf, referenceFiles, type RuleFiles } from "./_lib/rule-files.js";

const boom = () => {
  throw new Error("boom: this text must not matter");
};
const throwingGetter = (): unknown => Object.defineProperty({ fact: "unreachable", operator: "equal" }, "value", { get: boom, enumerable: true });
const revoked = (): unknown => {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
};

/** Things a caller may pass where JSON data belongs. */
const HOSTILE: Array<[string, () => unknown]> = [
  ["an object whose getter throws", throwingGetter],
  ["a Proxy whose get throws", () => new Proxy({ all: [] }, { get: boom })],
  ["a Proxy whose ownKeys throws", () => new Proxy({ all: [] }, { ownKeys: boom })],
  ["a Proxy whose getPrototypeOf throws", () => new Proxy({ all: [] }, { getPrototypeOf: boom })],
  ["an array Proxy whose length throws", () => new Proxy([], { get: (t, k) => (k === "length" ? boom() : Reflect.get(t, k)) })],
  ["a revoked Proxy", revoked],
  ["a Map", () => new Map([["all", []]])],
  ["a Date", () => new Date(0)],
  ["a class instance", () => new (class Condition { all = [] })()],
  ["a function", () => () => true],
  ["a symbol", () => Symbol("x")],
  ["a BigInt", () => 10n],
];

/** The paths of every value inside a JSON tree, as key lists. */
function pathsOf(value: unknown, at: Array<string | number> = []): Array<Array<string | number>> {
  if (value === null || typeof value !== "object") return [at];
  const entries: Array<[string | number, unknown]> = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  return [at, ...entries.flatMap(([k, v]) => pathsOf(v, [...at, k]))];
}

function thrownBy(files: unknown): unknown {
  try {
    ruleSetFromFiles(files as RuleFiles);
  } catch (error) {
    return error;
  }
  return undefined;
}

describe("hostile objects given to ruleSetFromFiles", () => {
  it("refuses a rule file whose getter throws, naming the file and the place", () => {
    const f = referenceFiles();
    Object.defineProperty(f["K1.json"], "conditions", { get: boom, enumerable: true });
    expect(problemsOf(f)).toContainEqual(expect.objectContaining({ file: "K1.json", path: "conditions", message: expect.stringMatching(/cannot be read: reading it threw Error/) }));
  });

  it("refuses an object of files whose keys or entries cannot be read", () => {
    const keys = thrownBy(new Proxy(referenceFiles(), { ownKeys: boom }));
    expect(keys).toBeInstanceOf(RuleSetError);
    expect((keys as RuleSetError).message).toMatch(/the object of files cannot be read/);
    const manifest = thrownBy(new Proxy(referenceFiles(), { get: (t, k) => (k === "manifest.json" ? boom() : Reflect.get(t, k)) }));
    expect(manifest).toBeInstanceOf(RuleSetError);
    expect((manifest as RuleSetError).problems).toContainEqual(expect.objectContaining({ file: "manifest.json", message: expect.stringMatching(/cannot be read/) }));
    for (const notFiles of [null, 7, "manifest.json", [], revoked()]) expect(thrownBy(notFiles)).toBeInstanceOf(RuleSetError);
  });

  it("never lets a thrown message through: the refusal names what threw, not what it said", () => {
    const f = referenceFiles();
    f["K1.json"].conditions = { all: [throwingGetter()] };
    const error = thrownBy(f) as RuleSetError;
    expect(error).toBeInstanceOf(RuleSetError);
    expect(error.message).not.toMatch(/boom/);
    expect(error.problems).toContainEqual(expect.objectContaining({ file: "K1.json", path: "conditions.all.0.value" }));
  });

  it("refuses values that are not plain data: a Map as conditions.json is not an empty set of named conditions", () => {
    const f = referenceFiles();
    f["conditions.json"] = new Map(Object.entries(f["conditions.json"]));
    expect(problemsOf(f)).toContainEqual(expect.objectContaining({ file: "conditions.json", path: "", message: expect.stringMatching(/not JSON data/) }));
  });

  it("refuses, with a RuleSetError naming the file, any hostile thing put anywhere in any file (fuzzed)", () => {
    const reference = referenceFiles();
    const places = Object.keys(reference).flatMap((file) => pathsOf(reference[file]).map((path) => ({ file, path })));
    fc.assert(
      fc.property(fc.constantFrom(...places), fc.constantFrom(...HOSTILE), ({ file, path }, [what, make]) => {
        const f = referenceFiles();
        if (path.length === 0) f[file] = make();
        else {
          let parent = f[file];
          for (const k of path.slice(0, -1)) parent = parent[k];
          parent[path.at(-1)!] = make();
        }
        const error = thrownBy(f);
        expect(error, `${what} at ${file} ${path.join(".")}`).toBeInstanceOf(RuleSetError);
        expect((error as RuleSetError).problems.map((p) => p.file), what).toContain(file);
      }),
      { numRuns: 150, seed: 10 },
    );
  });
});
