import type { Label } from "../errors.js";
import type { Entry, FactValue } from "../facts/context.js";

/** The value of one fact a rule consulted, as evidence. */
export interface FactEvidence {
  fact: string;
  params?: Record<string, unknown>;
  value: FactValue;
}

export interface ItemResult {
  id: string;
  dimension: string;
  points: number;
  max: number;
  /** Index of the case that matched, or "otherwise". */
  matched: number | "otherwise";
  evidence: FactEvidence[];
  label: Label;
  basis: string[];
}

export interface DeductionResult {
  id: string;
  points: number;
  /** The entry that counts (each occurrence is one deduction), or the facts of a once-only deduction. */
  evidence: Entry | FactEvidence[];
  /** First day on which the event falls outside its window; null for a deduction on a current state. */
  countsUntil: string | null;
  label: Label;
  basis: string[];
}

export interface BonusResult {
  id: string;
  points: number;
  evidence: Entry;
  countsUntil: string | null;
  label: Label;
  basis: string[];
}

export interface CapResult {
  id: string;
  atBest: string;
  /** Whether this cap is what held the grade down (no better level by score, gate or another cap). */
  lowersGrade: boolean;
  evidence: FactEvidence[];
  label: Label;
  basis: string[];
}

export interface VetoResult {
  id: string;
  evidence: FactEvidence[];
  label: Label;
  basis: string[];
}

export interface GateResult {
  id: string | null;
  level: string | null;
  held: boolean;
  /** Ids of the parts that do not hold. */
  missing: string[];
}

export interface MeasureResult {
  id: string;
  kind: "incentive" | "supervision" | "restriction";
  params: Record<string, string | number | boolean | null>;
  reasons: string[];
  label: Label;
  basis: string[];
}

export interface ListActionResult {
  id: string;
  causes: string[];
  label: Label;
  basis: string[];
}

export interface DimensionResult {
  id: string;
  score: number;
  max: number;
  label: Label;
}

export interface ReasonResult {
  id: string;
  pointsLost: number;
}

export interface NextLevel {
  level: string;
  pointsNeeded: number;
  blockedBy: string[];
}

/** The complete, explained outcome of evaluating one organization on one date under one rule set. */
export interface Result {
  organizationId: string;
  name: string;
  asOf: string;
  ruleSet: { id: string; version: string; digest: string };
  score: number;
  scoreLevel: string;
  grade: string;
  seriouslyDishonest: boolean;
  baseScore: number;
  dimensions: DimensionResult[];
  items: ItemResult[];
  deductions: DeductionResult[];
  deductionTotal: number;
  bonuses: BonusResult[];
  bonusTotal: number;
  caps: CapResult[];
  gate: GateResult;
  vetoes: VetoResult[];
  measures: MeasureResult[];
  listActions: ListActionResult[];
  reasons: ReasonResult[];
  nextLevel: NextLevel | null;
  libraryVersion: string;
  digest: string;
}
