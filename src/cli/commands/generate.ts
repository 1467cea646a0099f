import { isIsoDate } from "../../_lib/dates.js";
import { generatePopulation, QUZHOU_2023_SHARES } from "../../audit/generate.js";
import { UsageError, type Command, parseCommandArgs } from "../command.js";
import { createProgress } from "../progress.js";
import { openSink } from "../sink.js";

/** The date of Quzhou's register, the default asOf: a fixed date keeps `generate` reproducible. */
export const DEFAULT_GENERATE_AS_OF = "2023-05-31";
const MAX_SERIAL = 9_999_999;

function wholeNumber(name: string, text: string | undefined, min: number, max: number): number {
  if (text === undefined) throw new UsageError(`${name} is required`);
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new UsageError(`${name} must be a whole number from ${min} to ${max}; found ${text}`);
  }
  return Number(text);
}

export const generateCommand: Command = {
  name: "generate",
  summary: "generate --count N --seed S [--as-of YYYY-MM-DD] [--first N] [--out FILE]",
  usage: `  --count        how many organizations (Quzhou's register of May 2023 had ${QUZHOU_2023_SHARES.total}).
  --seed         any whole number; the same seed, count and asOf give the same file byte for byte.
  --as-of        the date the records describe (default ${DEFAULT_GENERATE_AS_OF}, the register's date).
  --first        the position of the first organization (default 0; credit code serials start at N + 1): parts
                 of one population generated side by side, each with its own seed, get distinct codes.
  --out          write there instead of standard output.
  Writes NDJSON, one organization record per line, streamed (a population is never held whole).
  Shares follow Quzhou's register: types, valid 3A+ grades, abnormal and dishonest listings and dormant
  organizations in exact numbers, the rest drawn by chance.`,
  async run(args) {
    const { values, positionals } = parseCommandArgs({
      args,
      allowPositionals: true,
      options: { count: { type: "string" }, seed: { type: "string" }, "as-of": { type: "string" }, first: { type: "string" }, out: { type: "string" } },
    });
    if (positionals.length > 0) throw new UsageError(`generate takes no file argument; found ${positionals.join(" ")}`);
    // A generated credit code has a 7-digit serial: at most 9,999,999 organizations, numbered 1 to 9,999,999.
    const count = wholeNumber("--count", values.count, 0, MAX_SERIAL);
    const seed = wholeNumber("--seed", values.seed, 0, 4_294_967_295);
    const first = values.first === undefined ? 0 : wholeNumber("--first", values.first, 0, MAX_SERIAL - count);
    const asOf = values["as-of"] ?? DEFAULT_GENERATE_AS_OF;
    if (!isIsoDate(asOf)) throw new UsageError(`--as-of must be a calendar date YYYY-MM-DD; found ${asOf}`);

    // Written beside the target and renamed into place when whole.
    const output = openSink(values.out ?? null);
    try {
      const { sink } = output;
      const progress = createProgress({ label: "generating 生成", total: count, now: () => performance.now() });
      for (const record of generatePopulation({ count, seed, asOf, first })) {
        // The sink asks to wait only when the output is full.
        const wait = sink.write(`${JSON.stringify(record)}\n`);
        if (wait) await wait;
        progress.tick();
      }
      progress.done();
      await output.close();
    } finally {
      output.abort();
    }
    process.stderr.write(`generated ${count} organization records as of ${asOf}, seed ${seed} (生成 ${count} 条)\n`);
    return 0;
  },
};
