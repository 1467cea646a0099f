import type { z } from "zod";
import { isIsoDate } from "../_lib/dates.js";
import { InvalidRecordError, type RecordIssue } from "../errors.js";
import { fastParseRecord } from "./fast-parse.js";
import { ABNORMAL_CAUSES, DISHONEST_CAUSES, INVISIBLE_NAME_MESSAGE, organizationRecordSchema, RECORD_LIMITS, type OrganizationRecord } from "./schema.js";

/** The outcome of `safeParseOrganizationRecord`, in the manner of zod's `safeParse`. */
export type ParseResult =
  | { success: true; data: OrganizationRecord }
  | { success: false; error: InvalidRecordError };

/** Most issues one refusal lists; the rest are counted in a last `too_many_issues` issue. */
export const MAX_REPORTED_ISSUES = 100;

/** The repeated parts of a record, whose length is checked before anything else is read. */
const REPEATED_FIELDS = Object.entries(organizationRecordSchema.shape)
  .filter(([, schema]) => schema.def.type === "array")
  .map(([field]) => field);

// Shortens text for messages without copying more of it than is shown.
function shorten(text: string, max = 60): string {
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

/** A short description of a found value; never fails, whatever the value (BigInt, symbol, function, huge string). */
export function describe(value: unknown): string {
  if (value === undefined) return "nothing (missing)";
  if (value === null) return "null";
  if (typeof value === "number") return String(value);
  if (typeof value === "bigint") return `${shorten(String(value))} (a BigInt)`;
  if (typeof value === "symbol" || typeof value === "function") return `a ${typeof value}`;
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === "object") return "an object";
  if (typeof value === "string") return shorten(JSON.stringify(value.slice(0, 61)));
  return String(value);
}

/** A text that shows nothing, with every character written as its code (`"\\u3000\\u200b"`), so that the message shows what is there. */
function describeInvisible(value: unknown): string {
  if (typeof value !== "string") return describe(value);
  return shorten(`"${[...value.slice(0, 20)].map((c) => (c === " " ? " " : `\\u${c.codePointAt(0)!.toString(16).padStart(4, "0")}`)).join("")}"`);
}

function joinPath(path: readonly PropertyKey[]): string {
  return path.map((p) => String(p)).join(".");
}

