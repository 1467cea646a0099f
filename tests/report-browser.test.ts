import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generatePopulation } from "../src/audit/generate.js";
import { buildReport, type ReportRow } from "../src/audit/report.js";
import { createEvaluator, referenceRuleSet, type Result } from "../src/index.js";
import { invalidFixtures, organizationFixtures } from "./_lib/fixtures.js";

// Debian's chromium (scripts/test-tools.sh installs it before npm test); the test never downloads a browser.
const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const SCREENSHOT = join(import.meta.dirname, "..", "test-output", "report.png");

const LEVELS = [
  { id: "A", zh: "优秀" },
  { id: "B", zh: "良好" },
  { id: "C", zh: "一般" },
  { id: "D", zh: "较差" },
  { id: "E", zh: "差" },
];
const TO_LIST = ["propose-abnormal-listing", "propose-dishonest-listing"];

interface DrawnBar {
  key: string;
  value: number;
  label: string;
  valueText: string;
  height: number;
  width: number;
}

let tmp: string;
let context: BrowserContext;
let results: Result[];
let rows: ReportRow[];
const consoleErrors: string[] = [];
const requests: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: npm test installs it first: scripts/test-tools.sh`);
  const evaluator = createEvaluator();
  results = [];
  for (const f of organizationFixtures()) results.push(await evaluator.evaluate(f.record, { asOf: f.asOf }));
  for (const r of generatePopulation({ count: 300, seed: 7, asOf: "2023-05-31" })) results.push(await evaluator.evaluate(r, { asOf: "2023-05-31" }));
  const refused = await evaluator.evaluateMany(
    invalidFixtures().slice(0, 3).map((f) => f.record),
    { asOf: "2023-05-31" },
  );
  rows = [
    ...results.map((result): ReportRow => ({ ok: true, result })),
    ...refused.map((r, i): ReportRow => {
      if (r.ok) throw new Error("an invalid fixture was scored");
      return { ok: false, index: results.length + i, source: `invalid#${i}`, organizationId: r.organizationId, error: r.error };
    }),
  ];

  tmp = mkdtempSync(join(tmpdir(), "social-org-credit-report-"));
  const { html } = buildReport(rows, { levels: referenceRuleSet.manifest.levels.map((l) => ({ id: l.id, label: l.label })) });
  const page = join(tmp, "report.html");
  writeFileSync(page, html);

  context = await chromium.launchPersistentContext(join(tmp, "profile"), { executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, viewport: { width: 1100, height: 2000 } });
  const tab = context.pages()[0] ?? (await context.newPage());
  tab.on("console", (m) => {
    if (m.type() === "error") consoleErrors.push(m.text());
  });
  tab.on("pageerror", (e) => consoleErrors.push(e.message));
  tab.on("request", (r) => requests.push(r.url()));
  await tab.goto(pathToFileURL(page).href, { waitUntil: "load" });
}, 60_000);

