import { compareStrings } from "../_lib/canonical.js";
import { htmlText, markdownText } from "../_lib/inert.js";
import type { Label, RecordIssue } from "../errors.js";
import type { Result } from "../result/types.js";

/** One row of a results file: a result, or a refused input with its problems (as `score` writes them). */
export type ReportRow =
  | { ok: true; result: Result }
  | { ok: false; index: number | null; source: string | null; organizationId: string | null; error: { code: string; message: string; issues: RecordIssue[] } };

/** Options of the report: the scheme's levels and dimensions, and which list actions and measure to single out. */
export interface ReportOptions {
  title?: Label;
  /** The levels, best first, with labels; the grades found are used (sorted) when omitted. */
  levels?: Array<{ id: string; label: Label }>;
  /** Width of a score-histogram bin, in points. */
  binWidth?: number;
  maxScore?: number;
  /** List-action ids that propose listing, and those that propose removal. */
  toList?: string[];
  toRemove?: string[];
  /** The measure id of the revocation review of dormant (or dishonest-listed) organizations. */
  revocationMeasure?: string;
}

/** The reference scheme's ids (scheme.md); a bureau with other ids passes its own. */
export const REPORT_DEFAULTS = {
  title: { zh: "社会组织信用审计报告", en: "Social organization credit audit" },
  binWidth: 50,
  maxScore: 1000,
  toList: ["propose-abnormal-listing", "propose-dishonest-listing"],
  toRemove: ["abnormal-removal-due", "dishonest-removal-eligible"],
  revocationMeasure: "revocation-review",
} as const;

/** An organization named in a section of the report. */
export interface ReportOrganization {
  organizationId: string;
  name: string;
  grade: string;
  score: number;
  /** What puts it in the section: measure or action ids with labels, and their reasons or causes. */
  items: Array<{ id: string; label: Label; why: string[] }>;
}

/** A bar of a chart: its key, its labels and its value. */
export interface ReportBar {
  key: string;
  label: Label;
  value: number;
  /** For dimension averages: the maximum the value is out of. */
  max?: number;
}

/** Everything the report shows, computed once from the rows. */
export interface ReportData {
  title: Label;
  read: number;
  scored: number;
  refused: number;
  asOfs: string[];
  ruleSets: string[];
  levels: ReportBar[];
  histogram: ReportBar[];
  dimensions: ReportBar[];
  restrictions: ReportBar[];
  listActions: ReportBar[];
  restricted: ReportOrganization[];
  toList: ReportOrganization[];
  toRemove: ReportOrganization[];
  revocation: ReportOrganization[];
  refusedRows: Array<{ index: number | null; source: string | null; organizationId: string | null; problems: Label[] }>;
}

function byGradeThenId(levels: string[]) {
  const rank = (g: string) => (levels.includes(g) ? levels.indexOf(g) : levels.length);
  return (a: ReportOrganization, b: ReportOrganization) => rank(b.grade) - rank(a.grade) || compareStrings(a.organizationId, b.organizationId);
}

/** A running summary: add rows one at a time (a results file is never held whole), then finish. */
export interface ReportAccumulator {
  add(row: ReportRow): void;
  finish(): ReportData;
}

/**
 * Starts a report summary that takes rows one at a time, keeping only counts and the organizations
 * the report names.
 *
 * @param options - levels, bins and the ids the report singles out
 * @returns `{ add, finish }`
 * @example
 * const acc = createReportAccumulator({ levels });
 * for (const row of rows) acc.add(row);
 * const data = acc.finish();
 */
