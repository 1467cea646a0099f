/** One credit code, one row: the second and later rows of a credit code already seen are refused, naming the first. */
import type { RecordIssue } from "../errors.js";
import { isValidCreditCode } from "../record/credit-code.js";

/** What a repeated credit code is refused with: the error of its row (code `duplicate_id`, one issue at `id`). */
export interface DuplicateError {
  code: "duplicate_id";
  message: string;
  issues: RecordIssue[];
}

/**
 * Remembers the first row of each credit code of a run, in input order. One entry per credit code (a
 * million codes take some tens of MB); a row without a valid credit code is not remembered (it is
 * refused for that already).
 */
export class DuplicateGuard {
  private readonly first = new Map<string, string>();

  /**
   * Takes a row's credit code: null the first time, else the error of a repeated code.
   *
   * @param id - the row's credit code (a result's organizationId, or a refused row's id as read)
   * @param source - where the row came from (`orgs.ndjson:12`), read only the first time
   * @returns null, or the error to refuse the row with
   * @example
   * guard.check("51330800MJ8876543Y", () => "a.ndjson:1"); // null
   * guard.check("51330800MJ8876543Y", () => "a.ndjson:7")?.code; // "duplicate_id"
   */
  check(id: string | null, source: () => string): DuplicateError | null {
    if (id === null || !isValidCreditCode(id)) return null;
    const earlier = this.first.get(id);
    if (earlier === undefined) {
      this.first.set(id, source());
      return null;
    }
    const en = `credit code ${id} was already given by ${earlier}; one row per organization`;
    const zh = `统一社会信用代码 ${id} 与 ${earlier} 重复；每个组织只能有一行`;
    return { code: "duplicate_id", message: en, issues: [{ code: "duplicate_id", path: "id", expected: "a credit code no earlier row has", found: `${id}, the credit code of ${earlier}`, message: { zh, en } }] };
  }
}

const ID_KEY = Buffer.from('{"organizationId":"');
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * The organizationId of a result serialized by `writeResultJson` (it is the first key), read from its
 * bytes without parsing the rest; null if the bytes do not start so (the caller then parses).
 *
 * @param json - a result's UTF-8 JSON
 * @returns the credit code, or null
 */
export function organizationIdOfJson(json: Uint8Array): string | null {
  if (json.length < ID_KEY.length + 1) return null;
  for (let i = 0; i < ID_KEY.length; i++) if (json[i] !== ID_KEY[i]) return null;
  let end = ID_KEY.length;
  while (end < json.length && end < ID_KEY.length + 64 && json[end] !== QUOTE) {
    if (json[end] === BACKSLASH || json[end]! >= 0x80) return null;
    end++;
  }
  if (json[end] !== QUOTE) return null;
  return String.fromCharCode(...json.subarray(ID_KEY.length, end));
}
