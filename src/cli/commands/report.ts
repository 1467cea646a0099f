import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { terminalText } from "../../_lib/inert.js";
import { createReportAccumulator, renderReportHtml, renderReportMarkdown } from "../../audit/report.js";
import { loadRuleSet } from "../../rule-set/load.js";
import { referenceRuleSet } from "../../rule-set/reference.js";
import { UsageError, type Command } from "../command.js";
import { createProgress } from "../progress.js";
import { readResultRows } from "../results-file.js";

export const reportCommand: Command = {
  name: "report",
  summary: "report <results> --out REPORT.html [--markdown REPORT.md] [--rules DIR]",
  usage: `  <results>      a results file written by score (--format json or ndjson), error rows included.
                 The report reads recorded results, it does not score: run score first.
  --out          the HTML report: one self-contained page (inline CSS and SVG charts, no script, no network).
  --markdown     its Markdown twin (default: the --out path with .md).
  --rules        the rule set whose level names the report shows (default: the bundled reference rules).
  Sections: level distribution, score histogram, dimension averages, restricted organizations, proposed
  list actions (to list, to remove), revocation review, refused rows with their problems.`,
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { out: { type: "string" }, markdown: { type: "string" }, rules: { type: "string" } },
    });
    if (positionals.length !== 1) throw new UsageError("report takes exactly one results file");
    if (!values.out) throw new UsageError("report writes a file: give --out REPORT.html");
    const markdownPath = values.markdown ?? (values.out.endsWith(".html") ? `${values.out.slice(0, -5)}.md` : `${values.out}.md`);
    const ruleSet = values.rules ? loadRuleSet(values.rules) : referenceRuleSet;
    const m = ruleSet.manifest;
    const acc = createReportAccumulator({ levels: m.levels.map((l) => ({ id: l.id, label: l.label })), maxScore: m.maxScore });
    const progress = createProgress({ label: "reading 读取", total: null, now: () => performance.now() });
    for await (const { row } of readResultRows(positionals[0]!)) {
      acc.add(row);
      progress.tick(!row.ok);
    }
    progress.done();
    const data = acc.finish();
    writeFileSync(values.out, renderReportHtml(data));
    writeFileSync(markdownPath, renderReportMarkdown(data));
    process.stderr.write(`report of ${data.read} rows (${data.scored} scored, ${data.refused} refused): ${terminalText(`${values.out}, ${markdownPath}`)}\n`);
    return 0;
  },
};
