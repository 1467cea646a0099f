/**
 * `npm run bench`: the reference path (json-rules-engine) against the compiled evaluator and a
 * hand-written floor, on one generated population, side by side in one process; then a
 * 1,000,000-organization end-to-end run of the built CLI (generate → score → NDJSON on disk).
 *
 *   npm run bench                       # 2,000 organizations x 7 rounds, then 1,000,000 end to end
 *   npm run bench -- --orgs 1000 --rounds 5 --e2e 100000
 *   npm run bench -- --e2e 0            # skip the end-to-end run
 *
 * Every figure is the median of the rounds; engines alternate within each round.
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { generatePopulation } from "../src/audit/generate.js";
import { createCompiledEvaluator } from "../src/engine/compiled-engine.js";
import { createReferenceEvaluator } from "../src/engine/reference-engine.js";
import { createEvaluator, resultOf } from "../src/evaluate.js";
import { createFactContext, type FactContext } from "../src/facts/context.js";
import { safeParseOrganizationRecord } from "../src/record/parse.js";
import { organizationRecordSchema } from "../src/record/schema.js";
import type { OrganizationRecord } from "../src/record/schema.js";
import { assembleOutcome, assembleScoring } from "../src/result/assemble.js";
import { referenceRuleSet } from "../src/rule-set/reference.js";
import { JsonBytes, ruleSetConstants, writeResultJson } from "../src/result/serialize.js";
import { handWrittenScore } from "./hand-written-score.js";

const ROOT = join(import.meta.dirname, "..");
const { values } = parseArgs({
  options: {
    orgs: { type: "string", default: "2000" },
    rounds: { type: "string", default: "7" },
    e2e: { type: "string", default: "1000000" },
    "as-of": { type: "string", default: "2023-05-31" },
    seed: { type: "string", default: "2023" },
  },
});
const ORGS = Number(values.orgs);
const ROUNDS = Number(values.rounds);
const E2E = Number(values.e2e);
const asOf = values["as-of"]!;
const ruleSet = referenceRuleSet;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** Runs each variant once per round, in turn, over the whole population; µs per organization, median of rounds. */
async function race(variants: Record<string, () => unknown>, rounds = ROUNDS): Promise<Record<string, number>> {
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  for (let r = 0; r < rounds + 1; r++) {
    for (const [name, run] of Object.entries(variants)) {
      const t0 = performance.now();
      const pending = run();
      if (pending instanceof Promise) await pending;
      // Round 0 warms the JIT up and is not counted.
      if (r > 0) times[name]!.push(((performance.now() - t0) * 1000) / ORGS);
    }
  }
  return Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
}

const us = (x: number) => `${x < 10 ? x.toFixed(2) : x.toFixed(1)} µs`;
const perSecond = (x: number) => `${Math.round(1e6 / x).toLocaleString("en-US")}/s`;
const ratio = (a: number, b: number) => `${(a / b).toFixed(a / b < 10 ? 1 : 0)}×`;
const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;
const cpu = (seconds: number, count: number) => (seconds > 0 ? `${seconds.toFixed(1)} s (${us((seconds * 1e6) / count)})` : "n/a");
function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("   ")).join("\n");
}

// ---------------------------------------------------------------------------------------------------
console.log(`social-org-credit benchmark — Node ${process.version}, ${ORGS} generated organizations (seed ${values.seed}, asOf ${asOf}), median of ${ROUNDS} rounds`);
console.log(`machine: ${availableParallelism()} cores, load average ${loadavg().map((x) => x.toFixed(1)).join(" ")} at the start`);
const raw = [...generatePopulation({ count: ORGS, seed: Number(values.seed), asOf })];
const records: OrganizationRecord[] = raw.map((r) => {
  const parsed = safeParseOrganizationRecord(r, { asOf });
  if (!parsed.success) throw parsed.error;
  return parsed.data;
});
const reference = createReferenceEvaluator(ruleSet);
const compiled = createCompiledEvaluator(ruleSet);

