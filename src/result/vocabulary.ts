import type { Label } from "../errors.js";

// Words of the organization record (record.md) for explanations: its field names and enumerated values,
// and the facts computed from it. Rule ids and labels never appear here: those come from the rule set.

/** The record's enumerated values, in Chinese and English. */
const VALUES: Record<string, Label> = {
  social_group: { zh: "社会团体", en: "social group" },
  social_service_agency: { zh: "社会服务机构", en: "social service agency" },
  foundation: { zh: "基金会", en: "foundation" },
  own: { zh: "单独建立党组织", en: "its own party organization" },
  joint: { zh: "联合建立党组织", en: "a joint party organization" },
  instructor: { zh: "仅有党建指导员", en: "a party-building instructor only" },
  none: { zh: "无", en: "none" },
  complete: { zh: "完整", en: "complete" },
  partial: { zh: "部分", en: "partial" },
  pass: { zh: "合格", en: "pass" },
  basic_pass: { zh: "基本合格", en: "basic pass" },
  fail: { zh: "不合格", en: "fail" },
  not_filed: { zh: "未参加年检", en: "not filed" },
  exempt: { zh: "免于年检（当年新登记）", en: "exempt (registered that year)" },
  per_charter: { zh: "按章程召开", en: "held per the charter" },
  late: { zh: "延期召开", en: "held late" },
  not_held: { zh: "未召开", en: "not held" },
  unqualified: { zh: "无保留意见", en: "unqualified" },
  qualified: { zh: "保留意见", en: "qualified" },
  adverse: { zh: "否定意见", en: "adverse" },
  full: { zh: "全面公开", en: "full" },
  service: { zh: "服务活动", en: "service" },
  public_welfare: { zh: "公益活动", en: "public welfare" },
  government_project: { zh: "政府购买服务项目", en: "government project" },
  good: { zh: "良好", en: "good" },
  completed: { zh: "完成", en: "completed" },
  failed: { zh: "未通过验收", en: "failed" },
  average: { zh: "一般", en: "average" },
  poor: { zh: "差", en: "poor" },
  warning: { zh: "警告", en: "warning" },
  fine: { zh: "罚款", en: "fine" },
  suspension: { zh: "限期停止活动", en: "suspension" },
  change_registration_revoked: { zh: "撤销变更登记", en: "change of registration revoked" },
  certificate_revoked: { zh: "吊销登记证书", en: "certificate revoked" },
  registration_revoked: { zh: "撤销登记", en: "registration revoked" },
  prohibited_fee: { zh: "违规收费", en: "prohibited fee" },
  unauthorised_award: { zh: "违规开展评比表彰", en: "unauthorised award" },
  beyond_scope: { zh: "超出业务范围活动", en: "activity beyond its scope" },
  false_report: { zh: "报告或公开信息弄虚作假", en: "false report" },
  abnormal: { zh: "活动异常名录", en: "abnormal-activity list" },
  dishonest: { zh: "严重违法失信名单", en: "serious-dishonesty list" },
  annual_report_not_filed: { zh: "未按规定报送年度工作报告", en: "annual report not filed" },
  party_organization_missing: { zh: "未按规定建立党组织", en: "party organization missing" },
  rectification_overdue: { zh: "逾期未整改", en: "rectification overdue" },
  penalty: { zh: "受到行政处罚", en: "administrative penalty" },
  unreachable: { zh: "通过登记住所无法取得联系", en: "unreachable at its registered address" },
  other: { zh: "其他", en: "other" },
  abnormal_two_years: { zh: "列入活动异常名录满2年", en: "abnormal-listed for two years" },
  fraudulent_change: { zh: "弄虚作假办理变更登记", en: "fraudulent change of registration" },
  large_fine: { zh: "受到较大数额罚款", en: "large fine" },
  repeated_penalties: { zh: "多次受到行政处罚", en: "repeated penalties" },
  court_defaulter: { zh: "失信被执行人", en: "court judgment defaulter" },
  national_commendation: { zh: "国家级表彰", en: "national commendation" },
  provincial_commendation: { zh: "省级表彰", en: "provincial commendation" },
  municipal_commendation: { zh: "市级表彰", en: "municipal commendation" },
  brand_organization: { zh: "品牌社会组织", en: "brand social organization" },
  integrity_model: { zh: "清廉社会组织示范点", en: "integrity model" },
  outstanding_project: { zh: "优秀项目", en: "outstanding project" },
  credit_pledge_kept: { zh: "践行信用承诺", en: "credit pledge kept" },
};

