// Prints a valid unified social credit code for each 17-character prefix given (a tool for writing fixtures).
import { creditCodeCheckCharacter } from "../src/record/credit-code.js";

for (const prefix of process.argv.slice(2)) {
  const check = creditCodeCheckCharacter(prefix);
  console.log(check === null ? `${prefix}: not 17 code characters (0-9, A-Y without I O S V Z)` : prefix + check);
}
