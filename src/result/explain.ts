import { terminalText } from "../_lib/inert.js";
import { SocialOrgCreditError, type Label } from "../errors.js";
import { latestDueInspectionYear } from "../facts/context.js";
import { referenceRuleSet } from "../rule-set/reference.js";
import type { GateRule, RuleSet } from "../rule-set/schema.js";
import type { DeductionResult, FactEvidence, Result } from "./types.js";
import { entryWords, factWords, valueWord } from "./vocabulary.js";

/** Options of `explain`. */
export interface ExplainOptions {
  /** The language of the text: zh (Chinese, the default) or en. */
  lang?: "zh" | "en";
  /**
   * The rule set the result came from (any version of it), for the levels' names and score bands, the
   * gate's parts and the sources' titles. The bundled reference set is used when the result came from it;
   * without the rule set, levels are named by id.
   */
  ruleSet?: RuleSet;
}

type Lang = "zh" | "en";

/** The version of the rule set that produced the result, found by its digest. */
function versionOf(result: Result, ruleSet: RuleSet | undefined): RuleSet | null {
  const candidates = ruleSet ? (ruleSet.versions ?? [ruleSet]) : [referenceRuleSet];
  const found = candidates.find((v) => v.digest === result.ruleSet.digest) ?? null;
  if (ruleSet && !found) {
    throw new SocialOrgCreditError(
      "rule_set_mismatch",
      `the result was produced by rule set ${result.ruleSet.id} ${result.ruleSet.version} (${result.ruleSet.digest}); the rule set given is ${ruleSet.id} ${ruleSet.version}, which holds no version with that digest`,
    );
  }
  return found;
}

/** The words that differ between the two languages, in one place. */
const W = {
  zh: {
    level: (id: string) => `${id}级`,
    points: (n: number) => `${n} 分`,
    list: "、",
    sep: "；",
    end: "。",
    none: "无",
  },
  en: {
    level: (id: string) => `level ${id}`,
    points: (n: number) => `${n} point${Math.abs(n) === 1 ? "" : "s"}`,
    list: ", ",
    sep: "; ",
    end: ".",
    none: "none",
  },
} as const;

const signed = (n: number) => (n < 0 ? `−${-n}` : `+${n}`);

/**
 * A result explained in words an official would use: the grade and why (score band, caps, gate, vetoes),
 * each dimension, each deduction with its evidence, basis and the day it stops counting, the bonuses, the
 * four items that lost the most, what it takes to reach the next level, the measures and list actions.
 *
 * @param result - a result from `evaluate`
 * @param options - `lang` (zh or en; zh by default) and the `ruleSet` the result came from when it is not the bundled one
 * @returns the explanation, as lines of text; control characters of the record's texts are shown escaped (`\x1b`)
 * @throws SocialOrgCreditError (code `rule_set_mismatch`) when the rule set given did not produce the result
 * @example
 * const result = await evaluate(record, { asOf: "2024-02-29" });
 * console.log(explain(result, { lang: "zh" }));
 * // 衢州市某某协会（统一社会信用代码 …）信用评价说明
 * // 一、信用等级：D级（较差）。……
 */
