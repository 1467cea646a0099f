// Just enough of npm's semver to check installed versions against advisory ranges, without a dependency:
// versions MAJOR.MINOR.PATCH[-prerelease][+build]; ranges of comparators (<, <=, >, >=, =) joined by
// spaces (and) and by || (or).

interface Version {
  core: [number, number, number];
  pre: string[];
}

const VERSION = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

/** Parses a version; throws on anything else, so a typo in the advisory file cannot pass silently. */
export function parseVersion(text: string): Version {
  const m = VERSION.exec(text.trim());
  if (!m) throw new Error(`not a semantic version: ${JSON.stringify(text)}`);
  return { core: [Number(m[1]), Number(m[2]), Number(m[3])], pre: m[4] ? m[4].split(".") : [] };
}

function comparePre(a: string[], b: string[]): number {
  // A release sorts after its prereleases (1.0.0-rc.1 < 1.0.0).
  if (a.length === 0 || b.length === 0) return (a.length === 0 ? 1 : 0) - (b.length === 0 ? 1 : 0);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined || y === undefined) return x === undefined ? -1 : 1;
    const nx = /^\d+$/.test(x);
    const ny = /^\d+$/.test(y);
    if (nx && ny && Number(x) !== Number(y)) return Number(x) - Number(y);
    if (nx !== ny) return nx ? -1 : 1;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** Negative, zero or positive as version a is lower than, equal to or higher than b. */
export function compareVersions(a: string, b: string): number {
  const x = parseVersion(a);
  const y = parseVersion(b);
  for (let i = 0; i < 3; i++) if (x.core[i] !== y.core[i]) return x.core[i]! - y.core[i]!;
  return comparePre(x.pre, y.pre);
}

const COMPARATOR = /^(<=|>=|<|>|=)?\s*(\S+)$/;

/** Whether a version lies in a range such as `<10.3.0` or `>=1.0.0 <1.2.6 || <0.2.4`. */
export function satisfies(version: string, range: string): boolean {
  return range.split("||").some((alternative) => {
    const comparators = alternative.trim().split(/\s+/).filter(Boolean);
    if (comparators.length === 0) throw new Error(`empty range in ${JSON.stringify(range)}`);
    return comparators.every((c) => {
      const m = COMPARATOR.exec(c);
      if (!m) throw new Error(`not a comparator: ${JSON.stringify(c)}`);
      const order = compareVersions(version, m[2]!);
      switch (m[1] ?? "=") {
        case "<":
          return order < 0;
        case "<=":
          return order <= 0;
        case ">":
          return order > 0;
        case ">=":
          return order >= 0;
        default:
          return order === 0;
      }
    });
  });
}
