/**
 * Strict JSON for inputs: what `JSON.parse` accepts but guesses at is refused. `JSON.parse` keeps the
 * last of two equal keys in one object (`{"penalties":[…],"penalties":[]}` loses the first array) and
 * turns an escaped lone surrogate (`"\ud800"`) into a string no UTF-8 output can hold (it comes out as
 * U+FFFD, a name the organization does not have). This scanner runs over a text `JSON.parse` has already
 * accepted and finds both, naming the place.
 */

/** A text that is JSON but not strict JSON: a repeated key, or a string holding an unpaired surrogate. */
export class StrictJsonError extends Error {
  constructor(
    message: string,
    /** Where, as a path from the top (`$.penalties[0].name`). */
    readonly path: string,
    /** The offset in the text (UTF-16 code units from 0) where the offending key or string starts. */
    readonly offset: number,
  ) {
    super(message);
    this.name = "StrictJsonError";
  }
}

/** A character that is a lone surrogate in the raw text (not escaped). */
const RAW_LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** Past this many keys an object's keys are kept in a Set rather than searched in an array. */
const SMALL_OBJECT = 16;

interface Frame {
  object: boolean;
  /** For an object, its keys so far; for an array, unused. */
  keys: string[] | Set<string> | null;
  /** The current key (object) or index (array). */
  at: string | number;
}

function pathOf(stack: Frame[]): string {
  let path = "$";
  for (const frame of stack) {
    if (frame.object) {
      if (typeof frame.at === "string") path += /^[A-Za-z_$][\w$]*$/.test(frame.at) ? `.${frame.at}` : `[${JSON.stringify(frame.at)}]`;
    } else path += `[${frame.at}]`;
  }
  return path;
}

/** A key or text shown in a message: JSON-quoted (so controls and surrogates are escaped), cut at 64 characters. */
function shown(key: string): string {
  const quoted = JSON.stringify(key.length > 64 ? `${key.slice(0, 64)}…` : key);
  return quoted.replace(/[\uD800-\uDFFF]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
}

/**
 * Checks a text `JSON.parse` has accepted: no object repeats a key (compared after escapes are decoded,
 * so `"a"` and `"\u0061"` are one key), and no string (key or value) holds an unpaired surrogate, escaped
 * or not. Linear in the text; a string without a backslash is skipped at `indexOf` speed.
 *
 * @param text - a text JSON.parse accepted (the result is unspecified for any other)
 * @throws StrictJsonError naming the key or string and where it is
 * @example
 * checkStrictJson('{"a":1,"a":2}'); // throws: the key "a" appears twice in one object (at $.a, character 7)
 */
export function checkStrictJson(text: string): void {
  const rawSuspect = RAW_LONE_SURROGATE.test(text);
  const stack: Frame[] = [];
  let top: Frame | undefined;
  let expectKey = false;
  const n = text.length;
  let i = 0;
  // The next backslash at or after the current string, found once rather than searched for per string.
  let slash = -2;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // A string: find its end; decode it only when it holds an escape.
      let end = text.indexOf('"', i + 1);
      if (slash !== -1 && slash <= i) slash = text.indexOf("\\", i + 1);
      let value: string;
      if (slash < 0 || slash > end) {
        value = text.slice(i + 1, end);
        if (rawSuspect && RAW_LONE_SURROGATE.test(value)) lone(stack, top, expectKey, value, i);
      } else {
        end = i + 1;
        for (;;) {
          const d = text.charCodeAt(end);
          if (d === 0x22) break;
          end += d === 0x5c ? 2 : 1;
        }
        value = JSON.parse(text.slice(i, end + 1)) as string;
        if (/[\uD800-\uDFFF]/.test(value) && RAW_LONE_SURROGATE.test(value)) lone(stack, top, expectKey, value, i);
      }
      if (expectKey && top !== undefined) {
        const keys = top.keys!;
        const seen = Array.isArray(keys) ? keys.includes(value) : keys.has(value);
        if (seen) {
          top.at = value;
          throw new StrictJsonError(`the key ${shown(value)} appears twice in one object (at ${pathOf(stack)}, character ${i}); JSON.parse would keep only the last 对象中的键重复`, pathOf(stack), i);
        }
        if (Array.isArray(keys)) {
          keys.push(value);
          if (keys.length > SMALL_OBJECT) top.keys = new Set(keys);
        } else keys.add(value);
        top.at = value;
        expectKey = false;
      }
      i = end + 1;
      continue;
    }
    if (c === 0x7b) {
      top = { object: true, keys: [], at: -1 };
      stack.push(top);
      expectKey = true;
    } else if (c === 0x5b) {
      top = { object: false, keys: null, at: 0 };
      stack.push(top);
      expectKey = false;
    } else if (c === 0x7d || c === 0x5d) {
      stack.pop();
      top = stack[stack.length - 1];
      expectKey = false;
    } else if (c === 0x2c && top !== undefined) {
      if (top.object) expectKey = true;
      else (top.at as number)++;
    }
    i++;
  }
}

function lone(stack: Frame[], top: Frame | undefined, isKey: boolean, value: string, offset: number): never {
  const what = isKey ? "key" : "string";
  if (isKey && top !== undefined) top.at = value;
  const path = pathOf(stack);
  throw new StrictJsonError(
    `the ${what} ${shown(value)} holds an unpaired surrogate (at ${path}, character ${offset}), not a character any text can hold 字符串含有不成对的代理项`,
    path,
    offset,
  );
}

/**
 * `JSON.parse`, then `checkStrictJson`: a repeated key or an unpaired surrogate is refused.
 *
 * @param text - the JSON text
 * @returns the value
 * @throws SyntaxError for a text that is not JSON; StrictJsonError for one that is not strict JSON
 */
export function parseStrictJson(text: string): unknown {
  const value: unknown = JSON.parse(text);
  checkStrictJson(text);
  return value;
}
