import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { evaluate, explain, loadRuleSet, SocialOrgCreditError } from "../src/index.js";
import { organizationFixtures, type OrganizationFixture } from "./_lib/fixtures.js";
import { ROOT, runCli } from "./_lib/cli.js";

// The facts each explanation must state come from the fixtures' expected outcomes (worked by hand from
// scheme.md) and from the labels of the reference rule files; the sentences around them are the text's.
const fixture = (n: string) => organizationFixtures().find((f) => f.file.startsWith(`${n}-`))!;
const explained = async (f: OrganizationFixture, lang: "zh" | "en") => explain(await evaluate(f.record, { asOf: f.asOf }), { lang });

describe("explain, fixture 01 (clean association, grade A)", () => {
  const f = fixture("01");

  it("says in Chinese: grade A, 1000 points in the band 900–1000, the gate met, no cap, the highest level, E1 lost 15", async () => {
    const text = await explained(f, "zh");
    expect(text).toContain("信用等级：A级（优秀）");
    expect(text).toContain("得分 1000 分（满分 1000 分），按分数属A级（优秀，900–1000 分）");
    expect(text).toContain("优秀等级门槛（GATE）：满足");
    expect(text).toContain("无封顶或否决事项");
    expect(text).toContain("三、扣分事项：无。");
    expect(text).toContain("五、晋级：已是最高等级A级（优秀）");
    expect(text).toMatch(/1\. “社会组织评估等级”（E1）：失 15 分/);
    // 985 + 45 is over the scale: the text says so.
    expect(text).toContain("合计 1030 分超出范围，按 1000 分计");
  });

  it("says the same in English, with each bonus and the day it stops counting", async () => {
    const text = await explained(f, "en");
    expect(text).toContain("1. Grade: level A (excellent).");
    expect(text).toContain("which is level A by score (excellent, 900–1000 points)");
    expect(text).toContain("A-level gate (GATE): met.");
    expect(text).toContain("5. Next level: level A (excellent) is the highest.");
    // B2: provincial commendation of 2022-12-01 counts for 3 years.
    expect(text).toMatch(/B2 .*\+20: on 2022-12-01, kind provincial commendation; basis MCA-39; no longer counts from 2025-12-01\./);
  });
});

describe("explain, fixture 02 (abnormal-listed, report not filed, grade D)", () => {
  const f = fixture("02");

  it("says in Chinese: score 656 is C by score, lowered to D by K1 and K2, X10 with its listing, C reached but blocked by K1 and K2", async () => {
    const text = await explained(f, "zh");
    expect(text).toContain("信用等级：D级（较差）");
    expect(text).toContain("得分 656 分（满分 1000 分），按分数属C级（一般，650–799 分）");
    expect(text).toMatch(/因“正被列入活动异常名录”（K1，依据 MCA-60、QZ-2023），等级最高为D级，等级由此降为D级/);
    expect(text).toMatch(/（K2，依据 MCA-27），等级最高为D级/);
    expect(text).toMatch(/正被列入活动异常名录（X10）−150 分：.*列入日期 2023-07-01.*原因 未按规定报送年度工作报告.*属持续状态/);
    expect(text).toMatch(/五、晋级：距C级（一般）分数已经达到；但只要“正被列入活动异常名录”（K1）、“.*”（K2）仍然成立，等级就不能达到C级/);
    for (const [i, r] of f.expected.reasons!.entries()) expect(text).toMatch(new RegExp(`${i + 1}\\. “.*”（${r.id}）：失 ${r.pointsLost} 分`));
  });

  it("says the same in English", async () => {
    const text = await explained(f, "en");
    expect(text).toContain("1. Grade: level D (poor).");
    expect(text).toContain("The score is 656 of 1000, which is level C by score (fair, 650–799 points).");
    expect(text).toMatch(/Because of cap K1 "currently on the abnormal-activity list" \(basis MCA-60, QZ-2023\), the grade can be at best level D/);
    expect(text).toMatch(/cap K2 .* at best level D/);
    expect(text).toMatch(/X10 currently on the abnormal-activity list, −150: .*listed on 2023-07-01.*counts for as long as the situation lasts\./);
    expect(text).toMatch(/5\. Next level: level C \(fair\) has the score for it already; but while .*\(K1\), .*\(K2\) hold, the grade cannot reach level C\./);
  });
});