// Warm contexts: every fact the rules consult already computed, and the scoring outcome known.
const warm: FactContext[] = records.map((record) => {
  const ctx = createFactContext(record, asOf);
  const scoring = assembleScoring(ruleSet, ctx, compiled.runSync("scoring", ctx));
  ctx.outcome = scoring.outcome;
  assembleOutcome(ruleSet, compiled.runSync("outcome", ctx));
  return ctx;
});
const referenceEvaluator = createEvaluator(ruleSet, { engine: "reference" });
const compiledEvaluator = createEvaluator(ruleSet, { engine: "compiled" });

// The three agree before anything is timed.
let handMismatches = 0;
let resultMismatches = 0;
for (const [i, ctx] of warm.entries()) {
  const result = compiledEvaluator.evaluateSync(raw[i], { asOf });
  if (handWrittenScore(ctx) !== result.score) handMismatches++;
  if (JSON.stringify(await referenceEvaluator.evaluate(raw[i], { asOf })) !== JSON.stringify(result)) resultMismatches++;
}
console.log(`agreement: reference vs compiled results differ on ${resultMismatches} of ${ORGS}; hand-written score differs on ${handMismatches}`);

// ---------------------------------------------------------------------------------------------------
const rules = await race({
  reference: async () => {
    for (const ctx of warm) {
      await reference.run("scoring", ctx);
      await reference.run("outcome", ctx);
    }
  },
  compiled: () => {
    for (const ctx of warm) {
      compiled.runSync("scoring", ctx);
      compiled.runSync("outcome", ctx);
    }
  },
  compiledScoring: () => {
    for (const ctx of warm) compiled.runSync("scoring", ctx);
  },
  handWritten: () => {
    let sum = 0;
    for (const ctx of warm) sum += handWrittenScore(ctx);
    return sum;
  },
});
console.log(`\nRule stage — derived facts in (memoized on the context), fired checks out; ${ruleSet.rules.length} rules, both stages`);
console.log(
  table([
    ["", "per organization", "organizations/s", "vs reference"],
    ["reference (json-rules-engine 7, one reused Engine per stage)", us(rules.reference!), perSecond(rules.reference!), "1×"],
    ["compiled (closures)", us(rules.compiled!), perSecond(rules.compiled!), ratio(rules.reference!, rules.compiled!)],
    ["  compiled, scoring stage only", us(rules.compiledScoring!), perSecond(rules.compiledScoring!), ratio(rules.reference!, rules.compiledScoring!)],
    ["hand-written floor (score only)", us(rules.handWritten!), perSecond(rules.handWritten!), ratio(rules.reference!, rules.handWritten!)],
  ]),
);
console.log(
  `compiled vs json-rules-engine: ${ratio(rules.reference!, rules.compiled!)} faster (target ≥ 100×); compiled vs hand-written: ${ratio(rules.compiled!, rules.handWritten!)} slower (target ≤ 10×)`,
);

// ---------------------------------------------------------------------------------------------------
const whole = await race({
  reference: async () => {
    for (const r of raw) await referenceEvaluator.evaluate(r, { asOf });
  },
  compiledAsync: async () => {
    for (const r of raw) await compiledEvaluator.evaluate(r, { asOf });
  },
  compiledSync: () => {
    for (const r of raw) compiledEvaluator.evaluateSync(r, { asOf });
  },
});

