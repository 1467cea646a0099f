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
