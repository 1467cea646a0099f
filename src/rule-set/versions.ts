import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { compareStrings } from "../_lib/canonical.js";
import { isIsoDate } from "../_lib/dates.js";
import { InvalidAsOfError, NoRuleSetInForceError, RuleSetError, type RuleSetProblem } from "../errors.js";
import type { Evaluator, SyncEvaluator } from "../evaluate.js";
import { deepFreeze } from "./freeze.js";
import { markChecked } from "./checked.js";
import type { RuleSet } from "./schema.js";

/**
 * The subfolders of a folder that hold a rule-set version (a `manifest.json`), in name order.
 *
 * @param dir - a rule-set folder
 * @returns the version folders' names; empty for a folder that is itself one version (or unreadable)
 * @throws RuleSetError naming each entry that is a symbolic link to a folder: a version folder is a folder of
 *   its own, never a link (which may lead back to its own folder, loop, or lead outside); and, in a folder of
 *   versions (no manifest.json of its own, subfolders), each subfolder without a manifest.json and each
 *   `.json` file at its top: nothing is dropped silently
 */
export function versionFolders(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const problems: RuleSetProblem[] = [];
  for (const e of entries) {
    if (!e.isSymbolicLink()) continue;
    let target: string;
    try {
      if (!statSync(join(dir, e.name)).isDirectory()) continue;
      target = "a folder";
    } catch (error) {
      // A link that loops, or to nothing: not a version either way, but a link that is not what it should be.
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== "ELOOP") continue;
      target = "itself (a loop of links)";
    }
    problems.push({ file: e.name, ruleId: null, path: "", message: `a symbolic link to ${target}: a version folder must be a folder of its own, not a link (it may lead back to its own folder or outside)` });
  }
  if (problems.length > 0) throw new RuleSetError(problems);
  const folders = entries.filter((e) => e.isDirectory()).sort((a, b) => compareStrings(a.name, b.name));
  const versions = folders.filter((e) => existsSync(join(dir, e.name, MANIFEST))).map((e) => e.name);
  // A folder that is one version (its own manifest.json) may hold other folders; loadRuleSet refuses one that
  // also holds version folders.
  if (existsSync(join(dir, MANIFEST)) || folders.length === 0) return versions;
  // A folder of versions: nothing in it is dropped unsaid. A folder without its manifest.json (renamed,
  // misspelt, empty, one level too deep) is not a version that quietly disappears, and a rule file at the top
  // is not a rule of any version. Other files (a README) are not rule files and are left alone.
  for (const e of folders) {
    if (versions.includes(e.name)) continue;
    problems.push({ file: `${e.name}/`, ruleId: null, path: "", message: `a folder of versions holds a folder without ${MANIFEST} (named so exactly): each version folder holds its own ${MANIFEST} and rule files; add it, or move the folder out` });
  }
  for (const e of entries.sort((a, b) => compareStrings(a.name, b.name))) {
    if (e.isDirectory() || !/\.json$/i.test(e.name)) continue;
    problems.push({ file: e.name, ruleId: null, path: "", message: `a rule file at the top of a folder of versions belongs to no version (${versions.join(", ") || "none found"}): move it into a version folder, or out` });
  }
  if (problems.length > 0) throw new RuleSetError(problems);
  return versions;
}

const MANIFEST = "manifest.json";

/**
 * Joins the versions of one rule set, each loaded from its own folder, into the latest version carrying
 * all of them. Each folder is named after its manifest's version; all share the rule set's id; no two
 * take effect on the same day.
 *
 * @param loaded - each version with the folder it came from
 * @returns the latest version, with `versions` oldest first
 * @throws RuleSetError naming the manifest of each version in conflict
 */
export function ruleSetWithVersions(loaded: Array<{ folder: string; ruleSet: RuleSet }>): RuleSet {
  const problems: RuleSetProblem[] = [];
  const first = loaded[0]!.ruleSet;
  const byDate = new Map<string, string>();
  for (const { folder, ruleSet } of loaded) {
    const file = `${folder}/manifest.json`;
    if (ruleSet.version !== folder) {
      problems.push({ file, ruleId: null, path: "version", message: `a version's folder is named after its version: folder ${folder} holds version "${ruleSet.version}"` });
    }
    if (ruleSet.id !== first.id) {
      problems.push({ file, ruleId: null, path: "id", message: `every version of a rule set has the same id: found "${ruleSet.id}", and "${first.id}" in ${loaded[0]!.folder}` });
    }
    const other = byDate.get(ruleSet.effectiveFrom);
    if (other !== undefined) {
      problems.push({ file, ruleId: null, path: "effectiveFrom", message: `versions ${other} and ${folder} both take effect on ${ruleSet.effectiveFrom}: which one is in force is unclear` });
    }
    byDate.set(ruleSet.effectiveFrom, folder);
  }
  if (problems.length > 0) throw new RuleSetError(problems);
  const versions = loaded.map((l) => l.ruleSet).sort((a, b) => compareStrings(a.effectiveFrom, b.effectiveFrom));
  return markChecked(deepFreeze({ ...versions.at(-1)!, versions }));
}

/**
 * The version of a rule set in force on asOf: the latest whose effectiveFrom is on or before asOf. A
 * rule set without versions applies on any asOf.
 *
 * @param ruleSet - a rule set, possibly with versions
 * @param asOf - the evaluation date
 * @returns the version in force
 * @throws NoRuleSetInForceError when asOf is before every version, naming the earliest effectiveFrom
 * @example
 * ruleSetVersionOn(loadRuleSet("rules/quzhou-versions-example"), "2025-12-31").version; // "2023.1"
 * ruleSetVersionOn(loadRuleSet("rules/quzhou-versions-example"), "2026-01-01").version; // "2026.1"
 */
export function ruleSetVersionOn(ruleSet: RuleSet, asOf: string): RuleSet {
  if (!ruleSet.versions) return ruleSet;
  const inForce = ruleSet.versions.filter((v) => v.effectiveFrom <= asOf).at(-1);
  if (!inForce) throw new NoRuleSetInForceError(ruleSet.id, asOf, ruleSet.versions[0]!);
  return inForce;
}

/**
 * An evaluator over the versions of a rule set: each evaluation runs the version in force on its asOf,
 * with an evaluator built once per version, when first needed.
 *
 * @param ruleSet - a rule set with versions
 * @param make - builds the evaluator of one version
 * @returns an evaluator whose results name the version they used
 */
export function createDatedEvaluator(ruleSet: RuleSet, engine: Evaluator["engine"], make: (version: RuleSet) => Evaluator): Evaluator {
  const evaluators = new Map<RuleSet, Evaluator>();
  const on = (asOf: unknown): Evaluator => {
    if (typeof asOf !== "string" || !isIsoDate(asOf)) throw new InvalidAsOfError(asOf);
    const version = ruleSetVersionOn(ruleSet, asOf);
    let evaluator = evaluators.get(version);
    if (!evaluator) evaluators.set(version, (evaluator = make(version)));
    return evaluator;
  };
  const dated: Evaluator = {
    ruleSet,
    engine,
    evaluate: async (record, options) => on(options?.asOf).evaluate(record, options),
    evaluateMany: async (records, options) => on(options?.asOf).evaluateMany(records, options),
    evaluateEach: (records, options) => on(options?.asOf).evaluateEach(records, options),
  };
  // The compiled engine answers synchronously; so does a folder of its versions.
  if (engine === "compiled") {
    return Object.assign(dated, { evaluateSync: (record: unknown, options: { asOf: string }) => (on(options?.asOf) as SyncEvaluator).evaluateSync(record, options) });
  }
  return dated;
}
