import { csvField, terminalText } from "../_lib/inert.js";
import type { OutputRow } from "./output.js";

const CSV_HEAD = ["row", "source", "organizationId", "name", "asOf", "status", "score", "scoreLevel", "grade", "seriouslyDishonest"];
const CSV_TAIL = ["baseScore", "deductionTotal", "bonusTotal", "caps", "vetoes", "gateHeld", "measures", "listActions", "nextLevel", "pointsNeeded", "blockedBy", "digest", "errors"];

/** The CSV header: fixed columns, one per dimension, then the rest. */
export function csvHeader(dims: string[]): string {
  return [...CSV_HEAD, ...dims.map((d) => `dimension_${d}`), ...CSV_TAIL].join(",");
}

/**
 * One CSV line, for a result or a refused row alike. Every text field goes through `csvField`: one that
 * a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, tab, CR first) gets a leading apostrophe.
 */
export function csvLine(r: OutputRow, dims: string[]): string {
  if (!r.ok) {
    const blanks = CSV_HEAD.length - 6 + dims.length + CSV_TAIL.length - 1;
    const errors = r.error.issues.map((i) => `${i.path || "(record)"}: ${i.message.en}`).join("; ") || r.error.message;
    return [r.index, r.source, r.organizationId, "", "", "refused", ...Array(blanks).fill(""), errors].map(csvField).join(",");
  }
  const x = r.result;
  return [
    r.index, r.source, x.organizationId, x.name, x.asOf, "scored", x.score, x.scoreLevel, x.grade, x.seriouslyDishonest,
    ...dims.map((d) => x.dimensions.find((y) => y.id === d)?.score ?? ""), x.baseScore, x.deductionTotal, x.bonusTotal,
    x.caps.map((c) => c.id).join(" "), x.vetoes.map((v) => v.id).join(" "), x.gate.held, x.measures.map((m) => m.id).join(" "),
    x.listActions.map((a) => `${a.id}(${a.causes.join(" ")})`).join(" "), x.nextLevel?.level ?? "", x.nextLevel?.pointsNeeded ?? "",
    x.nextLevel?.blockedBy.join(" ") ?? "", x.digest, "",
  ].map(csvField).join(",");
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

const COLUMNS: Array<{ title: string; width: number; right?: boolean }> = [
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

const ACTION_MARKS: Record<string, string> = {
  "propose-abnormal-listing": "+abnormal",
  "abnormal-removal-due": "-abnormal",
  "propose-dishonest-listing": "+dishonest",
  "dishonest-removal-eligible": "-dishonest",
};

function tableCells(cells: string[]): string {
  return cells
    .map((t, i) => {
      const c = COLUMNS[i]!;
      return c.right ? " ".repeat(Math.max(0, c.width - displayWidth(t))) + t : fit(t, c.width);
    })
    .join("  ")
    .trimEnd();
}

/** The table's two header lines. */
export function tableHeader(): string {
  return `${tableCells(COLUMNS.map((c) => c.title))}\n${COLUMNS.map((c) => "-".repeat(c.width)).join("  ")}`;
}

/**
 * One table line: a result, or a refused row with its first problem. Every cell and the problem text
 * have their control characters shown escaped (`terminalText`) before their width is measured, so a
 * name can neither move the cursor nor break the columns.
 */
export function tableLine(r: OutputRow): string {
  if (!r.ok) {
    const first = r.error.issues[0];
    const more = r.error.issues.length > 1 ? ` (+${r.error.issues.length - 1})` : "";
    const problem = first ? `${first.path || "(record)"}: ${first.message.en}` : r.error.message;
    return `${tableCells([String(r.index), r.organizationId ?? "?", "REFUSED 拒绝", "", "", "", ""].map(terminalText))}  ${terminalText(problem)}${more}`;
  }
  const x = r.result;
  const limits = [...x.caps.map((c) => `${c.id}→${c.atBest}`), ...x.vetoes.map((v) => v.id), ...(x.gate.held ? [] : ["no-gate"])].join(" ");
  const actions = x.listActions.map((a) => `${ACTION_MARKS[a.id] ?? a.id}(${a.causes.map((c) => c.split(/[_-]/)[0]).join(",")})`).join(" ");
  return tableCells([String(r.index), x.organizationId, x.name, x.asOf, String(x.score), x.scoreLevel, x.grade + (x.seriouslyDishonest ? "!" : ""), limits, actions].map(terminalText));
}

/** The closing lines: counts, the grade distribution and a legend. */
export function tableSummary(counts: { read: number; scored: number; grades: Map<string, number> }): string {
  const dist = [...counts.grades.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([g, n]) => `${terminalText(g)} ${n}`).join(", ");
  return `\nread ${counts.read}, scored ${counts.scored}, refused ${counts.read - counts.scored}; grades 等级: ${dist || "none"}.\n"!" veto, seriously dishonest 严重失信; K→X cap at level X; +abnormal/+dishonest propose listing 建议列入 (causes); -abnormal/-dishonest removal due 应移出.\n`;
}