export function createReportAccumulator(options: ReportOptions = {}): ReportAccumulator {
  const binWidth = options.binWidth ?? REPORT_DEFAULTS.binWidth;
  const maxScore = options.maxScore ?? REPORT_DEFAULTS.maxScore;
  const toListIds = new Set(options.toList ?? REPORT_DEFAULTS.toList);
  const toRemoveIds = new Set(options.toRemove ?? REPORT_DEFAULTS.toRemove);
  const revocationId = options.revocationMeasure ?? REPORT_DEFAULTS.revocationMeasure;
  const bins = Math.ceil(maxScore / binWidth);

  let read = 0;
  const gradeCounts = new Map<string, number>();
  const binCounts = new Array<number>(bins).fill(0);
  const dims = new Map<string, { label: Label; max: number; sum: number; n: number }>();
  const restrictionCounts = new Map<string, { label: Label; n: number }>();
  const actionCounts = new Map<string, { label: Label; n: number }>();
  const asOfs = new Set<string>();
  const ruleSets = new Set<string>();
  const restricted: ReportOrganization[] = [];
  const toList: ReportOrganization[] = [];
  const toRemove: ReportOrganization[] = [];
  const revocation: ReportOrganization[] = [];
  const refusedRows: ReportData["refusedRows"] = [];
  const count = <T extends { n: number }>(m: Map<string, T>, id: string, init: () => T) => {
    const x = m.get(id) ?? init();
    x.n++;
    m.set(id, x);
  };

  return {
    add(row) {
      read++;
      if (!row.ok) {
        const problems = row.error.issues.length > 0 ? row.error.issues.map((i) => ({ zh: `${i.path || "(record)"}: ${i.message.zh}`, en: `${i.path || "(record)"}: ${i.message.en}` })) : [{ zh: row.error.message, en: row.error.message }];
        refusedRows.push({ index: row.index, source: row.source, organizationId: row.organizationId, problems });
        return;
      }
      const r = row.result;
      asOfs.add(r.asOf);
      ruleSets.add(`${r.ruleSet.id}@${r.ruleSet.version}`);
      gradeCounts.set(r.grade, (gradeCounts.get(r.grade) ?? 0) + 1);
      binCounts[Math.min(bins - 1, Math.max(0, Math.floor(r.score / binWidth)))]!++;
      for (const d of r.dimensions) {
        const x = dims.get(d.id) ?? { label: d.label, max: d.max, sum: 0, n: 0 };
        x.sum += d.score;
        x.n++;
        dims.set(d.id, x);
      }
      const org = (items: ReportOrganization["items"]): ReportOrganization => ({ organizationId: r.organizationId, name: r.name, grade: r.grade, score: r.score, items });
      const restrictions = r.measures.filter((m) => m.kind === "restriction");
      for (const m of restrictions) count(restrictionCounts, m.id, () => ({ label: m.label, n: 0 }));
      if (restrictions.length > 0) restricted.push(org(restrictions.map((m) => ({ id: m.id, label: m.label, why: m.reasons }))));
      for (const a of r.listActions) count(actionCounts, a.id, () => ({ label: a.label, n: 0 }));
      const listing = r.listActions.filter((a) => toListIds.has(a.id));
      if (listing.length > 0) toList.push(org(listing.map((a) => ({ id: a.id, label: a.label, why: a.causes }))));
      const removal = r.listActions.filter((a) => toRemoveIds.has(a.id));
      if (removal.length > 0) toRemove.push(org(removal.map((a) => ({ id: a.id, label: a.label, why: a.causes }))));
      const review = r.measures.find((m) => m.id === revocationId);
      if (review) revocation.push(org([{ id: review.id, label: review.label, why: review.reasons }]));
    },
    finish() {
      const levelList =
        options.levels ??
        [...gradeCounts.keys()].sort(compareStrings).map((id) => ({ id, label: { zh: id, en: id } }));
      const extra = [...gradeCounts.keys()].filter((g) => !levelList.some((l) => l.id === g)).sort(compareStrings);
      const levels = [...levelList, ...extra.map((id) => ({ id, label: { zh: id, en: id } }))];
      const order = byGradeThenId(levels.map((l) => l.id));
      const sortedBars = (m: Map<string, { label: Label; n: number }>) =>
        [...m.entries()].sort((a, b) => b[1].n - a[1].n || compareStrings(a[0], b[0])).map(([key, x]) => ({ key, label: x.label, value: x.n }));
      const scored = read - refusedRows.length;
      return {
        title: options.title ?? REPORT_DEFAULTS.title,
        read,
        scored,
        refused: refusedRows.length,
        asOfs: [...asOfs].sort(compareStrings),
        ruleSets: [...ruleSets].sort(compareStrings),
        levels: levels.map((l) => ({ key: l.id, label: l.label, value: gradeCounts.get(l.id) ?? 0 })),
        histogram: binCounts.map((n, i) => {
          const from = i * binWidth;
          const to = i === bins - 1 ? maxScore : from + binWidth - 1;
          return { key: String(from), label: { zh: `${from}–${to}`, en: `${from}–${to}` }, value: n };
        }),
        dimensions: [...dims.entries()].map(([key, x]) => ({ key, label: x.label, value: x.n > 0 ? Math.round((x.sum / x.n) * 10) / 10 : 0, max: x.max })),
        restrictions: sortedBars(restrictionCounts),
        listActions: sortedBars(actionCounts),
        restricted: restricted.sort(order),
        toList: toList.sort(order),
        toRemove: toRemove.sort(order),
        revocation: revocation.sort(order),
        refusedRows,
      };
    },
  };
}

