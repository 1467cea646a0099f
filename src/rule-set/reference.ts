import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadRuleSet } from "./load.js";
import type { RuleSet } from "./schema.js";

// The rule files ship beside the code (package "files"); walk up from this module to find them, which
// works from src/ under the tests and from dist/ once built.
function findReferenceDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, "rules", "quzhou-reference");
    if (existsSync(join(candidate, "manifest.json"))) return candidate;
    dir = dirname(dir);
  }
  throw new Error("social-org-credit: the bundled rules/quzhou-reference folder was not found beside the package");
}

/** The folder of the bundled reference rule set. */
export const REFERENCE_RULES_DIR: string = findReferenceDir();

/** The bundled default rule set: the reference 1000-point scheme of scheme.md, checked on load. */
export const referenceRuleSet: RuleSet = loadRuleSet(REFERENCE_RULES_DIR);
