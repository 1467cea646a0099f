/**
 * Writes a seeded synthetic population as NDJSON, one bare record per line, streaming (bounded memory).
 *
 *   tsx scripts/generate-population.ts --count 1000000 --seed 2023 --as-of 2023-05-31 --out population.ndjson
 *
 * `--first N` numbers the records from N (so that several parts written in parallel have distinct credit codes).
 */
import { createWriteStream } from "node:fs";
import { once } from "node:events";
import { parseArgs } from "node:util";
import { SeededRandom } from "../src/_lib/random.js";
import { generateOrganization } from "../src/audit/generate.js";

const { values } = parseArgs({
  options: {
    count: { type: "string" },
    seed: { type: "string", default: "2023" },
    "as-of": { type: "string", default: "2023-05-31" },
    first: { type: "string", default: "0" },
    out: { type: "string" },
  },
});
if (!values.count || !values.out) {
  process.stderr.write("usage: generate-population.ts --count N --out FILE [--seed S] [--as-of YYYY-MM-DD] [--first N]\n");
  process.exit(2);
}
const count = Number(values.count);
const first = Number(values.first);
const out = createWriteStream(values.out);
const rnd = new SeededRandom(Number(values.seed));
let buffer = "";
for (let i = 0; i < count; i++) {
  buffer += `${JSON.stringify(generateOrganization(rnd, first + i, values["as-of"]!))}\n`;
  if (buffer.length > 1 << 20) {
    if (!out.write(buffer)) await once(out, "drain");
    buffer = "";
  }
}
out.end(buffer);
await once(out, "finish");
