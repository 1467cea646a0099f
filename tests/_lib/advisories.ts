import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { satisfies } from "./semver.js";

/** One published advisory: the package, the versions it affects, its ids. */
export interface Advisory {
  package: string;
  vulnerable: string;
  id: string;
  ghsa: string;
  summary: string;
}

/** The advisories this project knows of (tests/_data/known-advisories.json). */
export const KNOWN_ADVISORIES: Advisory[] = (
  JSON.parse(readFileSync(join(import.meta.dirname, "..", "_data", "known-advisories.json"), "utf8")) as { advisories: Advisory[] }
).advisories;

/** The tree `npm ls --json` prints: each package with its version and its own dependencies. */
export interface NpmTree {
  version?: string;
  dependencies?: Record<string, NpmTree>;
}

/** Every package of a tree once per name and version, with the chain that pulled it in. */
export function packagesOf(tree: NpmTree): Array<{ name: string; version: string; via: string }> {
  const found = new Map<string, { name: string; version: string; via: string }>();
  const stack: Array<{ node: NpmTree; via: string[] }> = [{ node: tree, via: [] }];
  while (stack.length > 0) {
    const { node, via } = stack.pop()!;
    for (const [name, child] of Object.entries(node.dependencies ?? {})) {
      if (child.version === undefined) continue; // a missing optional dependency
      const key = `${name}@${child.version}`;
      if (!found.has(key)) found.set(key, { name, version: child.version, via: [...via, name].join(" > ") });
      stack.push({ node: child, via: [...via, name] });
    }
  }
  return [...found.values()];
}

/** The installed packages that fall in a known advisory's range, described one per line. */
export function vulnerablePackages(tree: NpmTree, advisories: Advisory[] = KNOWN_ADVISORIES): string[] {
  return packagesOf(tree).flatMap((p) =>
    advisories
      .filter((a) => a.package === p.name && satisfies(p.version, a.vulnerable))
      .map((a) => `${p.name}@${p.version} (${p.via}) is in ${a.vulnerable}: ${a.id} ${a.ghsa}, ${a.summary}`),
  );
}

/**
 * The runtime dependency tree of the project installed in a folder, as `npm ls --omit=dev --all --json`
 * gives it; fails when npm reports a problem (a missing or invalid package).
 */
export function runtimeTree(cwd: string): NpmTree {
  const r = spawnSync("npm", ["ls", "--omit=dev", "--all", "--json"], { cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`npm ls failed in ${cwd} (exit ${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as NpmTree;
}
