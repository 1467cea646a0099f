import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  createEvaluator,
  evaluate,
  InvalidAsOfError,
  InvalidRecordError,
  LIBRARY_VERSION,
  organizationRecordSchema,
  parseOrganizationRecord,
  referenceRuleSet,
  ruleSetFromFiles,
  isValidCreditCode,
} from "../src/index.js";
import { readRuleFiles } from "../src/rule-set/load.js";
import { REFERENCE_RULES_DIR } from "../src/rule-set/reference.js";
import { organizationFixtures } from "./_lib/fixtures.js";

const clean = organizationFixtures().find((f) => f.file.startsWith("01-"))!;

describe("evaluate", () => {
  it("throws InvalidRecordError listing every problem, with code invalid_record", async () => {
    const bad = { ...clean.record, id: "123", satisfactionPercent: 120 };
    const error = await evaluate(bad, { asOf: clean.asOf }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidRecordError);
    expect((error as InvalidRecordError).code).toBe("invalid_record");
    expect((error as InvalidRecordError).issues.map((i) => i.path).sort()).toEqual(["id", "satisfactionPercent"]);
  });
  it("refuses a record registered after asOf", async () => {
    const error = await evaluate(clean.record, { asOf: "2012-04-09" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidRecordError);
    expect((error as InvalidRecordError).issues.map((i) => i.path)).toEqual(["registeredOn"]);
    await expect(evaluate(clean.record, { asOf: "2012-04-10" })).resolves.toBeDefined();
  });
  it("throws InvalidAsOfError for an asOf that is not a calendar date", async () => {
    for (const asOf of ["2023-02-29", "2023-5-31", "", undefined]) {
      await expect(evaluate(clean.record, { asOf: asOf as string })).rejects.toBeInstanceOf(InvalidAsOfError);
    }
  });
  it("names the rule set and library version in the result", async () => {
    const r = await evaluate(clean.record, { asOf: clean.asOf });
    expect(r.ruleSet).toEqual({ id: "quzhou-reference", version: referenceRuleSet.version, digest: referenceRuleSet.digest });
    expect(r.libraryVersion).toBe(LIBRARY_VERSION);
  });
  it("explains every item with its evidence, label and basis", async () => {
    const r = await evaluate(clean.record, { asOf: clean.asOf });
    expect(r.items).toHaveLength(20);
    for (const item of r.items) {
      expect(item.label.zh.length).toBeGreaterThan(0);
      expect(item.basis.length).toBeGreaterThan(0);
      expect(item.evidence.length).toBeGreaterThan(0);
    }
    const a1 = r.items.find((i) => i.id === "A1")!;
    expect(a1.evidence[0]).toMatchObject({ fact: "activities", params: { within: { months: 12 } } });
    expect((a1.evidence[0]!.value as unknown[]).length).toBe(5);
  });
  it("uses a rule set passed in, with its own weights", async () => {
    const files = readRuleFiles(REFERENCE_RULES_DIR);
    const b2 = files["B2.json"] as { points: number };
    b2.points = 25;
    const revised = ruleSetFromFiles(files);
    expect(revised.digest).not.toBe(referenceRuleSet.digest);
    const record = { ...clean.record, honours: [{ on: "2022-12-01", kind: "provincial_commendation" }] };
    const before = await evaluate(record, { asOf: clean.asOf });
    const after = await evaluate(record, { asOf: clean.asOf, ruleSet: revised });
    expect(after.bonusTotal - before.bonusTotal).toBe(5);
    expect(after.digest).not.toBe(before.digest);
  });
});

describe("createEvaluator().evaluateMany", () => {
  it("returns every input in order, as a result or an error row", async () => {
    const inputs = [clean.record, { ...clean.record, type: "company" }, "not a record", clean.record];
    const rows = await createEvaluator().evaluateMany(inputs, { asOf: clean.asOf });
    expect(rows.map((r) => [r.index, r.ok])).toEqual([
      [0, true],
      [1, false],
      [2, false],
      [3, true],
    ]);
    const refused = rows[1]!;
    expect(refused.ok === false && refused.organizationId).toBe(clean.record.id);
    expect(refused.ok === false && refused.error.issues.map((i) => i.path)).toEqual(["type"]);
  });
});

describe("record schema", () => {
  it("accepts every fixture organization", () => {
    for (const f of organizationFixtures()) expect(organizationRecordSchema.safeParse(f.record).success, f.file).toBe(true);
  });
  it("checks the GB 32100-2015 check character", () => {
    expect(isValidCreditCode("51330800MJ1200011L")).toBe(true);
    expect(isValidCreditCode("51330800MJ1200011K")).toBe(false);
    expect(isValidCreditCode("51330800MJ1200011")).toBe(false);
    expect(isValidCreditCode("51330800MJ1200O11L")).toBe(false);
  });
  it("parseOrganizationRecord returns the typed record", () => {
    expect(parseOrganizationRecord(clean.record).id).toBe(clean.record.id);
  });
});

describe("package", () => {
  it("states the same version as package.json", () => {
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, "..", "package.json"), "utf8")) as { version: string };
    expect(LIBRARY_VERSION).toBe(pkg.version);
  });
});
