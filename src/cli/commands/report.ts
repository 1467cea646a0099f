import { htmlText, markdownText, terminalText } from "../../_lib/inert.js";
import { createReportAccumulator, renderReportHtml, renderReportMarkdown } from "../../audit/report.js";
import { loadRuleSet } from "../../rule-set/load.js";
import { REFERENCE_RULES_DIR, referenceRuleSet } from "../../rule-set/reference.js";
import { refuseOutputsOverInputs, writeFilesAtomically } from "../atomic-file.js";
import { UsageError, type Command, parseCommandArgs } from "../command.js";
import { createProgress } from "../progress.js";
import { readResultRows } from "../results-file.js";

export const reportCommand: Command = {
  name: "report",
  summary: "report <results> --out REPORT.html [--markdown REPORT.md] [--rules DIR] [--allow-incomplete]",
  usage: `  <results>      a results file written by score (--format json or ndjson), error rows included.
                 The report reads recorded results, it does not score: run score first.
  --out          the HTML report: one self-contained page (inline CSS and SVG charts, no script, no network).
  --markdown     its Markdown twin (default: the --out path with .md).
  --rules        the rule set whose level names the report shows (default: the bundled reference rules).
  --allow-incomplete  report on a results file without its end-of-results trailer (cut short), whose
                 trailer does not match its rows, or with a line that cannot be read (damaged); the report
                 then says so at its top. Refused otherwise, as is a credit code given twice.
  Sections: level distribution, score histogram, dimension averages, restricted organizations, proposed
  list actions (to list, to remove), revocation review, refused rows with their problems.`,
  async run(args) {
    const { values, positionals } = parseCommandArgs({
      args,
      allowPositionals: true,
      options: { out: { type: "string" }, markdown: { type: "string" }, rules: { type: "string" }, "allow-incomplete": { type: "boolean", default: false } },
    });
    if (positionals.length !== 1) throw new UsageError("report takes exactly one results file");
    if (!values.out) throw new UsageError("report writes a file: give --out REPORT.html");
    const markdownPath = values.markdown ?? (values.out.endsWith(".html") ? `${values.out.slice(0, -5)}.md` : `${values.out}.md`);
    refuseOutputsOverInputs(
      [positionals[0]!, values.rules ?? REFERENCE_RULES_DIR],
      [
        { option: "--out", path: values.out },
        { option: "--markdown", path: markdownPath },
      ],
    );
    const ruleSet = values.rules ? loadRuleSet(values.rules) : referenceRuleSet;
    const m = ruleSet.manifest;
    const acc = createReportAccumulator({ levels: m.levels.map((l) => ({ id: l.id, label: l.label })), maxScore: m.maxScore });
    const progress = createProgress({ label: "reading 读取", total: null, now: () => performance.now() });
    let incomplete: string | null = null;
    const reading = { allowIncomplete: values["allow-incomplete"], refuseRepeatedCodes: true, onIncomplete: (problem: string) => (incomplete = problem) };
    for await (const { row } of readResultRows(positionals[0]!, reading)) {
      acc.add(row);
      progress.tick(!row.ok);
    }
    progress.done();
    const data = acc.finish();
    let html = renderReportHtml(data);
    let markdown = renderReportMarkdown(data);
    if (incomplete !== null) {
      const text = `INCOMPLETE 不完整: ${positionals[0]} is not a complete results file (${incomplete}); this report covers only the rows it holds. 本报告仅涵盖文件中已有的行。`;
      html = html.replace("</h1>\n", `</h1>\n<p role="alert" style="border:2px solid #b00020;background:#fdecea;color:#b00020;padding:.6em;font-weight:bold">${htmlText(text)}</p>\n`);
      markdown = markdown.replace("\n", `\n\n> **${markdownText(text)}**\n`);
      process.stderr.write(`warning: ${terminalText(text)}\n`);
    }
    // Both files are written and synced beside their targets first, then renamed into place.
    await writeFilesAtomically([
      { path: values.out, data: html },
      { path: markdownPath, data: markdown },
    ]);
    process.stderr.write(`report of ${data.read} rows (${data.scored} scored, ${data.refused} refused): ${terminalText(`${values.out}, ${markdownPath}`)}\n`);
    return 0;
  },
};
