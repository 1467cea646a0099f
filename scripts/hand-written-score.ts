/**
 * The benchmark's floor: the score of the reference rules (quzhou-reference) written by hand as one plain
 * function over the same facts, read through the same memoized accessors. It computes only the score
 * (items, deductions, bonuses under their cap); the benchmark checks it against the engines' scores.
 */
import { factAccessor } from "../src/facts/catalogue.js";
import type { FactContext } from "../src/facts/context.js";

const fact = (name: string, params?: Record<string, unknown>) => {
  const get = factAccessor(name, params);
  if (!get) throw new Error(`unknown fact ${name}`);
  return get;
};
const count = (name: string, params: Record<string, unknown>) => {
  const get = fact(name, params);
  return (ctx: FactContext) => (get(ctx) as unknown[]).length;
};
const within = (span: Record<string, number>, where?: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  ...extra,
  within: span,
  ...(where ? { where } : {}),
});

const charterClause = fact("party.charterClause");
const coverage = fact("party.coverage");
const partyActivity = fact("party.activity");
const integrityRules = fact("party.integrityRules");
const dueInspection0 = fact("dueInspection", { yearsBack: 0 });
const dueInspection1 = fact("dueInspection", { yearsBack: 1 });
const required3 = fact("dueInspectionsRequired", { last: 3 });
const filed3 = fact("dueInspectionsFiled", { last: 3 });
const changesOnTime = fact("filings.changesOnTime");
const electionOnSchedule = fact("filings.electionOnSchedule");
const meetings = fact("governance.meetings");
const auditOpinion = fact("governance.auditOpinion");
const financeCompliant = fact("governance.financeCompliant");
const disclosure = fact("governance.disclosure");
const activities12 = count("activities", within({ months: 12 }));
const failedProjects24 = count("governmentProjects", within({ months: 24 }, { outcome: "failed" }));
const goodProjects24 = count("governmentProjects", within({ months: 24 }, { outcome: "good" }));
const projects24 = count("governmentProjects", within({ months: 24 }));
const publicWelfare12 = count("activities", within({ months: 12 }, { kind: "public_welfare" }));
const satisfaction = fact("satisfactionPercent");
const evaluationGrade = fact("evaluationGrade");
const penalties3 = count("penalties", within({ years: 3 }));
const verifiedComplaints12 = count("complaints", within({ months: 12 }, { verified: true }));
const supervisorRating = fact("supervisorRating");
const disqualified = fact("responsiblePersonDisqualified");
const currentAbnormal = count("listings", { where: { list: "abnormal", current: true } });

const deductions: Array<[number, (ctx: FactContext) => number]> = [
  [-60, count("penalties", within({ years: 3 }, { kind: "warning" }))],
  [-80, count("penalties", within({ years: 3 }, { kind: "fine", amountYuan: { lessThan: 50000 } }))],
  [-50, count("rectificationNotices", within({ years: 3 }, { overdueAtDue: true }, { dateField: "dueOn" }))],
  [-100, count("violations", within({ years: 3 }, { kind: "prohibited_fee" }))],
  [-50, count("violations", within({ years: 3 }, { kind: "unauthorised_award" }))],
  [-80, count("violations", within({ years: 3 }, { kind: "beyond_scope" }))],
  [-100, count("violations", within({ years: 3 }, { kind: "false_report" }))],
  [-50, count("listings", within({ years: 2 }, { list: "abnormal" }, { dateField: "removedOn" }))],
  [
    -150,
    count("penalties", {
      within: { years: 3 },
      anyOf: [{ kind: ["suspension", "change_registration_revoked", "certificate_revoked", "registration_revoked"] }, { kind: "fine", amountYuan: { atLeast: 50000 } }],
    }),
  ],
];
const bonuses: Array<[number, (ctx: FactContext) => number]> = (
  [
    [30, "national_commendation"],
    [20, "provincial_commendation"],
    [10, "municipal_commendation"],
    [20, "brand_organization"],
    [15, "integrity_model"],
    [10, "outstanding_project"],
    [5, "credit_pledge_kept"],
  ] as const
).map(([points, kind]) => [points, count("honours", within({ years: 3 }, { kind }))]);

const tier = (value: unknown, tiers: Record<string, number>, otherwise = 0) => (typeof value === "string" && value in tiers ? tiers[value]! : otherwise);

/**
 * The score of one organization under the reference rules, by hand.
 *
 * @param ctx - the organization's fact context
 * @returns the score, 0..1000
 */
export function handWrittenScore(ctx: FactContext): number {
  let base = 0;
  base += charterClause(ctx) === true ? 20 : 0;
  const cov = coverage(ctx);
  base += cov === "own" || cov === "joint" ? 40 : cov === "instructor" ? 30 : 0;
  base += tier(partyActivity(ctx), { complete: 20, partial: 10 });
  base += tier(integrityRules(ctx), { complete: 20, partial: 10 });
  const due = dueInspection0(ctx);
  base += due === "pass" || due === "exempt" ? 120 : due === "basic_pass" ? 60 : 0;
  const required = required3(ctx) as number;
  base += required === 0 ? 40 : Math.floor((40 * (filed3(ctx) as number)) / required);
  base += changesOnTime(ctx) === true ? 20 : 0;
  const election = electionOnSchedule(ctx);
  base += election === true || election === null ? 20 : 0;
  base += tier(meetings(ctx), { per_charter: 50, late: 25 });
  base += tier(auditOpinion(ctx), { unqualified: 60, qualified: 30 });
  base += financeCompliant(ctx) === true ? 40 : 0;
  base += tier(disclosure(ctx), { full: 50, partial: 25 });
  const acts = activities12(ctx);
  base += acts >= 4 ? 80 : acts >= 1 ? 40 : 0;
  base += failedProjects24(ctx) >= 1 ? 0 : goodProjects24(ctx) >= 1 ? 50 : projects24(ctx) >= 1 ? 30 : 15;
  const welfare = publicWelfare12(ctx);
  base += welfare >= 3 ? 40 : welfare >= 2 ? 30 : welfare >= 1 ? 20 : 0;
  const sat = satisfaction(ctx);
  base += sat === null ? 10 : typeof sat !== "number" ? 0 : sat >= 90 ? 30 : sat >= 75 ? 20 : sat >= 60 ? 10 : 0;
  base += tier(evaluationGrade(ctx), { "5A": 150, "4A": 135, "3A": 120, "2A": 95, "1A": 80 }, 70);
  base += penalties3(ctx) === 0 ? 60 : 0;
  const complaints = verifiedComplaints12(ctx);
  base += complaints === 0 ? 40 : complaints <= 1 ? 20 : 0;
  const rating = supervisorRating(ctx);
  base += rating === "good" ? 50 : rating === "average" || rating === null ? 25 : 0;

  let deducted = 0;
  for (const [points, n] of deductions) deducted += points * n(ctx);
  if (disqualified(ctx) === true) deducted -= 100;
  if (currentAbnormal(ctx) >= 1) deducted -= 150;
  if (dueInspection0(ctx) === "basic_pass" && dueInspection1(ctx) === "basic_pass") deducted -= 50;

  let bonus = 0;
  for (const [points, n] of bonuses) bonus += points * n(ctx);
  return Math.max(0, Math.min(1000, base + deducted + Math.min(bonus, 50)));
}