export function explain(result: Result, options: ExplainOptions = {}): string {
  const lang: Lang = options.lang ?? "zh";
  if (lang !== "zh" && lang !== "en") throw new SocialOrgCreditError("invalid_option", `lang must be zh or en; found ${JSON.stringify(lang)}`);
  const w = W[lang];
  const zh = lang === "zh";
  const rs = versionOf(result, options.ruleSet);
  const manifest = rs?.manifest ?? null;
  const label = (l: Label | undefined, fallback: string) => (l ? l[lang] : fallback);
  const latestDueYear = latestDueInspectionYear(result.asOf);
  const sourcesUsed = new Set<string>();
  const basisText = (basis: string[]) => {
    basis.forEach((b) => sourcesUsed.add(b.split(" ")[0]!));
    return basis.join(w.list);
  };

  // Levels: name, label and score band when the rule set is known.
  const levels = manifest?.levels ?? [];
  const levelIndex = (id: string) => levels.findIndex((l) => l.id === id);
  const levelName = (id: string) => {
    const i = levelIndex(id);
    return i < 0 ? w.level(id) : `${w.level(id)}（${levels[i]!.label[lang]}）`.replace("（", zh ? "（" : " (").replace(/）$/, zh ? "）" : ")");
  };
  const band = (id: string) => {
    const i = levelIndex(id);
    if (i < 0 || !manifest) return "";
    const lo = levels[i]!.minScore;
    const hi = i === 0 ? manifest.maxScore : levels[i - 1]!.minScore - 1;
    return zh ? `，${lo}–${hi} 分` : `, ${lo}–${hi} points`;
  };
  const gateRule = rs?.rules.find((r): r is GateRule => r.kind === "gate" && r.id === result.gate.id) ?? null;
  const gateName = () => (gateRule ? `${gateRule.label[lang]}（${gateRule.id}）` : (result.gate.id ?? "")).replace("（", zh ? "（" : " (").replace(/）$/, zh ? "）" : ")");
  const gateMissing = () => result.gate.missing.map((id) => gateRule?.parts.find((p) => p.id === id)?.label[lang] ?? id).join(w.list);
  const named = (id: string) => {
    const found = [...result.caps, ...result.vetoes, ...result.items, ...result.deductions, ...result.bonuses].find((x) => x.id === id);
    if (found) return zh ? `“${found.label.zh}”（${id}）` : `"${found.label.en}" (${id})`;
    if (id === result.gate.id) return zh ? `${gateName()}未满足` : `${gateName()} not met`;
    const rule = rs?.rules.find((r) => r.id === id);
    return rule ? (zh ? `“${rule.label.zh}”（${id}）` : `"${rule.label.en}" (${id})`) : id;
  };

  const lines: string[] = [];
  const title = manifest ? manifest.title[lang] : result.ruleSet.id;
  const digest = `${result.ruleSet.digest.slice(0, 19)}…`;
  if (zh) {
    lines.push(`${result.name}（统一社会信用代码 ${result.organizationId}）信用评价说明`);
    lines.push(`评价基准日 ${result.asOf}；适用规则：${title}，${result.ruleSet.id} 第 ${result.ruleSet.version} 版（摘要 ${digest}）。`);
  } else {
    lines.push(`Credit assessment of ${result.name} (unified social credit code ${result.organizationId})`);
    lines.push(`As of ${result.asOf}, under ${title}, ${result.ruleSet.id} version ${result.ruleSet.version} (digest ${digest}).`);
  }

  // 1. The grade and why.
  lines.push("");
  const dishonest = result.seriouslyDishonest ? (zh ? "，认定为严重失信" : "; the organization is seriously dishonest") : "";
  lines.push(zh ? `一、信用等级：${levelName(result.grade)}${dishonest}。` : `1. Grade: ${levelName(result.grade)}${dishonest}.`);
  const maxScore = manifest ? (zh ? `（满分 ${manifest.maxScore} 分）` : ` of ${manifest.maxScore}`) : "";
  lines.push(
    zh
      ? `   得分 ${result.score} 分${maxScore}，按分数属${w.level(result.scoreLevel)}（${levels[levelIndex(result.scoreLevel)]?.label.zh ?? ""}${band(result.scoreLevel)}）。`.replace("（）", "")
      : `   The score is ${result.score}${maxScore}, which is ${w.level(result.scoreLevel)} by score (${levels[levelIndex(result.scoreLevel)]?.label.en ?? ""}${band(result.scoreLevel)}).`.replace(" ()", "").replace("(, ", "("),
  );
  const gateLowered =
    result.gate.level !== null && !result.gate.held && levels.length > 0 && levelIndex(result.scoreLevel) <= levelIndex(result.gate.level);
  if (gateLowered) {
    const below = levels[levelIndex(result.gate.level!) + 1]!.id;
    lines.push(
      zh
        ? `   分数达到${w.level(result.gate.level!)}，但未满足${gateName()}：缺少${gateMissing()}，因此为${w.level(below)}。`
        : `   The score reaches ${w.level(result.gate.level!)}, but ${gateName()} is not met (missing: ${gateMissing()}), so it is ${w.level(below)}.`,
    );
  }
  for (const c of result.caps) {
    const basis = basisText(c.basis);
    lines.push(
      c.lowersGrade
        ? zh
          ? `   因“${c.label.zh}”（${c.id}，依据 ${basis}），等级最高为${w.level(c.atBest)}，等级由此降为${w.level(result.grade)}。`
          : `   Because of cap ${c.id} "${c.label.en}" (basis ${basis}), the grade can be at best ${w.level(c.atBest)}: this lowers it to ${w.level(result.grade)}.`
        : zh
          ? `   “${c.label.zh}”（${c.id}，依据 ${basis}）亦成立，等级最高为${w.level(c.atBest)}，但未再降低等级。`
          : `   Cap ${c.id} "${c.label.en}" (basis ${basis}) also holds, at best ${w.level(c.atBest)}; it does not lower the grade further.`,
    );
  }
  for (const v of result.vetoes) {
    const basis = basisText(v.basis);
    const vetoLevel = manifest ? w.level(manifest.vetoLevel) : w.level(result.grade);
    lines.push(
      zh
        ? `   因否决事项“${v.label.zh}”（${v.id}，依据 ${basis}），等级定为${vetoLevel}，并认定为严重失信。`
        : `   Because of veto ${v.id} "${v.label.en}" (basis ${basis}), the grade is ${vetoLevel} and the organization is seriously dishonest.`,
    );
  }
  if (result.gate.id !== null && !gateLowered) {
    lines.push(
      result.gate.held
        ? zh
          ? `   ${gateName()}：满足。`
          : `   ${gateName()}: met.`
        : zh
          ? `   ${gateName()}：未满足，缺少${gateMissing()}。`
          : `   ${gateName()}: not met (missing: ${gateMissing()}).`,
    );
  }
  if (result.caps.length === 0 && result.vetoes.length === 0 && !gateLowered) {
    lines.push(zh ? "   无封顶或否决事项，等级即按分数确定。" : "   No cap or veto holds: the grade is the level by score.");
  }

  // 2. Dimensions and how the score adds up.
  lines.push("");
  lines.push(zh ? `二、各维度得分（基础分合计 ${result.baseScore} 分）` : `2. Dimensions (base items add up to ${result.baseScore})`);
  for (const d of result.dimensions) {
    const lost = result.items.filter((i) => i.dimension === d.id && i.points < i.max);
    const detail = lost.map((i) => (zh ? `${i.label.zh}（${i.id}）${i.points}/${i.max}` : `${i.label.en} (${i.id}) ${i.points}/${i.max}`)).join(w.sep);
    lines.push(
      zh
        ? `   · ${d.label.zh} ${d.score}/${d.max} 分${lost.length ? `，失分项：${detail}` : "，满分"}。`
        : `   - ${d.label.en}: ${d.score} of ${d.max}${lost.length ? `; lost points on ${detail}` : ", full marks"}.`,
    );
  }
  const raw = result.baseScore + result.deductionTotal + result.bonusTotal;
  const bonusCap = manifest ? (zh ? `，加分合计最多 ${manifest.bonusCap} 分` : `, at most ${manifest.bonusCap} in all`) : "";
  const clamp = raw !== result.score ? (zh ? `，合计 ${raw} 分超出范围，按 ${result.score} 分计` : `; ${raw} is outside the scale, so ${result.score}`) : "";
  lines.push(
    zh
      ? `   得分 = 基础分 ${result.baseScore} ${signed(result.deductionTotal)}（扣分）${signed(result.bonusTotal)}（加分${bonusCap}）= ${result.score} 分${clamp}。`
      : `   Score = base ${result.baseScore} ${signed(result.deductionTotal)} (deductions) ${signed(result.bonusTotal)} (bonuses${bonusCap}) = ${result.score}${clamp}.`,
  );

  // 3. Deductions and bonuses, each with its evidence, basis and the day it stops counting.
  lines.push("");
  lines.push(
    result.deductions.length === 0
      ? zh
        ? "三、扣分事项：无。"
        : "3. Deductions: none."
      : zh
        ? `三、扣分事项（${result.deductions.length} 项，合计 ${signed(result.deductionTotal)} 分）`
        : `3. Deductions (${result.deductions.length}, ${signed(result.deductionTotal)} in all)`,
  );
  for (const d of result.deductions) lines.push(deductionLine(d, lang, latestDueYear, basisText));
  if (result.bonuses.length > 0) {
    const counted = result.bonuses.reduce((s, b) => s + b.points, 0);
    lines.push(
      zh
        ? `   加分事项（${result.bonuses.length} 项，计 ${signed(result.bonusTotal)} 分${counted !== result.bonusTotal ? `，原为 ${signed(counted)} 分，超出上限部分不计` : ""}）：`
        : `   Bonuses (${result.bonuses.length}, ${signed(result.bonusTotal)} counted${counted !== result.bonusTotal ? ` of ${signed(counted)}, above the cap` : ""}):`,
    );
    for (const b of result.bonuses) {
      const until = b.countsUntil ? (zh ? `，自 ${b.countsUntil} 起不再计入` : `; no longer counts from ${b.countsUntil}`) : "";
      lines.push(
        zh
          ? `   · ${b.label.zh}（${b.id}）${signed(b.points)} 分：${entryWords(b.evidence, "zh")}；依据 ${basisText(b.basis)}${until}。`
          : `   - ${b.id} ${b.label.en}, ${signed(b.points)}: ${entryWords(b.evidence, "en")}; basis ${basisText(b.basis)}${until}.`,
      );
    }
  }

  // 4. The four items that lost the most.
  lines.push("");
  if (result.reasons.length === 0) lines.push(zh ? "四、失分最多的事项：无，各项均为满分。" : "4. Items that lost the most: none; every item has full marks.");
  else {
    lines.push(zh ? `四、失分最多的${result.reasons.length === 4 ? "四" : String(result.reasons.length)}项` : `4. The ${result.reasons.length} items that lost the most`);
    result.reasons.forEach((r, i) => lines.push(zh ? `   ${i + 1}. ${named(r.id)}：失 ${r.pointsLost} 分` : `   ${i + 1}. ${named(r.id)}: ${w.points(r.pointsLost)} lost`));
  }

  // 5. The next level.
  lines.push("");
  const next = result.nextLevel;
  if (next === null) lines.push(zh ? `五、晋级：已是最高等级${levelName(result.grade)}。` : `5. Next level: ${levelName(result.grade)} is the highest.`);
  else {
    const need =
      next.pointsNeeded > 0
        ? zh
          ? `还差 ${next.pointsNeeded} 分`
          : `needs ${w.points(next.pointsNeeded)} more`
        : zh
          ? "分数已经达到"
          : "has the score for it already";
    const blocked = next.blockedBy.map(named).join(w.list);
    lines.push(
      zh
        ? `五、晋级：距${levelName(next.level)}${need}${next.blockedBy.length ? `；但只要${blocked}仍然成立，等级就不能达到${w.level(next.level)}` : "，没有其他阻碍"}。`
        : `5. Next level: ${levelName(next.level)} ${need}${next.blockedBy.length ? `; but while ${blocked} ${next.blockedBy.length === 1 ? "holds" : "hold"}, the grade cannot reach ${w.level(next.level)}` : ", and nothing else stands in the way"}.`,
    );
  }

  // 6. Measures and list actions.
  lines.push("");
  lines.push(zh ? "六、监管措施与名录处置" : "6. Measures and list actions");
  for (const m of result.measures) {
    const params = Object.entries(m.params).map(([k, v]) => `${k} ${typeof v === "number" && k === "rate" ? `${Math.round(v * 1000) / 10}%` : valueWord(v, lang)}`);
    const p = params.length ? (zh ? `（${params.join("，")}）` : ` (${params.join(", ")})`) : "";
    lines.push(zh ? `   · ${m.label.zh}${p}：因 ${m.reasons.join("、")}；依据 ${basisText(m.basis)}。` : `   - ${m.label.en}${p}: because of ${m.reasons.join(", ")}; basis ${basisText(m.basis)}.`);
  }
  for (const a of result.listActions) {
    const causes = a.causes.map((c) => {
      const rule = rs?.rules.find((r) => r.id === c);
      const veto = result.vetoes.find((v) => v.id === c);
      return (rule ?? veto)?.label[lang] ?? valueWord(c, lang);
    });
    lines.push(
      zh
        ? `   · ${a.label.zh}${causes.length ? `，事由：${causes.join("、")}` : ""}；依据 ${basisText(a.basis)}。`
        : `   - ${a.label.en}${causes.length ? `, because: ${causes.join("; ")}` : ""}; basis ${basisText(a.basis)}.`,
    );
  }
  if (result.measures.length + result.listActions.length === 0) lines.push(zh ? "   无。" : "   None.");

  // 7. The sources named above.
  if (manifest && sourcesUsed.size > 0) {
    lines.push("");
    lines.push(zh ? "依据来源：" : "Sources:");
    for (const id of [...sourcesUsed].sort()) if (manifest.sources[id]) lines.push(`   ${id}: ${manifest.sources[id]!.title}`);
  }
  // A name, a penalty's text or a source read from a file may hold control characters: shown escaped, so
  // that no text of the record can start a line of its own or drive the terminal the explanation is shown on.
  return `${lines.map(terminalText).join("\n")}\n`;
}

