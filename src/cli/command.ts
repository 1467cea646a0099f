/** Thrown for a command line that cannot be run as given: exit code 2 with the usage. */
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