function fromZodIssue(issue: z.core.$ZodIssue): RecordIssue[] {
  const path = joinPath(issue.path);
  const input = (issue as { input?: unknown }).input;
  switch (issue.code) {
    case "unrecognized_keys":
      return issue.keys.map((rawKey) => {
        const key = shorten(rawKey, 64);
        return {
          code: "unknown_field",
          path: path ? `${path}.${key}` : key,
          expected: "no such field (record v1 has a fixed set of fields)",
          found: "an unknown field",
          message: { zh: `未知字段 ${key}`, en: `unknown field "${key}"` },
        };
      });
    case "invalid_type": {
      const missing = input === undefined;
      const expected = issue.expected === "object" && path === "" ? "an organization record (a JSON object)" : issue.expected;
      return [
        {
          code: missing ? "missing_field" : "invalid_type",
          path,
          expected: String(expected),
          found: describe(input),
          message: missing
            ? { zh: `缺少必填字段，应为 ${expected}`, en: `required field is missing; expected ${expected}` }
            : { zh: `类型错误：应为 ${expected}，实为 ${describe(input)}`, en: `expected ${expected}, found ${describe(input)}` },
        },
      ];
    }
    case "invalid_value": {
      const expected = `one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
      // A missing enum field is reported like any other missing field.
      const missing = input === undefined;
      return [
        {
          code: missing ? "missing_field" : "invalid_value",
          path,
          expected,
          found: describe(input),
          message: missing
            ? { zh: `缺少必填字段，应为 ${expected}`, en: `required field is missing; expected ${expected}` }
            : { zh: `取值无效：应为 ${expected}，实为 ${describe(input)}`, en: `expected ${expected}, found ${describe(input)}` },
        },
      ];
    }
    case "too_small":
    case "too_big": {
      const bound = issue.code === "too_small" ? issue.minimum : issue.maximum;
      const word =
        issue.code === "too_small" ? (issue.inclusive ? "at least" : "greater than") : issue.inclusive ? "at most" : "less than";
      const zhWord = issue.code === "too_small" ? (issue.inclusive ? "不小于" : "大于") : issue.inclusive ? "不大于" : "小于";
      const what = issue.origin === "string" ? " characters long" : issue.origin === "array" ? " entries" : "";
      const expected = `${word} ${String(bound)}${what}`;
      return [
        {
          code: "out_of_range",
          path,
          expected,
          found: describe(input),
          message: { zh: `超出范围：应${zhWord} ${String(bound)}，实为 ${describe(input)}`, en: `expected ${expected}, found ${describe(input)}` },
        },
      ];
    }
    default: {
      const isDate = issue.message.startsWith("a real calendar date");
      return [
        {
          code: isDate ? "invalid_date" : issue.message.includes("credit code") ? "invalid_credit_code" : issue.message === INVISIBLE_NAME_MESSAGE ? "blank_name" : "invalid_value",
          path,
          expected: issue.message,
          found: issue.message === INVISIBLE_NAME_MESSAGE ? describeInvisible(input) : describe(input),
          message: isDate
            ? { zh: `日期无效：应为真实的公历日期 YYYY-MM-DD，实为 ${describe(input)}`, en: `expected ${issue.message}, found ${describe(input)}` }
            : issue.message.includes("credit code")
              ? { zh: `统一社会信用代码无效（长度或校验码错误），实为 ${describe(input)}`, en: `expected ${issue.message}, found ${describe(input)}` }
              : issue.message === INVISIBLE_NAME_MESSAGE
                ? { zh: `名称为空白：只有空格或不可见字符，实为 ${describeInvisible(input)}`, en: `expected ${issue.message}, found ${describeInvisible(input)}` }
                : { zh: `取值无效：${issue.message}`, en: `expected ${issue.message}, found ${describe(input)}` },
        },
      ];
    }
  }
}

function contradiction(path: string, expected: string, found: unknown, zh: string): RecordIssue {
  return { code: "contradiction", path, expected, found: describe(found), message: { zh, en: `expected ${expected}, found ${describe(found)}` } };
}

function asObject(value: unknown): Record<string, unknown> | null {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

function entries(record: Record<string, unknown>, field: string): Array<[number, Record<string, unknown>]> {
  const list = record[field];
  if (!Array.isArray(list)) return [];
  return list.flatMap((e, i): Array<[number, Record<string, unknown>]> => {
    const o = asObject(e);
    return o ? [[i, o]] : [];
  });
}

function date(value: unknown): string | null {
  return typeof value === "string" && isIsoDate(value) ? value : null;
}

// Checks between fields, made on the raw input so that they are reported together with field errors.
function findContradictions(input: unknown, asOf: string | undefined): RecordIssue[] {
  const record = asObject(input);
  if (!record) return [];
  const issues: RecordIssue[] = [];

  const registeredOn = date(record.registeredOn);
  if (asOf !== undefined && registeredOn !== null && registeredOn > asOf) {
    issues.push(
      contradiction("registeredOn", `a date on or before asOf ${asOf} (the organization must exist on asOf)`, registeredOn, `登记日期 ${registeredOn} 晚于评价日 ${asOf}，该组织当时尚未成立`),
    );
  }

  const seenYears = new Set<number>();
  for (const [i, e] of entries(record, "annualInspections")) {
    if (typeof e.year !== "number") continue;
    if (seenYears.has(e.year)) {
      issues.push(contradiction(`annualInspections.${i}.year`, "at most one inspection entry per year", e.year, `年检年度 ${e.year} 重复`));
    }
    seenYears.add(e.year);
  }

  for (const [i, e] of entries(record, "penalties")) {
    if (e.kind === "fine" && !(typeof e.amountYuan === "number" && e.amountYuan > 0)) {
      if (e.amountYuan === null || e.amountYuan === undefined) {
        issues.push(contradiction(`penalties.${i}.amountYuan`, "an amount in yuan greater than 0 for a fine", e.amountYuan, "罚款处罚必须填写罚款金额（元）"));
      }
    } else if (typeof e.kind === "string" && e.kind !== "fine" && e.amountYuan !== null && e.amountYuan !== undefined) {
      issues.push(contradiction(`penalties.${i}.amountYuan`, `null (only a fine has an amount; this penalty is ${e.kind})`, e.amountYuan, "非罚款处罚不应填写金额"));
    }
  }

  for (const [i, e] of entries(record, "rectificationNotices")) {
    const issuedOn = date(e.issuedOn);
    const dueOn = date(e.dueOn);
    const completedOn = date(e.completedOn);
    if (issuedOn && dueOn && dueOn < issuedOn) {
      issues.push(contradiction(`rectificationNotices.${i}.dueOn`, `a date on or after issuedOn ${issuedOn}`, dueOn, "整改期限早于通知下发日期"));
    }
    if (issuedOn && completedOn && completedOn < issuedOn) {
      issues.push(contradiction(`rectificationNotices.${i}.completedOn`, `a date on or after issuedOn ${issuedOn}`, completedOn, "整改完成日期早于通知下发日期"));
    }
  }

  const evaluation = asObject(record.evaluation);
  if (evaluation) {
    const awardedOn = date(evaluation.awardedOn);
    const expiresOn = date(evaluation.expiresOn);
    if (awardedOn && expiresOn && expiresOn <= awardedOn) {
      issues.push(contradiction("evaluation.expiresOn", `a date after awardedOn ${awardedOn}`, expiresOn, "评估等级有效期截止日期不晚于授予日期"));
    }
  }

  for (const [i, e] of entries(record, "listings")) {
    const listedOn = date(e.listedOn);
    const removedOn = date(e.removedOn);
    if (listedOn && removedOn && removedOn < listedOn) {
      issues.push(contradiction(`listings.${i}.removedOn`, `a date on or after listedOn ${listedOn}`, removedOn, "移出名录日期早于列入日期"));
    }
    const causes: readonly string[] | null = e.list === "abnormal" ? ABNORMAL_CAUSES : e.list === "dishonest" ? DISHONEST_CAUSES : null;
    if (causes && typeof e.cause === "string" && !causes.includes(e.cause) && (ABNORMAL_CAUSES as readonly string[]).concat(DISHONEST_CAUSES).includes(e.cause)) {
      issues.push(
        contradiction(`listings.${i}.cause`, `a cause of the ${e.list} list: one of ${causes.join(", ")}`, e.cause, `列入原因 ${e.cause} 不属于${e.list === "abnormal" ? "活动异常名录" : "严重违法失信名单"}`),
      );
    }
  }
  return issues;
}

// Sorted by path, then capped, so that a huge broken input gives a bounded error.
function sortIssues(issues: RecordIssue[]): RecordIssue[] {
  issues.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  if (issues.length <= MAX_REPORTED_ISSUES) return issues;
  const more = issues.length - MAX_REPORTED_ISSUES;
  return [
    ...issues.slice(0, MAX_REPORTED_ISSUES),
    {
      code: "too_many_issues",
      path: "",
      expected: `at most ${MAX_REPORTED_ISSUES} problems are listed`,
      found: `${more} more`,
      message: { zh: `另有 ${more} 处问题未列出`, en: `and ${more} more problems, not listed` },
    },
  ];
}

/** Repeated parts longer than the limit: refused before their entries are read, so time and memory stay bounded. */
function oversizedFields(input: unknown): RecordIssue[] {
  const record = asObject(input);
  if (!record) return [];
  return REPEATED_FIELDS.flatMap((field) => {
    const list = Object.hasOwn(record, field) ? record[field] : undefined;
    if (!Array.isArray(list) || list.length <= RECORD_LIMITS.maxEntries) return [];
    const expected = `at most ${RECORD_LIMITS.maxEntries} entries`;
    return [
      {
        code: "too_large",
        path: field,
        expected,
        found: describe(list),
        message: { zh: `条目过多：最多 ${RECORD_LIMITS.maxEntries} 条，实为 ${list.length} 条`, en: `expected ${expected}, found ${describe(list)}` },
      },
    ];
  });
}

function validate(input: unknown, asOf: string | undefined): ParseResult {
  // A plainly valid record is built in one pass (src/record/fast-parse.ts); any other takes the full validation.
  const fast = fastParseRecord(input, asOf);
  if (fast !== null) return { success: true, data: fast };
  const oversized = oversizedFields(input);
  if (oversized.length > 0) return { success: false, error: new InvalidRecordError(oversized, input) };
  const parsed = organizationRecordSchema.safeParse(input, { reportInput: true });
  const issues = [...(parsed.success ? [] : parsed.error.issues.flatMap(fromZodIssue)), ...findContradictions(input, asOf)];
  if (issues.length > 0 || !parsed.success) {
    return { success: false, error: new InvalidRecordError(sortIssues(issues), input) };
  }
  return { success: true, data: parsed.data };
}

/**
 * Validates an organization record and reports every problem at once, without throwing.
 *
 * @param input - anything, typically parsed JSON
 * @param options - `asOf`, when given, also refuses a record registered after that date
 * @returns `{ success: true, data }` or `{ success: false, error }` with an `InvalidRecordError`
 * @example
 * const r = safeParseOrganizationRecord(JSON.parse(text), { asOf: "2023-05-31" });
 * if (!r.success) console.log(r.error.issues.map((i) => i.path));
 */
export function safeParseOrganizationRecord(input: unknown, options: { asOf?: string } = {}): ParseResult {
  try {
    return validate(input, options?.asOf);
  } catch (error) {
    // Only an input that is not plain data gets here: a getter or Proxy that throws, a stack-deep structure.
    const issue: RecordIssue = {
      code: "unreadable",
      path: "",
      expected: "plain data, as JSON.parse gives",
      found: `a value that threw ${error instanceof Error ? error.name : "an exception"} when read`,
      message: { zh: "记录无法读取：应为 JSON 数据", en: "the record could not be read: expected plain data, as JSON.parse gives" },
    };
    return { success: false, error: new InvalidRecordError([issue], input) };
  }
}

/**
 * Validates an organization record, throwing an `InvalidRecordError` that lists every problem.
 *
 * @param input - anything, typically parsed JSON
 * @param options - `asOf`, when given, also refuses a record registered after that date
 * @returns the record, typed
 * @example
 * const record = parseOrganizationRecord(JSON.parse(text));
 */
export function parseOrganizationRecord(input: unknown, options: { asOf?: string } = {}): OrganizationRecord {
  const result = safeParseOrganizationRecord(input, options);
  if (!result.success) throw result.error;
  return result.data;
}
