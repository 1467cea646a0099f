/** Characters of a unified social credit code (GB 32100-2015): digits and capitals without I, O, Z, S, V. */
const CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/**
 * Computes the check character (the 18th) of a unified social credit code from its first 17 characters.
 *
 * @param first17 - the first 17 characters of the code
 * @returns the check character, or null when `first17` is not 17 valid code characters
 * @example
 * creditCodeCheckCharacter("51330800MJ1200011"); // "L"
 */
export function creditCodeCheckCharacter(first17: string): string | null {
  if (first17.length !== 17) return null;
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const value = CODE_CHARS.indexOf(first17[i]!);
    if (value < 0) return null;
    sum += value * WEIGHTS[i]!;
  }
  return CODE_CHARS[(31 - (sum % 31)) % 31]!;
}

/**
 * Tells whether a string is a well-formed unified social credit code with a correct check character.
 *
 * @param code - the 18-character code
 * @returns true when the code is valid
 * @example
 * isValidCreditCode("51330800MJ1200011L"); // true
 */
export function isValidCreditCode(code: string): boolean {
  return code.length === 18 && creditCodeCheckCharacter(code.slice(0, 17)) === code[17];
}
