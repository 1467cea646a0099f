import type { RecordIssue } from "../errors.js";
import type { Result } from "../result/types.js";

/** One output row: a result, or why the input at that position was refused. */
export type OutputRow =
  | { ok: true; index: number; source: string; result: Result }
  | { ok: false; index: number; source: string; organizationId: string | null; error: { code: string; message: string; issues: RecordIssue[] } };

function errorObject(row: Extract<OutputRow, { ok: false }>) {
  return { row: row.index, source: row.source, organizationId: row.organizationId, error: row.error };
}

/** A JSON array: each result as is, each refused row as `{ row, source, organizationId, error }`. */
export function formatJson(rows: OutputRow[]): string {
  return `[\n${rows.map((r) => JSON.stringify(r.ok ? r.result : errorObject(r))).join(",\n")}\n]\n`;
}

/** One JSON line per row, the same objects as `formatJson`. */
export function formatNdjson(rows: OutputRow[]): string {
  return rows.map((r) => `${JSON.stringify(r.ok ? r.result : errorObject(r))}\n`).join("");
}

function csvCell(value: unknown): string {
  const text = value === null || value === undefined ? "" : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** CSV columns: one line per row, results and refused rows alike. */
export function formatCsv(rows: OutputRow[]): string {
  const dims = rows.find((r) => r.ok)?.ok ? (rows.find((r) => r.ok) as { result: Result }).result.dimensions.map((d) => d.id) : [];
  const header = [
    "row", "source", "organizationId", "name", "asOf", "status", "score", "scoreLevel", "grade", "seriouslyDishonest",
    ...dims.map((d) => `dimension_${d}`), "baseScore", "deductionTotal", "bonusTotal", "caps", "vetoes", "gateHeld",
    "measures", "listActions", "nextLevel", "pointsNeeded", "blockedBy", "digest", "errors",
  ];
  const lines = rows.map((r) => {
    if (!r.ok) {
      const cells = [r.index, r.source, r.organizationId, "", "", "refused", ...Array(header.length - 7).fill(""), r.error.issues.map((i) => `${i.path || "(record)"}: ${i.message.en}`).join("; ") || r.error.message];
      return cells.map(csvCell).join(",");
    }
    const x = r.result;
    return [
      r.index, r.source, x.organizationId, x.name, x.asOf, "scored", x.score, x.scoreLevel, x.grade, x.seriouslyDishonest,
      ...dims.map((d) => x.dimensions.find((y) => y.id === d)?.score ?? ""), x.baseScore, x.deductionTotal, x.bonusTotal,
      x.caps.map((c) => c.id).join(" "), x.vetoes.map((v) => v.id).join(" "), x.gate.held, x.measures.map((m) => m.id).join(" "),
      x.listActions.map((a) => `${a.id}(${a.causes.join(" ")})`).join(" "), x.nextLevel?.level ?? "", x.nextLevel?.pointsNeeded ?? "",
      x.nextLevel?.blockedBy.join(" ") ?? "", x.digest, "",
    ].map(csvCell).join(",");
  });
  return `${[header.join(","), ...lines].join("\n")}\n`;
}

// Terminal columns a character takes: East Asian wide and fullwidth characters take two.
function charWidth(code: number): number {
  if (code < 0x1100) return 1;
  const wide =
    (code <= 0x115f) ||
    (code >= 0x2e80 && code <= 0x303e) ||
    (code >= 0x3041 && code <= 0x33ff) ||
    (code >= 0x3400 && code <= 0x4dbf) ||
    (code >= 0x4e00 && code <= 0x9fff) ||
    (code >= 0xa000 && code <= 0xa4cf) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe4f) ||
    (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6) ||
    (code >= 0x20000 && code <= 0x3fffd);
  return wide ? 2 : 1;
}

/** The number of terminal columns a string takes. */
export function displayWidth(text: string): number {
  let w = 0;
  for (const ch of text) w += charWidth(ch.codePointAt(0)!);
  return w;
}

function fit(text: string, width: number): string {
  let out = "";
  let w = 0;
  for (const ch of text) {
    const cw = charWidth(ch.codePointAt(0)!);
    if (w + cw > width - (displayWidth(text) > width ? 1 : 0)) {
      out += "…";
      w += 1;
      break;
    }
    out += ch;
    w += cw;
  }
  return out + " ".repeat(Math.max(0, width - w));
}

/** A table for a terminal: one line per row, names in Chinese aligned, with a closing summary. */
export function formatTable(rows: OutputRow[]): string {
  const cols: Array<{ title: string; width: number; right?: boolean }> = [
    { title: "#", width: 4, right: true },
    { title: "代码 credit code", width: 18 },
    { title: "名称 name", width: 20 },
    { title: "asOf", width: 10 },
    { title: "score", width: 5, right: true },
    { title: "lvl", width: 3 },
    { title: "grade", width: 5 },
    { title: "封顶/否决 caps/vetoes", width: 24 },
    { title: "名录处置 list actions", width: 44 },
  ];
  const cell = (text: string, c: (typeof cols)[number]) =>
    c.right ? " ".repeat(Math.max(0, c.width - displayWidth(text))) + text : fit(text, c.width);
  const line = (cells: string[]) => cells.map((t, i) => cell(t, cols[i]!)).join("  ").trimEnd();
  const out = [line(cols.map((c) => c.title)), cols.map((c) => "-".repeat(c.width)).join("  ")];
  const abbreviations: Record<string, string> = {
    "propose-abnormal-listing": "+abnormal",
    "abnormal-removal-due": "-abnormal",
    "propose-dishonest-listing": "+dishonest",
    "dishonest-removal-eligible": "-dishonest",
  };
  for (const r of rows) {
    if (!r.ok) {
      const first = r.error.issues[0];
      const more = r.error.issues.length > 1 ? ` (+${r.error.issues.length - 1})` : "";
      out.push(`${line([String(r.index), r.organizationId ?? "?", "REFUSED 拒绝", "", "", "", ""])}  ${first ? `${first.path || "(record)"}: ${first.message.en}` : r.error.message}${more}`);
      continue;
    }
    const x = r.result;
    const limits = [...x.caps.map((c) => `${c.id}→${c.atBest}`), ...x.vetoes.map((v) => v.id), ...(x.gate.held ? [] : ["no-gate"])].join(" ");
    const actions = x.listActions.map((a) => `${abbreviations[a.id] ?? a.id}(${a.causes.map((c) => c.split(/[_-]/)[0]).join(",")})`).join(" ");
    out.push(line([String(r.index), x.organizationId, x.name, x.asOf, String(x.score), x.scoreLevel, x.grade + (x.seriouslyDishonest ? "!" : ""), limits, actions]));
  }
  const scored = rows.filter((r) => r.ok) as Array<Extract<OutputRow, { ok: true }>>;
  const byGrade = new Map<string, number>();
  for (const r of scored) byGrade.set(r.result.grade, (byGrade.get(r.result.grade) ?? 0) + 1);
  const dist = [...byGrade.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([g, n]) => `${g} ${n}`).join(", ");
  out.push("");
  out.push(`read ${rows.length}, scored ${scored.length}, refused ${rows.length - scored.length}; grades 等级: ${dist || "none"}.`);
  out.push(`"!" veto, seriously dishonest 严重失信; K→X cap at level X; +abnormal/+dishonest propose listing 建议列入 (causes); -abnormal/-dishonest removal due 应移出.`);
  return `${out.join("\n")}\n`;
}
