import { parseArgs } from "node:util";

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

/** What a command's options are, as node's parseArgs takes them. */
type OptionsConfig = Record<string, { type: "string" | "boolean"; multiple?: boolean; short?: string; default?: string | boolean | string[] | boolean[] }>;

/**
 * parseArgs of node:util, as every command reads its arguments: strict; `--name -1` takes the negative
 * number as the value (the command then judges it); an option given twice is refused unless it is one of
 * the repeatable ones (`multiple`); `-h` inside a group of short options is help, not an unknown option;
 * and every error is one line (node's own are several).
 *
 * @param config - as for parseArgs: args, options, allowPositionals
 * @returns what parseArgs returns
 * @throws UsageError for a command line that cannot be read
 * @example
 * const { values } = parseCommandArgs({ args, options: { out: { type: "string" } } });
 */
export function parseCommandArgs<T extends { args: string[]; options: OptionsConfig; allowPositionals?: boolean }>(config: T): ReturnType<typeof parseArgs<T>> {
  const args: string[] = [];
  for (let i = 0; i < config.args.length; i++) {
    const a = config.args[i]!;
    const next = config.args[i + 1];
    if (a === "--") {
      args.push(...config.args.slice(i));
      break;
    }
    const name = a.startsWith("--") ? a.slice(2) : null;
    if (name !== null && config.options[name]?.type === "string" && next !== undefined && /^-\d/.test(next)) {
      args.push(`${a}=${next}`);
      i++;
    } else args.push(a);
  }
  let parsed: ReturnType<typeof parseArgs<T & { tokens: true }>>;
  try {
    // -h is help wherever it stands (main shows the usage for a lone one): `-hx` is about -x, not -h.
    const options = { help: { type: "boolean", short: "h" }, ...config.options };
    parsed = parseArgs({ ...config, options, args, strict: true, tokens: true }) as typeof parsed;
  } catch (error) {
    const code = (error as { code?: string }).code ?? "";
    if (!code.startsWith("ERR_PARSE_ARGS")) throw error;
    const message = (error as Error).message;
    const option = /'(-[^' ]*)/.exec(message)?.[1];
    if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && option !== undefined && /ambiguous|argument missing/.test(message)) {
      throw new UsageError(
        /ambiguous/.test(message)
          ? `${option} takes a value; found an option after it (write ${option}=VALUE for a value that starts with a dash)`
          : `${option} takes a value; found nothing`,
      );
    }
    // node's other messages (an unknown option…) are one line already; only the first line is kept anyway.
    throw new UsageError(message.split("\n")[0]!.trim());
  }
  const seen = new Map<string, string>();
  for (const token of parsed.tokens ?? []) {
    if (token.kind !== "option") continue;
    const spec = config.options[token.name];
    if (spec === undefined || spec.multiple || token.name === "help") continue;
    const value = token.value ?? "";
    const earlier = seen.get(token.name);
    if (earlier !== undefined) {
      throw new UsageError(`--${token.name} is given twice${spec.type === "string" ? ` (${earlier}, then ${value})` : ""}; give it once`);
    }
    seen.set(token.name, value);
  }
  const { tokens: _tokens, ...rest } = parsed;
  delete (rest.values as Record<string, unknown>).help;
  return rest as unknown as ReturnType<typeof parseArgs<T>>;
}
