/** Thrown for a command line that cannot be run as given: exit code 2 with the command's usage. */
export class UsageError extends Error {}

/** One subcommand of the CLI. */
export interface Command {
  name: string;
  /** One line for the general usage text. */
  summary: string;
  /** The full usage of this command. */
  usage: string;
  /** Runs the command and returns its exit code. */
  run(args: string[]): Promise<number>;
}

/**
 * The usage of one command, as `<command> --help` prints it and an unknown option of it shows.
 *
 * @param command - the command
 * @returns its synopsis and options, without a final line break
 */
export function commandUsage(command: Command): string {
  return `Usage: social-org-credit ${command.summary}\n\n${command.usage}\n  --help, -h     this usage.`;
}

/** The edit distance of two names (insertions, deletions, substitutions and swaps of two neighbours). */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The known name nearest to a mistyped one, when it is near enough to be what was meant: at most two
 * edits away (one for names of three letters or fewer), or a prefix of it.
 *
 * @param typed - what was typed
 * @param names - the known names
 * @returns the nearest name, or null
 * @example
 * nearestName("scor", ["score", "report"]); // "score"
 */
export function nearestName(typed: string, names: string[]): string | null {
  const lower = typed.toLowerCase();
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const name of names) {
    const d = name.startsWith(lower) && lower.length >= 2 ? 0.5 : distance(lower, name);
    if (d < bestDistance) {
      best = name;
      bestDistance = d;
    }
  }
  const limit = typed.length <= 3 ? 1 : 2;
  return best !== null && bestDistance <= limit ? best : null;
}