/** The fields of the record's repeated entries; fields an entry gains from asOf (such as `current`) are not listed. */
const ENTRY_FIELDS: Record<string, Label> = {
  on: { zh: "日期", en: "on" },
  year: { zh: "年度", en: "year" },
  result: { zh: "结论", en: "result" },
  kind: { zh: "类别", en: "kind" },
  amountYuan: { zh: "金额（元）", en: "amount (yuan)" },
  endedOn: { zh: "结项日期", en: "ended on" },
  outcome: { zh: "结果", en: "outcome" },
  verified: { zh: "经核实", en: "verified" },
  issuedOn: { zh: "下达日期", en: "issued on" },
  dueOn: { zh: "整改期限", en: "due on" },
  completedOn: { zh: "完成日期", en: "completed on" },
  list: { zh: "名录", en: "list" },
  cause: { zh: "原因", en: "cause" },
  listedOn: { zh: "列入日期", en: "listed on" },
  removedOn: { zh: "移出日期", en: "removed on" },
};

/** Fields an entry gains from asOf, which selectors may test. */
const DERIVED_FIELDS: Record<string, Label> = {
  current: { zh: "当前在列", en: "current" },
  afterLatestAbnormalListing: { zh: "晚于最近一次列入异常名录", en: "after the latest abnormal listing" },
  penaltyAfterListing: { zh: "列入后受到处罚", en: "penalized after listing" },
  overdueAtDue: { zh: "到期未完成整改", en: "not completed by its due date" },
  overdueNow: { zh: "至今未完成整改", en: "still not completed" },
};

type Params = Record<string, unknown> | undefined;
type FactWords = (params: Params, latestDueYear: number) => Label;

const fixed = (zh: string, en: string): FactWords => () => ({ zh, en });

function spanText(span: unknown): Label {
  const s = (span ?? {}) as { years?: number; months?: number };
  const zh = [s.years ? `${s.years}年` : "", s.months ? `${s.months}个月` : ""].join("");
  const en = [s.years ? `${s.years} year${s.years === 1 ? "" : "s"}` : "", s.months ? `${s.months} month${s.months === 1 ? "" : "s"}` : ""].filter(Boolean).join(" ");
  return { zh, en };
}

/** The words of a collection fact with its selector: "penalties within 3 years (kind: warning)". */
function collectionWords(zh: string, en: string): FactWords {
  return (params) => {
    const p = (params ?? {}) as { within?: unknown; atLeastAgo?: unknown; where?: Record<string, unknown>; anyOf?: Array<Record<string, unknown>> };
    const where = (w: Record<string, unknown>, lang: keyof Label) =>
      Object.entries(w)
        .map(([k, v]) => `${(ENTRY_FIELDS[k] ?? DERIVED_FIELDS[k])?.[lang] ?? k} ${matcherText(v, lang)}`)
        .join(lang === "zh" ? "，" : ", ");
    const parts = (lang: keyof Label) =>
      [p.where ? where(p.where, lang) : "", p.anyOf ? p.anyOf.map((w) => where(w, lang)).join(lang === "zh" ? " 或 " : " or ") : ""].filter(Boolean);
    const zhWhen = [p.within ? `近${spanText(p.within).zh}` : "", p.atLeastAgo ? `${spanText(p.atLeastAgo).zh}以前` : ""].join("");
    const enWhen = [p.within ? `within ${spanText(p.within).en}` : "", p.atLeastAgo ? `${spanText(p.atLeastAgo).en} or more ago` : ""].filter(Boolean).join(", ");
    return {
      zh: `${zhWhen}${zh}${parts("zh").length ? `（${parts("zh").join("；")}）` : ""}`,
      en: `${en}${enWhen ? ` ${enWhen}` : ""}${parts("en").length ? ` (${parts("en").join("; ")})` : ""}`,
    };
  };
}

function matcherText(m: unknown, lang: keyof Label): string {
  if (Array.isArray(m)) return m.map((v) => valueWord(v, lang)).join(lang === "zh" ? "或" : " or ");
  if (m !== null && typeof m === "object") {
    const o = m as { lessThan?: number; atLeast?: number; notIn?: unknown[] };
    return [
      o.atLeast !== undefined ? (lang === "zh" ? `不少于${o.atLeast}` : `at least ${o.atLeast}`) : "",
      o.lessThan !== undefined ? (lang === "zh" ? `少于${o.lessThan}` : `under ${o.lessThan}`) : "",
      o.notIn ? (lang === "zh" ? `不是${o.notIn.map((v) => valueWord(v, lang)).join("、")}` : `not ${o.notIn.map((v) => valueWord(v, lang)).join(", ")}`) : "",
    ]
      .filter(Boolean)
      .join(lang === "zh" ? "且" : " and ");
  }
  return valueWord(m, lang);
}

