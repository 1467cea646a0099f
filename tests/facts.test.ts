import { describe, expect, it } from "vitest";
import { factValue } from "../src/facts/catalogue.js";
import { createFactContext, inspectionOf, isInspectionRequired, latestDueInspectionYear, validEvaluation } from "../src/facts/context.js";
import { parseOrganizationRecord, type OrganizationRecord } from "../src/index.js";
import { organizationFixtures } from "./_lib/fixtures.js";

const base = organizationFixtures().find((f) => f.file.startsWith("01-"))!.record;
const record = (patch: Partial<OrganizationRecord>): OrganizationRecord => parseOrganizationRecord({ ...structuredClone(base), ...patch });

describe("latestDueInspectionYear", () => {
  it("is the year before asOf from 31 May on", () => {
    expect(latestDueInspectionYear("2023-05-31")).toBe(2022);
    expect(latestDueInspectionYear("2023-12-31")).toBe(2022);
  });
  it("is two years before asOf up to 30 May", () => {
    expect(latestDueInspectionYear("2023-05-30")).toBe(2021);
    expect(latestDueInspectionYear("2023-01-01")).toBe(2021);
  });
});

describe("required inspection years", () => {
  it("requires the year of an organization registered on 30 June and exempts one registered on 1 July", () => {
    expect(isInspectionRequired("2016-06-30", 2016)).toBe(true);
    expect(isInspectionRequired("2016-07-01", 2016)).toBe(false);
    expect(isInspectionRequired("2016-07-01", 2017)).toBe(true);
  });
  it("ignores the entry of an exempt year and reads a required year without entry as not_filed", () => {
    const r = record({ registeredOn: "2016-08-15", annualInspections: [{ year: 2016, result: "fail" }] });
    expect(inspectionOf(r, 2016)).toBe("exempt");
    expect(inspectionOf(r, 2017)).toBe("not_filed");
  });
});

describe("evaluation grade validity", () => {
  it("is valid the day before expiresOn and not on it", () => {
    const r = record({ evaluation: { grade: "4A", awardedOn: "2019-03-01", expiresOn: null } });
    expect(validEvaluation(r, "2024-02-29").grade).toBe("4A");
    expect(validEvaluation(r, "2024-03-01").grade).toBe("none");
  });
  it("defaults expiresOn to 5 years with the day clamped (2020-02-29 -> 2025-02-28)", () => {
    const r = record({ evaluation: { grade: "3A", awardedOn: "2020-02-29", expiresOn: null } });
    expect(validEvaluation(r, "2025-02-27").grade).toBe("3A");
    expect(validEvaluation(r, "2025-02-28").grade).toBe("none");
  });
  it("uses an explicit expiresOn and is not valid before awardedOn", () => {
    const r = record({ evaluation: { grade: "5A", awardedOn: "2021-06-01", expiresOn: "2022-06-01" } });
    expect(validEvaluation(r, "2022-05-31").grade).toBe("5A");
    expect(validEvaluation(r, "2022-06-01").grade).toBe("none");
    expect(validEvaluation(r, "2021-05-31").grade).toBe("none");
  });
});

describe("the record seen on asOf", () => {
  it("drops entries dated after asOf", () => {
    const r = record({ activities: [{ on: "2023-05-31", kind: "service" }, { on: "2023-06-01", kind: "service" }] });
    const ctx = createFactContext(r, "2023-05-31");
    expect(ctx.collections.activities!.map((a) => a.on)).toEqual(["2023-05-31"]);
  });
  it("keeps a listing current when its removal is dated after asOf", () => {
    const r = record({ listings: [{ list: "abnormal", cause: "other", listedOn: "2022-01-01", removedOn: "2023-06-01" }] });
    const ctx = createFactContext(r, "2023-05-31");
    expect(factValue(ctx, "listings", { where: { current: true } })).toHaveLength(1);
    expect(factValue(createFactContext(r, "2023-06-01"), "listings", { where: { current: true } })).toHaveLength(0);
  });
  it("reads a notice completed after asOf as not completed yet", () => {
    const r = record({ rectificationNotices: [{ issuedOn: "2023-01-01", dueOn: "2023-02-01", completedOn: "2023-07-01" }] });
    const ctx = createFactContext(r, "2023-05-31");
    expect(factValue(ctx, "rectificationNotices", { where: { overdueNow: true } })).toHaveLength(1);
    expect(factValue(createFactContext(r, "2023-07-01"), "rectificationNotices", { where: { overdueNow: true } })).toHaveLength(0);
  });
  it("counts a notice completed after its due date in X3's sense but not as overdue now", () => {
    const r = record({ rectificationNotices: [{ issuedOn: "2023-01-01", dueOn: "2023-02-01", completedOn: "2023-02-02" }] });
    const ctx = createFactContext(r, "2023-05-31");
    expect(factValue(ctx, "rectificationNotices", { where: { overdueAtDue: true } })).toHaveLength(1);
    expect(factValue(ctx, "rectificationNotices", { where: { overdueNow: true } })).toHaveLength(0);
  });
  it("does not see a notice due on asOf as overdue", () => {
    const r = record({ rectificationNotices: [{ issuedOn: "2023-05-01", dueOn: "2023-05-31", completedOn: null }] });
    const ctx = createFactContext(r, "2023-05-31");
    expect(factValue(ctx, "rectificationNotices", { where: { overdueAtDue: true } })).toHaveLength(0);
  });
  it("selects fines by amount on both sides of ¥50,000", () => {
    const r = record({
      penalties: [
        { on: "2023-01-01", kind: "fine", amountYuan: 49999.99 },
        { on: "2023-01-02", kind: "fine", amountYuan: 50000 },
      ],
    });
    const ctx = createFactContext(r, "2023-05-31");
    expect(factValue(ctx, "penalties", { where: { kind: "fine", amountYuan: { lessThan: 50000 } } })).toEqual([
      expect.objectContaining({ amountYuan: 49999.99 }),
    ]);
    expect(factValue(ctx, "penalties", { where: { kind: "fine", amountYuan: { atLeast: 50000 } } })).toEqual([
      expect.objectContaining({ amountYuan: 50000 }),
    ]);
  });
});