describe("explain, fixture 03 (trade association, two penalties, veto V4)", () => {
  const f = fixture("03");

  it("says in Chinese: E by score and by veto V4, K5 and K6 hold without lowering, each deduction with its end date, 20 points to D but V4 blocks", async () => {
    const text = await explained(f, "zh");
    expect(text).toContain("信用等级：E级（差），认定为严重失信");
    expect(text).toContain("按分数属E级（差，0–399 分）");
    expect(text).toMatch(/“连续两年年检基本合格”（K5，依据 MCA-39 art\. 7）亦成立，等级最高为C级，但未再降低等级/);
    expect(text).toMatch(/（K6，依据 FEE-2022）亦成立/);
    expect(text).toMatch(/因否决事项“.*”（V4，依据 MCA-60），等级定为E级，并认定为严重失信/);
    expect(text).toContain("优秀等级门槛（GATE）：未满足，缺少有效的3A以上评估等级");
    for (const d of f.expected.deductions) {
      const until = d.countsUntil ? `自 ${d.countsUntil} 起不再计入` : "属持续状态";
      expect(text).toMatch(new RegExp(`（${d.id}）−${-d.points} 分：.*${until}`));
    }
    expect(text).toMatch(/警告处罚（X1）−60 分：日期 2022-01-02，类别 警告/);
    expect(text).toMatch(/（X11）−50 分：2023年度年检：基本合格；2022年度年检：基本合格/);
    expect(text).toMatch(/五、晋级：距D级（较差）还差 20 分；但只要“.*”（V4）仍然成立/);
    expect(text).toMatch(/建议列入严重违法失信名单，事由：近3年受2次以上警告或较小罚款/);
  });

  it("says the same in English", async () => {
    const text = await explained(f, "en");
    expect(text).toContain("1. Grade: level E (very poor); the organization is seriously dishonest.");
    expect(text).toMatch(/Because of veto V4 .* the grade is level E/);
    expect(text).toMatch(/Cap K5 .* also holds, at best level C; it does not lower the grade further\./);
    for (const d of f.expected.deductions) {
      const until = d.countsUntil ? `no longer counts from ${d.countsUntil}` : "counts for as long as the situation lasts";
      expect(text).toMatch(new RegExp(`- ${d.id} .*, −${-d.points}: .*${until}\\.`));
    }
    expect(text).toMatch(/X2 .*: on 2024-04-15, kind fine, amount \(yuan\) 20000/);
    expect(text).toMatch(/5\. Next level: level D \(poor\) needs 20 points more; but while .*\(V4\) holds/);
    expect(text).toMatch(/1\. .*\(X4\): 100 points lost\n {3}2\. .*\(E1\): 80 points lost\n {3}3\. .*\(X2\): 80 points lost\n {3}4\. .*\(C1\): 60 points lost/);
  });
});

describe("explain, other cases", () => {
  it("says when the gate, not a cap, holds a score of level A down to B (fixture 06)", async () => {
    const f = fixture("06");
    expect(f.expected.grade).toBe("B");
    expect(await explained(f, "zh")).toMatch(/分数达到A级，但未满足优秀等级门槛（GATE）：缺少有效的3A以上评估等级，因此为B级/);
    expect(await explained(f, "en")).toMatch(/The score reaches level A, but A-level gate \(GATE\) is not met \(missing: a valid evaluation grade of 3A or better\), so it is level B\./);
  });

  it("says when bonuses are over the cap (fixture 14: 115 earned, 50 count)", async () => {
    const f = fixture("14");
    expect(f.expected.bonusTotal).toBe(50);
    expect(await explained(f, "zh")).toContain("计 +50 分，原为 +115 分，超出上限部分不计");
  });

  it("names the version of a folder of versions the result came from, given that folder", async () => {
    const versions = loadRuleSet(join(ROOT, "rules", "quzhou-versions-example"));
    const f = fixture("02");
    const result = await evaluate(f.record, { asOf: "2026-03-01", ruleSet: versions });
    const text = explain(result, { lang: "en", ruleSet: versions });
    expect(text).toContain("quzhou-reference version 2026.1");
    expect(text).toContain("example 2026 revision");
  });

  it("names levels by id alone when the rule set of the result is not given", async () => {
    const revision = loadRuleSet(join(ROOT, "rules", "quzhou-versions-example", "2026.1"));
    const f = fixture("02");
    const text = explain(await evaluate(f.record, { asOf: f.asOf, ruleSet: revision }), { lang: "en" });
    expect(text).toContain("1. Grade: level D.");
    expect(text).not.toContain("650–799");
  });

  it("refuses a rule set that did not produce the result", async () => {
    const revision = loadRuleSet(join(ROOT, "rules", "quzhou-versions-example", "2026.1"));
    const f = fixture("02");
    const result = await evaluate(f.record, { asOf: f.asOf });
    let thrown: unknown;
    try {
      explain(result, { ruleSet: revision });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SocialOrgCreditError);
    expect((thrown as SocialOrgCreditError).code).toBe("rule_set_mismatch");
  });
});

describe("the explain command", () => {
  it("explains one organization of a folder in English", () => {
    const f = fixture("03");
    const run = runCli(["explain", "fixtures/organizations", "--id", f.record.id as string, "--lang", "en"]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain("1. Grade: level E (very poor)");
    expect(run.stdout).toContain("As of 2025-01-01");
  });

  it("explains in Chinese by default, on the --as-of given", () => {
    const f = fixture("01");
    const run = runCli(["explain", `fixtures/organizations/${f.file}`, "--id", f.record.id as string, "--as-of", "2023-06-30"]);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("评价基准日 2023-06-30");
  });

  it("exits with code 2 when no organization has that id", () => {
    const run = runCli(["explain", "fixtures/organizations", "--id", "51330800MJ0000000X"]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("no organization with id 51330800MJ0000000X");
  });
});