/**
 * Summarizes results for the report.
 *
 * @param rows - results and error rows, as `score` writes them
 * @param options - levels, bins and the ids the report singles out
 * @returns the report's data
 * @example
 * const data = summarizeResults(rows, { levels: [{ id: "A", label: { zh: "优秀", en: "excellent" } }] });
 * data.levels; // [{ key: "A", label: {...}, value: 12 }]
 */
export function summarizeResults(rows: Iterable<ReportRow>, options: ReportOptions = {}): ReportData {
  const acc = createReportAccumulator(options);
  for (const row of rows) acc.add(row);
  return acc.finish();
}

const esc = htmlText;
const both = (l: Label) => (l.zh === l.en ? l.en : `${l.zh} ${l.en}`);
const fmt = (n: number) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");

/** The section headings, Chinese then English. */
const HEADINGS = {
  summary: { zh: "概况", en: "Summary" },
  levels: { zh: "等级分布", en: "Level distribution" },
  histogram: { zh: "得分分布", en: "Score histogram" },
  dimensions: { zh: "各维度平均得分", en: "Dimension averages" },
  restrictions: { zh: "限制措施", en: "Restriction measures" },
  restricted: { zh: "受限制的社会组织", en: "Restricted organizations" },
  listActions: { zh: "名录处置建议", en: "Proposed list actions" },
  toList: { zh: "建议列入名录", en: "To list" },
  toRemove: { zh: "建议移出名录", en: "To remove" },
  revocation: { zh: "拟启动撤销登记审查（含“僵尸型”组织）", en: "Revocation review (dormant organizations and dishonest-listed)" },
  refused: { zh: "被拒绝的记录及问题", en: "Refused rows and their problems" },
} as const;

function verticalBars(id: string, title: Label, bars: ReportBar[], shortLabel: (b: ReportBar) => string): string {
  const width = 720;
  const height = 260;
  const top = 20;
  const bottom = 44;
  const left = 40;
  const plot = height - top - bottom;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const slot = (width - left - 10) / Math.max(1, bars.length);
  const barWidth = Math.max(4, slot * 0.7);
  const groups = bars.map((b, i) => {
    const h = (b.value / max) * plot;
    const x = left + i * slot + (slot - barWidth) / 2;
    const y = top + plot - h;
    const cx = x + barWidth / 2;
    return `<g class="bar" data-key="${esc(b.key)}" data-value="${b.value}"><title>${esc(both(b.label))}: ${fmt(b.value)}</title><rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${barWidth.toFixed(1)}" height="${h.toFixed(1)}"/><text class="bar-value" x="${cx.toFixed(1)}" y="${(y - 4).toFixed(1)}" text-anchor="middle">${fmt(b.value)}</text><text class="bar-label" x="${cx.toFixed(1)}" y="${(top + plot + 16).toFixed(1)}" text-anchor="middle">${esc(shortLabel(b))}</text></g>`;
  });
  return `<figure class="chart" data-chart="${id}"><figcaption>${esc(both(title))}</figcaption><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${esc(both(title))}"><line class="axis" x1="${left}" y1="${top + plot}" x2="${width - 10}" y2="${top + plot}"/>${groups.join("")}</svg></figure>`;
}

/** Geometry of the horizontal bar charts: each bar under its full label, values after the bar. */
const HORIZONTAL_CHART = { width: 720, row: 40, valueRoom: 90 } as const;