afterAll(async () => {
  await context?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const tab = () => context.pages()[0]!;

async function barsOf(chart: string): Promise<DrawnBar[]> {
  return tab().$$eval(`figure[data-chart="${chart}"] g.bar`, (groups) =>
    groups.map((g) => {
      const box = (g.querySelector("rect") as SVGRectElement).getBBox();
      return {
        key: g.getAttribute("data-key") ?? "",
        value: Number(g.getAttribute("data-value")),
        label: g.querySelector(".bar-label")?.textContent ?? "",
        valueText: g.querySelector(".bar-value")?.textContent ?? "",
        height: box.height,
        width: box.width,
      };
    }),
  );
}

/** Drawn lengths follow the values: zero for zero, the longest bar for the largest value. */
function expectProportional(bars: DrawnBar[], length: (b: DrawnBar) => number) {
  const max = Math.max(...bars.map((b) => b.value));
  const longest = Math.max(...bars.map(length));
  for (const b of bars) expect(length(b), b.key).toBeCloseTo((b.value / max) * longest, 0);
}

function tally(keys: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
  return m;
}

describe("the HTML audit report in Chromium", () => {
  it("draws one bar per level with the count of organizations at that grade, labelled in Chinese", async () => {
    const counts = tally(results.map((r) => r.grade));
    const bars = await barsOf("levels");
    expect(bars.map((b) => b.key)).toEqual(LEVELS.map((l) => l.id));
    expect(bars.map((b) => b.value)).toEqual(LEVELS.map((l) => counts.get(l.id) ?? 0));
    expect(bars.map((b) => b.label)).toEqual(LEVELS.map((l) => `${l.id} ${l.zh}`));
    expect(bars.map((b) => b.valueText.replace(/,/g, ""))).toEqual(bars.map((b) => String(b.value)));
    expectProportional(bars, (b) => b.height);
  });

  it("draws a score histogram of 20 bins of 50 points that adds up to the scored organizations", async () => {
    const bins = new Array<number>(20).fill(0);
    for (const r of results) bins[Math.min(19, Math.floor(r.score / 50))]!++;
    const bars = await barsOf("histogram");
    expect(bars.map((b) => b.key)).toEqual(bins.map((_, i) => String(i * 50)));
    expect(bars.map((b) => b.value)).toEqual(bins);
    expect(bars.reduce((s, b) => s + b.value, 0)).toBe(results.length);
    expectProportional(bars, (b) => b.height);
  });

  it("draws the six dimension averages, each as a share of its maximum", async () => {
    const bars = await barsOf("dimensions");
    const dims = referenceRuleSet.manifest.dimensions;
    expect(bars.map((b) => b.key)).toEqual(dims.map((d) => d.id));
    for (const [i, d] of dims.entries()) {
      const scores = results.map((r) => r.dimensions.find((x) => x.id === d.id)!.score);
      const average = Math.round((scores.reduce((s, x) => s + x, 0) / scores.length) * 10) / 10;
      expect(bars[i]!.value, d.id).toBe(average);
      expect(bars[i]!.label).toBe(`${d.label.zh} ${d.label.en}`);
      expect(bars[i]!.valueText).toBe(`${average} / ${d.max}`);
    }
    // The chart is 720 wide and keeps 90 for the value text after the longest possible bar.
    const full = 720 - 90;
    for (const [i, d] of dims.entries()) expect(bars[i]!.width).toBeCloseTo((bars[i]!.value / d.max) * full, 0);
  });

  it("draws the restriction measures and the list actions with their counts, and lists the organizations", async () => {
    const restrictions = tally(results.flatMap((r) => r.measures.filter((m) => m.kind === "restriction").map((m) => m.id)));
    const restrictionBars = await barsOf("restrictions");
    expect(new Map(restrictionBars.map((b) => [b.key, b.value]))).toEqual(restrictions);
    expectProportional(restrictionBars, (b) => b.width);

    const actions = tally(results.flatMap((r) => r.listActions.map((a) => a.id)));
    const actionBars = await barsOf("list-actions");
    expect(new Map(actionBars.map((b) => [b.key, b.value]))).toEqual(actions);
    expect(actionBars.find((b) => b.key === "propose-abnormal-listing")!.label).toBe("建议列入活动异常名录 propose listing on the abnormal-activity list");

    const rowsOf = (table: string) => tab().$$eval(`table[data-table="${table}"] tbody tr`, (trs) => trs.length);
    expect(await rowsOf("restricted")).toBe(results.filter((r) => r.measures.some((m) => m.kind === "restriction")).length);
    expect(await rowsOf("to-list")).toBe(results.filter((r) => r.listActions.some((a) => TO_LIST.includes(a.id))).length);
    expect(await rowsOf("revocation")).toBe(results.filter((r) => r.measures.some((m) => m.id === "revocation-review")).length);
    expect(await rowsOf("refused")).toBe(rows.filter((r) => !r.ok).length);
  });

  it("renders with no console error and no request beyond the page itself, and saves a screenshot", async () => {
    expect(consoleErrors).toEqual([]);
    expect(requests.filter((u) => !u.startsWith("file://"))).toEqual([]);
    expect(requests).toHaveLength(1);
    mkdirSync(join(SCREENSHOT, ".."), { recursive: true });
    await tab().screenshot({ path: SCREENSHOT, fullPage: false });
    expect(existsSync(SCREENSHOT)).toBe(true);
  });
});
