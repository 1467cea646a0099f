import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { RuleSetError } from "../src/index.js";
import { loadRuleSet } from "../src/rule-set/load.js";
import { REFERENCE_RULES_DIR } from "../src/rule-set/reference.js";

const dir = mkdtempSync(join(tmpdir(), "soc-rule-strict-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("rule files are strict JSON", () => {
  it("refuses a rule file with a repeated key, naming the file and the key (JSON.parse kept the last value, a reader sees the first)", () => {
    const copy = join(dir, "dup");
    cpSync(REFERENCE_RULES_DIR, copy, { recursive: true });
    const text = readFileSync(join(copy, "A1.json"), "utf8");
    const edited = text.replace(/"points":\s*(\d+)/, (m, n) => `"points": ${n}, "points": 0`);
    expect(edited).not.toBe(text);
    writeFileSync(join(copy, "A1.json"), edited);
    let thrown: unknown;
    try {
      loadRuleSet(copy);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(RuleSetError);
    const problems = (thrown as RuleSetError).problems;
    expect(problems.some((p) => p.file === "A1.json" && /points/.test(p.message) && /repeat|twice|again/i.test(p.message))).toBe(true);
  });

  it("loads the reference rules, whose files are strict JSON", () => {
    expect(loadRuleSet(REFERENCE_RULES_DIR).manifest.id).toBe("quzhou-reference");
  });
});