function horizontalBars(id: string, title: Label, bars: ReportBar[], valueText: (b: ReportBar) => string, scaleMax?: (b: ReportBar) => number): string {
  const { width, row, valueRoom } = HORIZONTAL_CHART;
  const height = Math.max(1, bars.length) * row + 6;
  const plot = width - valueRoom;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const groups = bars.map((b, i) => {
    const share = scaleMax ? b.value / Math.max(1, scaleMax(b)) : b.value / max;
    const w = Math.max(0, share * plot);
    const y = 4 + i * row;
    return `<g class="bar" data-key="${esc(b.key)}" data-value="${b.value}"><title>${esc(both(b.label))}: ${esc(valueText(b))}</title><text class="bar-label" x="0" y="${y + 12}">${esc(both(b.label))}</text><rect x="0" y="${y + 17}" width="${w.toFixed(1)}" height="${row - 22}"/><text class="bar-value" x="${(w + 6).toFixed(1)}" y="${y + 30}">${esc(valueText(b))}</text></g>`;
  });
  const empty = bars.length === 0 ? `<text x="10" y="20">none 无</text>` : "";
  return `<figure class="chart" data-chart="${id}"><figcaption>${esc(both(title))}</figcaption><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${esc(both(title))}">${groups.join("")}${empty}</svg></figure>`;
}

