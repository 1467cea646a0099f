import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export const FIXTURES_DIR = join(import.meta.dirname, "..", "..", "fixtures");

export interface ExpectedOutcome {
  score: number;
  scoreLevel: string;
  grade: string;
  seriouslyDishonest: boolean;
  items: Record<string, number>;
  deductions: Array<{ id: string; points: number; countsUntil: string | null }>;
  bonuses: Array<{ id: string; points: number }>;
  bonusTotal: number;
  caps: string[];
  gateHeld: boolean;
  vetoes: string[];
  measures: string[];
  spotCheckRate: number;
  listActions: Array<{ id: string; causes: string[] }>;
  nextLevel: { level: string; pointsNeeded: number; blockedBy: string[] } | null;
  reasons?: Array<{ id: string; pointsLost: number }>;
}

export interface OrganizationFixture {
  file: string;
  description: string;
  asOf: string;
  record: Record<string, unknown>;
  expected: ExpectedOutcome;
}

export interface InvalidFixture {
  file: string;
  description: string;
  asOf?: string;
  record: unknown;
  expectedErrors: string[];
}

function readAll<T>(folder: string): T[] {
  const dir = join(FIXTURES_DIR, folder);
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((file) => ({ file, ...(JSON.parse(readFileSync(join(dir, file), "utf8")) as object) }) as T);
}

export const organizationFixtures = (): OrganizationFixture[] => readAll<OrganizationFixture>("organizations");
export const invalidFixtures = (): InvalidFixture[] => readAll<InvalidFixture>("invalid");

// The record of tests/versions.test.ts and tests/shadow.test.ts: fixture 01 moved to the end of 2025, so that
// every fact is the same on 2025-12-31 and 2026-01-01
// (latest due year 2024 on both days; every dated entry inside every window on both days), and so that
// each rule 2026.1 revises applies: 3 public-welfare activities (A3), 92 % satisfaction (A4), one
// warning (X1) and one credit pledge kept (B7).
export const boundaryRecord = {
  ...organizationFixtures().find((f) => f.file.startsWith("01-"))!.record,
  annualInspections: [
    { year: 2022, result: "pass" },
    { year: 2023, result: "pass" },
    { year: 2024, result: "pass" },
  ],
  activities: [
    { on: "2025-03-01", kind: "service" },
    { on: "2025-05-10", kind: "public_welfare" },
    { on: "2025-08-20", kind: "public_welfare" },
    { on: "2025-11-30", kind: "public_welfare" },
    { on: "2025-12-20", kind: "service" },
  ],
  governmentProjects: [{ endedOn: "2025-06-30", outcome: "good" }],
  satisfactionPercent: 92,
  penalties: [{ on: "2025-04-01", kind: "warning", amountYuan: null }],
  honours: [
    { on: "2024-12-01", kind: "provincial_commendation" },
    { on: "2025-02-01", kind: "credit_pledge_kept" },
  ],
};
