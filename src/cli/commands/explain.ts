import { isIsoDate } from "../../_lib/dates.js";
import { terminalText } from "../../_lib/inert.js";
import { createEvaluator } from "../../evaluate.js";
import { InvalidRecordError, SocialOrgCreditError } from "../../errors.js";
import { explain } from "../../result/explain.js";
import { loadRuleSet } from "../../rule-set/load.js";
import { REFERENCE_RULES_DIR, referenceRuleSet } from "../../rule-set/reference.js";
import { refuseOutputsOverInputs } from "../atomic-file.js";
import { UsageError, type Command, parseCommandArgs } from "../command.js";
import { readRows } from "../input.js";

export const explainCommand: Command = {
  name: "explain",
  summary: "explain <file|folder> --id CODE [--as-of YYYY-MM-DD] [--lang zh|en] [--rules DIR]",
  usage: `  <file|folder>  any input score reads; the first entry whose record has that id is explained.
  --id           the organization's unified social credit code.
  --as-of        the evaluation date; required unless the entry is an envelope with its own asOf.
  --lang         zh (default) or en.
  --rules        a rule-set folder (default: the bundled quzhou-reference rules).`,
  async run(args) {
    const { values, positionals } = parseCommandArgs({
      args,
      allowPositionals: true,
      options: { id: { type: "string" }, "as-of": { type: "string" }, lang: { type: "string", default: "zh" }, rules: { type: "string" } },
    });
    if (positionals.length !== 1) throw new UsageError("explain takes exactly one input file or folder");
    if (!values.id) throw new UsageError("explain needs --id CODE: the organization to explain");
    const lang = values.lang;
    if (lang !== "zh" && lang !== "en") throw new UsageError(`--lang must be zh or en; found ${lang}`);
    const asOf = values["as-of"] ?? null;
    if (asOf !== null && !isIsoDate(asOf)) throw new UsageError(`--as-of must be a calendar date YYYY-MM-DD; found ${asOf}`);
    refuseOutputsOverInputs([positionals[0]!, values.rules ?? REFERENCE_RULES_DIR], [], true);
    const ruleSet = values.rules ? loadRuleSet(values.rules) : referenceRuleSet;

    for await (const row of readRows(positionals[0]!)) {
      const record = row.record as { id?: unknown } | null;
      if (row.readError !== null || record === null || typeof record !== "object" || record.id !== values.id) continue;
      const rowAsOf = asOf ?? row.asOf;
      if (rowAsOf === null) throw new UsageError(`--as-of is required: the entry of ${values.id} (${row.source}) has no asOf of its own`);
      try {
        const result = await createEvaluator(ruleSet).evaluate(record, { asOf: rowAsOf });
        process.stdout.write(explain(result, { lang, ruleSet }));
        return 0;
      } catch (error) {
        if (!(error instanceof SocialOrgCreditError)) throw error;
        // The id, the source and the messages (which quote found values) are shown with their controls escaped.
        const issues = error instanceof InvalidRecordError ? error.issues.map((i) => `  ${terminalText(`${i.path || "(record)"}: ${i.message[lang]}`)}`).join("\n") : "";
        process.stderr.write(`${terminalText(`${values.id} (${row.source}) cannot be evaluated 无法评价: ${error.code}: ${error.message}`)}\n${issues}${issues ? "\n" : ""}`);
        return 1;
      }
    }
    process.stderr.write(`error: ${terminalText(`no organization with id ${values.id} in ${positionals[0]}`)} 未找到该组织\n`);
    return 2;
  },
};