const FACTS: Record<string, FactWords> = {
  type: fixed("组织类型", "organization type"),
  isTradeAssociation: fixed("是否行业协会商会", "trade association"),
  isCharity: fixed("是否慈善组织", "charity"),
  "party.charterClause": fixed("党建入章", "party building in the charter"),
  "party.coverage": fixed("党组织覆盖", "party organization coverage"),
  "party.required": fixed("应建立党组织", "a party organization is required"),
  "party.activity": fixed("党组织活动", "party organization activity"),
  "party.integrityRules": fixed("清廉制度", "integrity rules"),
  "filings.changesOnTime": fixed("变更事项按时备案", "changes filed on time"),
  "filings.electionOnSchedule": fixed("按期换届", "election on schedule"),
  "governance.meetings": fixed("会员（代表）大会和理事会", "general assembly and board meetings"),
  "governance.auditOpinion": fixed("审计意见", "audit opinion"),
  "governance.financeCompliant": fixed("财务合规", "finances compliant"),
  "governance.disclosure": fixed("信息公开", "information disclosure"),
  satisfactionPercent: fixed("满意度（%）", "satisfaction (%)"),
  supervisorRating: fixed("业务主管单位评价", "supervising department's rating"),
  responsiblePersonDisqualified: fixed("负责人失信或受刑事处罚", "responsible person disqualified"),
  courtDefaulter: fixed("本组织为失信被执行人", "the organization is a court judgment defaulter"),
  unreachable: fixed("无法取得联系", "unreachable"),
  dueInspection: (p, year) => {
    const y = year - Number((p as { yearsBack?: number } | undefined)?.yearsBack ?? 0);
    return { zh: `${y}年度年检`, en: `inspection of ${y}` };
  },
  dueInspectionsRequired: (p) => ({ zh: `最近${String(p?.last)}个应检年度中须年检的年数`, en: `years required among the last ${String(p?.last)} due years` }),
  dueInspectionsFiled: (p) => ({ zh: `最近${String(p?.last)}个应检年度中已年检的年数`, en: `years filed among the last ${String(p?.last)} due years` }),
  evaluationGrade: fixed("有效评估等级", "evaluation grade valid on asOf"),
  registeredBefore: (p) => ({ zh: `登记已满${spanText(p?.ago).zh}`, en: `registered more than ${spanText(p?.ago).en} before asOf` }),
  activities: collectionWords("活动", "activities"),
  governmentProjects: collectionWords("政府购买服务项目", "government projects"),
  complaints: collectionWords("投诉", "complaints"),
  penalties: collectionWords("行政处罚", "penalties"),
  rectificationNotices: collectionWords("整改通知", "rectification notices"),
  violations: collectionWords("违规行为", "violations"),
  listings: collectionWords("名录记录", "listings"),
  honours: collectionWords("荣誉", "honours"),
  score: fixed("得分", "score"),
  scoreLevel: fixed("按分数等级", "level by score"),
  grade: fixed("等级", "grade"),
  held: fixed("成立的事项", "what holds"),
};

/**
 * One value of the record in words: an enumerated value's label, yes/no, or the value itself.
 *
 * @param value - a value of the record
 * @param lang - zh or en
 * @returns the words
 */
export function valueWord(value: unknown, lang: keyof Label): string {
  if (value === null || value === undefined) return lang === "zh" ? "无" : "none";
  if (typeof value === "boolean") return lang === "zh" ? (value ? "是" : "否") : value ? "yes" : "no";
  if (typeof value === "string") return VALUES[value]?.[lang] ?? value;
  return String(value);
}

/**
 * One entry of the record (a penalty, a listing…) in words, by its own fields, dates first.
 *
 * @param entry - the entry as the evidence holds it
 * @param lang - zh or en
 * @returns "日期 2022-08-01，类别 警告"
 */
export function entryWords(entry: Record<string, unknown>, lang: keyof Label): string {
  const fields = Object.keys(entry).filter((k) => k in ENTRY_FIELDS && entry[k] !== null);
  const dated = [...fields.filter((k) => typeof entry[k] === "string" && /^\d{4}-\d{2}-\d{2}$/.test(entry[k] as string)), ...fields];
  return [...new Set(dated)].map((k) => `${ENTRY_FIELDS[k]![lang]} ${valueWord(entry[k], lang)}`).join(lang === "zh" ? "，" : ", ");
}

/**
 * A fact with its params in words: "2022年度年检", "penalties within 3 years (kind warning)".
 *
 * @param fact - the fact's name
 * @param params - its params
 * @param latestDueYear - the latest due inspection year on asOf, for inspection facts
 * @param lang - zh or en
 * @returns the words, or the fact's name when it has none
 */
export function factWords(fact: string, params: Params, latestDueYear: number, lang: keyof Label): string {
  return FACTS[fact]?.(params, latestDueYear)[lang] ?? fact;
}