// Where the compiled path's time goes, phase by phase over the whole population.
let fresh: FactContext[] = [];
const results = raw.map((r) => compiledEvaluator.evaluateSync(r, { asOf }));
const resultBytes = new JsonBytes(1 << 20, ruleSetConstants(ruleSet));
const fired = warm.map((ctx) => ({ scoring: compiled.runSync("scoring", ctx), outcome: compiled.runSync("outcome", ctx) }));
const phases = await race({
  validation: () => {
    for (const r of raw) safeParseOrganizationRecord(r, { asOf });
  },
  zodValidation: () => {
    for (const r of raw) organizationRecordSchema.safeParse(r);
  },
  context: () => {
    fresh = records.map((record) => createFactContext(record, asOf));
  },
  rulesCold: () => {
    for (const [i, ctx] of fresh.entries()) {
      compiled.runSync("scoring", ctx);
      ctx.outcome = warm[i]!.outcome;
      compiled.runSync("outcome", ctx);
    }
  },
  rulesWarm: () => {
    for (const ctx of warm) {
      compiled.runSync("scoring", ctx);
      compiled.runSync("outcome", ctx);
    }
  },
  assembly: () => {
    for (const [i, ctx] of warm.entries()) {
      const scoring = assembleScoring(ruleSet, ctx, fired[i]!.scoring);
      resultOf(ruleSet, records[i]!, asOf, scoring, assembleOutcome(ruleSet, fired[i]!.outcome));
    }
  },
  serialization: () => {
    for (const r of results) JSON.stringify(r);
  },
  workerSerialization: () => {
    for (const r of results) {
      resultBytes.at = 0;
      writeResultJson(resultBytes, r);
    }
  },
});
const facts = Math.max(0, phases.rulesCold! - phases.rulesWarm!);
const phaseSum = phases.validation! + phases.context! + facts + phases.rulesWarm! + phases.assembly!;
console.log(`\nWhole evaluate — raw record in, complete Result out (validation included)`);
console.log(
  table([
    ["", "per organization", "organizations/s", "vs reference"],
    ["reference: await evaluate(), engine reference", us(whole.reference!), perSecond(whole.reference!), "1×"],
    ["compiled: await evaluate()", us(whole.compiledAsync!), perSecond(whole.compiledAsync!), ratio(whole.reference!, whole.compiledAsync!)],
    ["compiled: evaluateSync()", us(whole.compiledSync!), perSecond(whole.compiledSync!), ratio(whole.reference!, whole.compiledSync!)],
  ]),
);
console.log(`compiled vs reference, whole evaluate: ${ratio(whole.reference!, whole.compiledAsync!)} faster (target ≥ 10×)`);
console.log(`\nWhere the compiled evaluateSync's time goes (each phase timed alone over the population)`);
console.log(
  table([
    ["phase", "per organization", "share"],
    ["validation (the fast path, which takes every record here)", us(phases.validation!), `${((100 * phases.validation!) / phaseSum).toFixed(0)}%`],
    ["fact context (entries dated, sorted)", us(phases.context!), `${((100 * phases.context!) / phaseSum).toFixed(0)}%`],
    ["facts (computed on first use)", us(facts), `${((100 * facts) / phaseSum).toFixed(0)}%`],
    ["rules (compiled checks, facts memoized)", us(phases.rulesWarm!), `${((100 * phases.rulesWarm!) / phaseSum).toFixed(0)}%`],
    ["result assembly (points, evidence, levels, digest)", us(phases.assembly!), `${((100 * phases.assembly!) / phaseSum).toFixed(0)}%`],
    ["sum of the phases", us(phaseSum), ""],
    ["  for comparison: the zod schema alone (the full validation, without its cross-field checks)", us(phases.zodValidation!), ""],
    ["serialization (JSON.stringify of the Result, not in evaluate)", us(phases.serialization!), ""],
    ["serialization to UTF-8 as the batch workers write it (writeResultJson)", us(phases.workerSerialization!), ""],
  ]),
);
const averageBytes = results.reduce((s, r) => s + Buffer.byteLength(JSON.stringify(r)), 0) / results.length;
console.log(`a Result averages ${Math.round(averageBytes).toLocaleString("en-US")} bytes of JSON; peak RSS of this process so far: ${mb(process.resourceUsage().maxRSS)}`);

// ---------------------------------------------------------------------------------------------------
if (E2E > 0) await endToEnd(E2E);

interface Timed {
  seconds: number;
  /** User + system CPU seconds of the command, all its threads. */
  cpuSeconds: number | null;
  maxRssKb: number | null;
}

