/**
 * `npm run differential`: the compiled evaluator against json-rules-engine on every fixture and on 20,000
 * generated organizations (1,000 on each of the 20 asOf dates the CI test uses, a seed per date). Every
 * result must be byte-identical; the first differences are printed and the exit code is 1.
 *
 *   npm run differential                 # 20 x 1,000
 *   npm run differential -- --per-date 5000
 */
import { parseArgs } from "node:util";
import { generatePopulation } from "../src/audit/generate.js";
import { createEvaluator } from "../src/evaluate.js";
import { resultJson } from "../src/result/serialize.js";
import { referenceRuleSet } from "../src/rule-set/reference.js";
import { DIFFERENTIAL_AS_OF } from "../tests/_lib/differential.js";
import { organizationFixtures } from "../tests/_lib/fixtures.js";

const { values } = parseArgs({ options: { "per-date": { type: "string", default: "1000" }, seed: { type: "string", default: "20000" } } });
const perDate = Number(values["per-date"]);
const reference = createEvaluator(referenceRuleSet, { engine: "reference" });
const compiled = createEvaluator(referenceRuleSet, { engine: "compiled" });

/** The first path at which two JSON values differ. */
function firstDifference(a: unknown, b: unknown, path = ""): string {
  if (JSON.stringify(a) === JSON.stringify(b)) return "";
  if (a && b && typeof a === "object" && typeof b === "object") {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
      if (d) return d;
    }
  }
  return `${path || "(root)"}: reference ${JSON.stringify(a)?.slice(0, 200)} / compiled ${JSON.stringify(b)?.slice(0, 200)}`;
}

let compared = 0;
const differences: string[] = [];
async function compare(record: unknown, asOf: string, label: string): Promise<void> {
  const expected = await reference.evaluate(record, { asOf });
  const actual = compiled.evaluateSync(record, { asOf });
  compared++;
  if (JSON.stringify(actual) !== JSON.stringify(expected)) differences.push(`${label} on ${asOf}: ${firstDifference(expected, actual)}`);
  // The batch workers write results with resultJson: it must give JSON.stringify's bytes.
  else if (resultJson(actual) !== JSON.stringify(expected)) differences.push(`${label} on ${asOf}: resultJson differs from JSON.stringify`);
}

const t0 = performance.now();
for (const f of organizationFixtures()) await compare(f.record, f.asOf, f.file);
for (const [i, asOf] of DIFFERENTIAL_AS_OF.entries()) {
  for (const record of generatePopulation({ count: perDate, seed: Number(values.seed) + i, asOf })) await compare(record, asOf, record.id);
  process.stderr.write(`${asOf}: ${perDate} compared\n`);
}
const seconds = ((performance.now() - t0) / 1000).toFixed(1);
console.log(`compared ${compared.toLocaleString("en-US")} results (fixtures, then ${perDate} generated organizations on each of ${DIFFERENTIAL_AS_OF.length} asOf dates) in ${seconds} s: ${differences.length} differ`);
for (const d of differences.slice(0, 20)) console.log(`  ${d}`);
process.exitCode = differences.length > 0 ? 1 : 0;