function orgTable(id: string, orgs: ReportOrganization[], whatHeader: Label): string {
  if (orgs.length === 0) return `<p class="none" data-table="${id}">none 无</p>`;
  const rows = orgs.map(
    (o) =>
      `<tr><td class="code">${esc(o.organizationId)}</td><td>${esc(o.name)}</td><td class="grade">${esc(o.grade)}</td><td class="num">${o.score}</td><td>${o.items
        .map((i) => `<span class="tag" title="${esc(i.id)}">${esc(both(i.label))}</span>${i.why.length > 0 ? ` <span class="why">(${esc(i.why.join(", "))})</span>` : ""}`)
        .join("<br>")}</td></tr>`,
  );
  return `<table data-table="${id}"><thead><tr><th>统一社会信用代码 credit code</th><th>名称 name</th><th>等级 grade</th><th>得分 score</th><th>${esc(both(whatHeader))}</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

const STYLE = `body{font-family:"Noto Sans CJK SC","WenQuanYi Zen Hei","Microsoft YaHei","PingFang SC",system-ui,sans-serif;margin:24px auto;max-width:980px;color:#1f2933;padding:0 16px}
h1{font-size:24px;margin-bottom:4px}h2{font-size:19px;margin-top:32px;border-bottom:2px solid #d9e2ec;padding-bottom:4px}h3{font-size:16px}
.meta{color:#52606d;margin:0 0 16px}.cards{display:flex;gap:12px;flex-wrap:wrap}.card{border:1px solid #d9e2ec;border-radius:6px;padding:10px 16px;min-width:140px}
.card b{display:block;font-size:22px}figure.chart{margin:16px 0}figcaption{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
svg rect{fill:#3b82c4}svg .axis{stroke:#9aa5b1}svg text{font-size:12px;fill:#1f2933}svg .bar-value{fill:#52606d}
table{border-collapse:collapse;width:100%;font-size:13px;margin:8px 0}th,td{border:1px solid #d9e2ec;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#f0f4f8}td.num{text-align:right}td.code{font-family:ui-monospace,monospace}.why{color:#52606d}.none{color:#52606d}`;

/**
 * The audit report as one self-contained HTML page: inline CSS and SVG charts, no script and no
 * network, every label in Chinese and English.
 *
 * @param data - from `summarizeResults`
 * @returns the HTML document
 * @example
 * writeFileSync("report.html", renderReportHtml(summarizeResults(rows, { levels })));
 */
export function renderReportHtml(data: ReportData): string {
  const h2 = (l: Label, id: string) => `<h2 id="${id}">${esc(both(l))}</h2>`;
  const card = (l: Label, v: string) => `<div class="card">${esc(both(l))}<b>${esc(v)}</b></div>`;
  const refused = data.refusedRows.length === 0
    ? `<p class="none" data-table="refused">none 无</p>`
    : `<table data-table="refused"><thead><tr><th>序号 row</th><th>来源 source</th><th>统一社会信用代码 credit code</th><th>问题 problems</th></tr></thead><tbody>${data.refusedRows
        .map((r) => `<tr><td class="num">${r.index ?? ""}</td><td>${esc(r.source ?? "")}</td><td class="code">${esc(r.organizationId ?? "")}</td><td>${r.problems.map((p) => `${esc(p.en)}<br><span class="why">${esc(p.zh)}</span>`).join("<br>")}</td></tr>`)
        .join("")}</tbody></table>`;
  return `<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(both(data.title))}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${esc(both(data.title))}</h1>
<p class="meta">评价日 asOf: ${esc(data.asOfs.join(", ") || "—")} · 规则集 rule set: ${esc(data.ruleSets.join(", ") || "—")}</p>
${h2(HEADINGS.summary, "summary")}
<div class="cards">${card({ zh: "读取", en: "read" }, fmt(data.read))}${card({ zh: "已评分", en: "scored" }, fmt(data.scored))}${card({ zh: "被拒绝", en: "refused" }, fmt(data.refused))}${card({ zh: "受限制", en: "restricted" }, fmt(data.restricted.length))}${card({ zh: "撤销审查", en: "revocation review" }, fmt(data.revocation.length))}</div>
${h2(HEADINGS.levels, "levels")}
${verticalBars("levels", HEADINGS.levels, data.levels, (b) => (b.label.zh === b.key ? b.key : `${b.key} ${b.label.zh}`))}
${h2(HEADINGS.histogram, "histogram")}
${verticalBars("histogram", HEADINGS.histogram, data.histogram, (b) => b.key)}
${h2(HEADINGS.dimensions, "dimensions")}
${horizontalBars("dimensions", HEADINGS.dimensions, data.dimensions, (b) => `${b.value} / ${b.max}`, (b) => b.max ?? 1)}
${h2(HEADINGS.restricted, "restricted")}
${horizontalBars("restrictions", HEADINGS.restrictions, data.restrictions, (b) => fmt(b.value))}
${orgTable("restricted", data.restricted, { zh: "限制措施（原因）", en: "restrictions (reasons)" })}
${h2(HEADINGS.listActions, "list-actions")}
${horizontalBars("list-actions", HEADINGS.listActions, data.listActions, (b) => fmt(b.value))}
<h3>${esc(both(HEADINGS.toList))}</h3>
${orgTable("to-list", data.toList, { zh: "处置（原因）", en: "action (causes)" })}
<h3>${esc(both(HEADINGS.toRemove))}</h3>
${orgTable("to-remove", data.toRemove, { zh: "处置（条件）", en: "action (condition)" })}
${h2(HEADINGS.revocation, "revocation")}
${orgTable("revocation", data.revocation, { zh: "措施（原因）", en: "measure (reasons)" })}
${h2(HEADINGS.refused, "refused")}
${refused}
</body>
</html>
`;
}

// Every text read from the results or the rule files is Markdown-escaped (markdownText): no HTML, link,
// heading or table cell can come out of a name, an id, a source or a message. The report's own headings
// and the numbers are written as they are.
const md = markdownText;

function mdBars(bars: ReportBar[], valueText: (b: ReportBar) => string, share: (b: ReportBar) => number): string {
  if (bars.length === 0) return "none 无\n";
  const rows = bars.map((b) => `| ${md(both(b.label))} | ${md(valueText(b))} | ${"█".repeat(Math.round(share(b) * 30))} |`);
  return `| | | |\n|---|---:|---|\n${rows.join("\n")}\n`;
}

function mdOrgs(orgs: ReportOrganization[], whatHeader: Label): string {
  if (orgs.length === 0) return "none 无\n";
  const rows = orgs.map(
    (o) =>
      `| ${md(o.organizationId)} | ${md(o.name)} | ${md(o.grade)} | ${o.score} | ${o.items.map((i) => md(`${both(i.label)}${i.why.length > 0 ? ` (${i.why.join(", ")})` : ""}`)).join("; ")} |`,
  );
  return `| 统一社会信用代码 credit code | 名称 name | 等级 grade | 得分 score | ${both(whatHeader)} |\n|---|---|---|---:|---|\n${rows.join("\n")}\n`;
}

/**
 * The Markdown twin of the HTML report: the same sections, charts drawn as text bars. Every text that
 * comes from the results or the rules is escaped: it shows as the same characters and never as HTML,
 * a link, a heading or another table cell.
 *
 * @param data - from `summarizeResults`
 * @returns the Markdown document
 * @example
 * writeFileSync("report.md", renderReportMarkdown(data));
 */
export function renderReportMarkdown(data: ReportData): string {
  const maxOf = (bars: ReportBar[]) => Math.max(1, ...bars.map((b) => b.value));
  const share = (bars: ReportBar[]) => (b: ReportBar) => b.value / maxOf(bars);
  const h = (l: Label) => `## ${both(l)}\n\n`;
  const refused =
    data.refusedRows.length === 0
      ? "none 无\n"
      : `| 序号 row | 来源 source | 统一社会信用代码 credit code | 问题 problems |\n|---:|---|---|---|\n${data.refusedRows
          .map((r) => `| ${r.index ?? ""} | ${md(r.source ?? "")} | ${md(r.organizationId ?? "")} | ${r.problems.map((p) => md(p.en)).join("; ")} |`)
          .join("\n")}\n`;
  return [
    `# ${md(both(data.title))}\n\n评价日 asOf: ${md(data.asOfs.join(", ")) || "—"} · 规则集 rule set: ${md(data.ruleSets.join(", ")) || "—"}\n\n`,
    h(HEADINGS.summary),
    `- 读取 read: ${fmt(data.read)}\n- 已评分 scored: ${fmt(data.scored)}\n- 被拒绝 refused: ${fmt(data.refused)}\n- 受限制 restricted: ${fmt(data.restricted.length)}\n- 撤销审查 revocation review: ${fmt(data.revocation.length)}\n\n`,
    h(HEADINGS.levels),
    mdBars(data.levels.map((b) => ({ ...b, label: b.label.zh === b.key ? b.label : { zh: `${b.key} ${b.label.zh}`, en: b.label.en } })), (b) => fmt(b.value), share(data.levels)),
    "\n",
    h(HEADINGS.histogram),
    mdBars(data.histogram, (b) => fmt(b.value), share(data.histogram)),
    "\n",
    h(HEADINGS.dimensions),
    mdBars(data.dimensions, (b) => `${b.value} / ${b.max}`, (b) => b.value / Math.max(1, b.max ?? 1)),
    "\n",
    h(HEADINGS.restricted),
    mdBars(data.restrictions, (b) => fmt(b.value), share(data.restrictions)),
    "\n",
    mdOrgs(data.restricted, { zh: "限制措施（原因）", en: "restrictions (reasons)" }),
    "\n",
    h(HEADINGS.listActions),
    mdBars(data.listActions, (b) => fmt(b.value), share(data.listActions)),
    `\n### ${both(HEADINGS.toList)}\n\n`,
    mdOrgs(data.toList, { zh: "处置（原因）", en: "action (causes)" }),
    `\n### ${both(HEADINGS.toRemove)}\n\n`,
    mdOrgs(data.toRemove, { zh: "处置（条件）", en: "action (condition)" }),
    "\n",
    h(HEADINGS.revocation),
    mdOrgs(data.revocation, { zh: "措施（原因）", en: "measure (reasons)" }),
    "\n",
    h(HEADINGS.refused),
    refused,
  ].join("");
}

/**
 * Builds the audit report, HTML and Markdown, from results: pure, results in and strings out.
 *
 * @param rows - results and error rows
 * @param options - levels, bins and the ids the report singles out
 * @returns `{ html, markdown, data }`
 * @example
 * const { html, markdown } = buildReport(rows, { levels: ruleSet.manifest.levels });
 */
export function buildReport(rows: Iterable<ReportRow>, options: ReportOptions = {}): { html: string; markdown: string; data: ReportData } {
  const data = summarizeResults(rows, options);
  return { html: renderReportHtml(data), markdown: renderReportMarkdown(data), data };
}
