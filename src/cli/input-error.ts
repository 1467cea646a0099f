/** An input the CLI cannot read at all (an unknown kind of file, a workbook without its sheets): exit code 2. */
export class InputError extends Error {
  override name = "InputError" as const;
}
