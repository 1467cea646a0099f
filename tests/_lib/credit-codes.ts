import { creditCodeCheckCharacter } from "../../src/record/credit-code.js";

/**
 * Another valid credit code made from one: its serial (the 9th to 17th characters) replaced by `n`, the
 * check character recomputed. Rows of one input must have distinct credit codes (a repeat is refused as
 * `duplicate_id`), so tests that score one fixture several times give each copy its own.
 */
export function otherCreditCode(id: string, n: number): string {
  const first17 = `${id.slice(0, 8)}${String(n).padStart(9, "0")}`;
  return first17 + creditCodeCheckCharacter(first17)!;
}
