/**
 * social-org-credit: credit scoring and graded supervision of social organizations
 * (社会组织信用评分与分级监管) as declarative json-rules-engine rules.
 */
export { evaluate, createEvaluator, type Evaluator, type EvaluateOptions, type BatchRow } from "./evaluate.js";
export type { SyncEvaluator, EngineName, EvaluatorOptions, BatchOptions, BatchError } from "./evaluate.js";
export { PARALLEL_THRESHOLD } from "./audit/parallel.js";
export { loadRuleSet, ruleSetFromFiles } from "./rule-set/load.js";
export { referenceRuleSet, REFERENCE_RULES_DIR } from "./rule-set/reference.js";
export { ruleSetVersionOn } from "./rule-set/versions.js";
export type { RuleSet, Rule, Manifest } from "./rule-set/schema.js";
export { organizationRecordSchema, type OrganizationRecord } from "./record/schema.js";
export { RECORD_LIMITS } from "./record/schema.js";
export { parseOrganizationRecord, safeParseOrganizationRecord, type ParseResult } from "./record/parse.js";
export { isValidCreditCode, creditCodeCheckCharacter } from "./record/credit-code.js";
export {
  SocialOrgCreditError,
  InvalidRecordError,
  InvalidAsOfError,
  RuleSetError,
  NoRuleSetInForceError,
  type RecordIssue,
  type RuleSetProblem,
  type Label,
} from "./errors.js";
export type * from "./result/types.js";
export { explain, type ExplainOptions } from "./result/explain.js";
export { LIBRARY_VERSION } from "./version.js";
export {
  buildReport,
  summarizeResults,
  renderReportHtml,
  renderReportMarkdown,
  createReportAccumulator,
  type ReportRow,
  type ReportOptions,
  type ReportData,
} from "./audit/report.js";
export { SPREADSHEET_LAYOUT, assembleRecord, sheetRowsOf, type SheetSpec, type ColumnSpec, type SheetRow } from "./audit/spreadsheet-layout.js";