/** Runs a command under /usr/bin/time -v for its wall time and peak RSS. */
function timed(command: string, args: string[]): Promise<Timed> {
  const hasTime = existsSync("/usr/bin/time");
  const t0 = performance.now();
  const child = hasTime ? spawn("/usr/bin/time", ["-v", command, ...args], { cwd: ROOT }) : spawn(command, args, { cwd: ROOT });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.on("close", (code) => {
      const seconds = (performance.now() - t0) / 1000;
      if (code !== 0) return reject(new Error(`${command} ${args.join(" ")} exited ${code}: ${stderr.slice(-2000)}`));
      const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
      const user = /User time \(seconds\): ([\d.]+)/.exec(stderr);
      const system = /System time \(seconds\): ([\d.]+)/.exec(stderr);
      resolve({ seconds, cpuSeconds: user && system ? Number(user[1]) + Number(system[1]) : null, maxRssKb: rss ? Number(rss[1]) : null });
    });
  });
}

async function endToEnd(count: number): Promise<void> {
  const cli = join(ROOT, "dist", "cli.js");
  if (!existsSync(cli)) throw new Error("dist/cli.js is missing: `npm run bench` builds it first (tsup)");
  const dir = mkdtempSync(join(tmpdir(), "soc-bench-"));
  try {
    const input = join(dir, "population");
    execFileSync("mkdir", [input]);
    const parts = 2;
    console.log(`\nEnd to end: ${count.toLocaleString("en-US")} organizations, generate (dist/cli.js) → score (dist/cli.js, --format ndjson) → NDJSON on disk`);
    // Generation is single-threaded; two seeded halves are written side by side, numbered on from each other.
    const gen = await Promise.all(
      Array.from({ length: parts }, (_, p) => {
        const n = Math.floor(count / parts) + (p < count % parts ? 1 : 0);
        const first = p * Math.floor(count / parts) + Math.min(p, count % parts);
        return timed(process.execPath, [cli, "generate", "--count", String(n), "--first", String(first), "--seed", String(Number(values.seed) + p), "--as-of", asOf, "--out", join(input, `part-${p}.ndjson`)]);
      }),
    );
    const genSeconds = Math.max(...gen.map((g) => g.seconds));
    const inputBytes = readdirSync(input).reduce((s, f) => s + statSync(join(input, f)).size, 0);
    const out = join(dir, "results.ndjson");
    const score = await timed(process.execPath, [cli, "score", input, "--as-of", asOf, "--format", "ndjson", "--out", out]);
    // Less the end-of-results trailer score writes last: it is not a result.
    const lines = Number(execFileSync("wc", ["-l", out]).toString().trim().split(/\s+/)[0]) - 1;
    const outBytes = statSync(out).size;
    console.log(
      table([
        ["step", "wall time", "per organization", "CPU time (all threads)", "peak RSS"],
        [`generate (${parts} processes in parallel), ${(inputBytes / 1e9).toFixed(2)} GB NDJSON`, `${genSeconds.toFixed(1)} s`, us((genSeconds * 1e6) / count), cpu(gen.reduce((s, g) => s + (g.cpuSeconds ?? 0), 0), count), gen.map((g) => (g.maxRssKb ? mb(g.maxRssKb) : "n/a")).join(" + ")],
        [`score → ${lines.toLocaleString("en-US")} results, ${(outBytes / 1e9).toFixed(2)} GB NDJSON`, `${score.seconds.toFixed(1)} s`, us((score.seconds * 1e6) / count), cpu(score.cpuSeconds ?? 0, count), score.maxRssKb ? mb(score.maxRssKb) : "n/a"],
        ["total", `${(genSeconds + score.seconds).toFixed(1)} s`, us(((genSeconds + score.seconds) * 1e6) / count), "", ""],
      ]),
    );
    console.log(`scoring ${count.toLocaleString("en-US")} organizations end to end: ${score.seconds.toFixed(1)} s (target < 60 s), peak RSS ${score.maxRssKb ? mb(score.maxRssKb) : "n/a"} (target < 500 MB)`);
    if (lines !== count) console.log(`WARNING: expected ${count} result lines, found ${lines}`);
    console.log(`load average when done: ${loadavg().map((x) => x.toFixed(1)).join(" ")} (other processes on this machine share its ${availableParallelism()} cores)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
