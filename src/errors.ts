/** A bilingual text: Chinese for officials, English for engineers. */
export interface Label {
  zh: string;
  en: string;
}

/** One problem found in an organization record. */
export interface RecordIssue {
  /** Stable machine code, e.g. `invalid_type`, `invalid_date`, `contradiction`. */
  code: string;
  /** Field path joined by dots, array indices as numbers (`listings.0.removedOn`); `""` is the record itself. */
  path: string;
  /** What the field should hold. */
  expected: string;
  /** What it held, shortened for display. */
  found: string;
  message: Label;
}

/** Base class of every error this library throws. */
export class SocialOrgCreditError extends Error {
  override name = "SocialOrgCreditError" as string;
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** The record (or the asOf it is evaluated at) was refused; `issues` lists every problem found. */
export class InvalidRecordError extends SocialOrgCreditError {
  override name = "InvalidRecordError" as const;
  readonly issues: RecordIssue[];
  /** The input that was refused, kept for error reports. */
  readonly input: unknown;
  constructor(issues: RecordIssue[], input: unknown) {
    const head = issues
      .slice(0, 5)
      .map((i) => `${i.path || "(record)"}: ${i.message.en}`)
      .join("; ");
    const more = issues.length > 5 ? `; and ${issues.length - 5} more` : "";
    super("invalid_record", `Invalid organization record: ${head}${more}`);
    this.issues = issues;
    this.input = input;
  }
}

// Any value, shortly: a hostile asOf (a huge string, a BigInt, a symbol) must not break or bloat the message.
function shortDescription(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value);
  if (value === null || typeof value === "number" || typeof value === "boolean" || typeof value === "undefined") return String(value);
  return `a ${typeof value}`;
}

/** An asOf that is not a real `YYYY-MM-DD` calendar date. */
export class InvalidAsOfError extends SocialOrgCreditError {
  override name = "InvalidAsOfError" as const;
  constructor(found: unknown) {
    super("invalid_as_of", `asOf must be a calendar date written YYYY-MM-DD; found ${shortDescription(found)}`);
  }
}

/** One problem found in a rule set. */
export interface RuleSetProblem {
  /** The file, relative to the rule-set folder. */
  file: string;
  /** The rule id concerned, when known. */
  ruleId: string | null;
  /** Where in the file (dot path), when known. */
  path: string;
  message: string;
}

/** A rule set failed its load-time checks; `problems` lists every one with its file and rule. */
export class RuleSetError extends SocialOrgCreditError {
  override name = "RuleSetError" as const;
  readonly problems: RuleSetProblem[];
  constructor(problems: RuleSetProblem[]) {
    const head = problems
      .slice(0, 5)
      .map((p) => `${p.file}${p.ruleId ? ` (rule ${p.ruleId})` : ""}${p.path ? ` at ${p.path}` : ""}: ${p.message}`)
      .join("; ");
    const more = problems.length > 5 ? `; and ${problems.length - 5} more` : "";
    super("invalid_rule_set", `Invalid rule set: ${head}${more}`);
    this.problems = problems;
  }
}

/** No version of a rule set is in force on asOf: asOf is before the earliest version's effectiveFrom. */
export class NoRuleSetInForceError extends SocialOrgCreditError {
  override name = "NoRuleSetInForceError" as const;
  readonly asOf: string;
  /** The effectiveFrom of the earliest version. */
  readonly earliestEffectiveFrom: string;
  constructor(ruleSetId: string, asOf: string, earliest: { version: string; effectiveFrom: string }) {
    super(
      "no_rule_set_in_force",
      `no version of rule set ${ruleSetId} is in force on ${asOf}: the earliest, ${earliest.version}, takes effect on ${earliest.effectiveFrom}`,
    );
    this.asOf = asOf;
    this.earliestEffectiveFrom = earliest.effectiveFrom;
  }
}
