import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { RULE_SCHEMA_FILES, ruleFileJsonSchemas } from "../src/rule-set/json-schema.js";
import { readRuleFiles } from "../src/rule-set/load.js";
import { REFERENCE_RULES_DIR } from "../src/rule-set/reference.js";

const SCHEMA_DIR = join(import.meta.dirname, "..", "rules", "schema");
const committed = (file: string): Record<string, unknown> => JSON.parse(readFileSync(join(SCHEMA_DIR, file), "utf8"));

describe("the committed JSON Schemas of rule files", () => {
  it.each(RULE_SCHEMA_FILES)("rules/schema/%s is what the zod schemas generate (run `npm run rules:schema` when this fails)", (file) => {
    expect(committed(file)).toEqual(ruleFileJsonSchemas()[file]);
  });

  // The JSON Schema is read back into zod (z.fromJSONSchema) to validate files with it, as an editor would.
  const ruleFile = z.fromJSONSchema(committed("rule-file.schema.json") as never);
  const reference = readRuleFiles(REFERENCE_RULES_DIR);

  it("accepts every file of the reference rule set", () => {
    const manifest = z.fromJSONSchema(committed("manifest.schema.json") as never);
    const conditions = z.fromJSONSchema(committed("conditions.schema.json") as never);
    for (const [file, json] of Object.entries(reference)) {
      const schema = file === "manifest.json" ? manifest : file === "conditions.json" ? conditions : ruleFile;
      expect(schema.safeParse(json).success, file).toBe(true);
    }
  });

  it("refuses a rule file naming an unknown fact, so that an editor underlines it", () => {
    const p2 = structuredClone(reference["P2.json"]) as { cases: Array<{ conditions: { all: Array<{ fact: string }> } }> };
    p2.cases[0]!.conditions.all[0]!.fact = "party.coverrage";
    expect(ruleFile.safeParse(p2).success).toBe(false);
  });

  it("refuses a rule file without an English label", () => {
    const x1 = structuredClone(reference["X1.json"]) as { label: { en?: string } };
    delete x1.label.en;
    expect(ruleFile.safeParse(x1).success).toBe(false);
  });
});
