import { terminalText } from "../../_lib/inert.js";
import { RuleSetError } from "../../errors.js";
import { loadRuleSet } from "../../rule-set/load.js";
import { REFERENCE_RULES_DIR } from "../../rule-set/reference.js";
import { RULE_LISTS, type RuleSet } from "../../rule-set/schema.js";
import { UsageError, type Command, parseCommandArgs } from "../command.js";

/** One line per version: what it holds and from when it is in force. */
function describeVersion(v: RuleSet, dated: boolean): string {
  const counts = Object.keys(RULE_LISTS)
    .map((list) => `${v.manifest.rules[list as keyof typeof RULE_LISTS].length} ${list}`)
    .join(", ");
  const when = dated ? `in force from ${v.effectiveFrom}` : `effectiveFrom ${v.effectiveFrom} (a single version applies on any asOf)`;
  return `  ${v.id} ${v.version}, ${when}: ${counts}; ${Object.keys(v.conditions).length} named conditions; digest ${v.digest}`;
}

export const rulesCheckCommand: Command = {
  name: "rules",
  summary: "rules check [DIR]",
  usage: `  DIR            a rule-set folder: one version, or one subfolder per version (default: the bundled
                 quzhou-reference rules). Prints every problem with its file, rule and place; exit code 0
                 when the rules are sound, 2 when not.`,
  async run(args) {
    const { positionals } = parseCommandArgs({ args, allowPositionals: true, options: {} });
    const [sub, dir, ...extra] = positionals;
    if (sub !== "check") throw new UsageError(`rules takes the subcommand check; found ${sub ?? "nothing"}`);
    if (extra.length > 0) throw new UsageError("rules check takes at most one folder");
    const folder = dir ?? REFERENCE_RULES_DIR;
    // Every line quotes the rule files (ids, paths, messages with found values) or the folder's name:
    // their control characters are shown escaped, so that no rule file can print a false "OK".
    const out = (text: string) => process.stdout.write(`${terminalText(text)}\n`);
    out(`rules check 规则检查: ${folder}`);
    let ruleSet: RuleSet;
    try {
      ruleSet = loadRuleSet(folder);
    } catch (error) {
      if (!(error instanceof RuleSetError)) throw error;
      for (const p of error.problems) out(`  ${p.file}${p.ruleId ? ` [${p.ruleId}]` : ""}${p.path ? ` ${p.path}` : ""}: ${p.message}`);
      const n = error.problems.length;
      out(`${n} problem${n === 1 ? "" : "s"}: the rule set cannot be used 发现${n}个问题，规则集不可用`);
      return 2;
    }
    for (const v of ruleSet.versions ?? [ruleSet]) out(describeVersion(v, ruleSet.versions !== undefined));
    out("OK: no problems 检查通过，未发现问题");
    return 0;
  },
};