function evidenceWords(e: FactEvidence, lang: Lang, latestDueYear: number): string {
  const what = factWords(e.fact, e.params, latestDueYear, lang);
  if (Array.isArray(e.value)) {
    const entries = e.value.map((x) => (x !== null && typeof x === "object" && !Array.isArray(x) ? entryWords(x, lang) : valueWord(x, lang)));
    if (entries.length === 0) return lang === "zh" ? `${what}：无` : `${what}: none`;
    return lang === "zh" ? `${what} ${entries.length} 条（${entries.join("；")}）` : `${what}: ${entries.length} (${entries.join("; ")})`;
  }
  return lang === "zh" ? `${what}：${valueWord(e.value, lang)}` : `${what}: ${valueWord(e.value, lang)}`;
}

function deductionLine(d: DeductionResult, lang: Lang, latestDueYear: number, basisText: (b: string[]) => string): string {
  const evidence = Array.isArray(d.evidence)
    ? d.evidence.map((e) => evidenceWords(e, lang, latestDueYear)).join(lang === "zh" ? "；" : "; ")
    : entryWords(d.evidence, lang);
  const basis = basisText(d.basis);
  if (lang === "zh") {
    const until = d.countsUntil ? `自 ${d.countsUntil} 起不再计入` : "属持续状态，情形消除后即不再扣分";
    return `   · ${d.label.zh}（${d.id}）${signed(d.points)} 分：${evidence}；依据 ${basis}；${until}。`;
  }
  const until = d.countsUntil ? `no longer counts from ${d.countsUntil}` : "counts for as long as the situation lasts";
  return `   - ${d.id} ${d.label.en}, ${signed(d.points)}: ${evidence}; basis ${basis}; ${until}.`;
}
