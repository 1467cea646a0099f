/**
 * Where a text stops being JSON, found without quoting it: JSON.parse's own message quotes the text around
 * the error ("Unexpected token 'r', "root:x:0:0"... is not valid JSON"), which for a file that is not what
 * it should be (a link to /etc/passwd) would echo its content. Iterative, so that no nesting exhausts the stack.
 *
 * @param text - a text JSON.parse refused
 * @returns the index of the first character that cannot continue a JSON text (text.length when it ends too soon)
 */
export function jsonErrorIndex(text: string): number {
  let i = 0;
  const n = text.length;
  const ws = () => {
    while (i < n && (text[i] === " " || text[i] === "\t" || text[i] === "\n" || text[i] === "\r")) i++;
  };
  const literal = (word: string): boolean => {
    for (let k = 0; k < word.length; k++, i++) if (text[i] !== word[k]) return false;
    return true;
  };
  const string = (): boolean => {
    i++; // the opening quote
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x22) return i++, true;
      if (c < 0x20) return false;
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return (i += 2), false;
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else return (i += 1), false;
      } else i++;
    }
    return false;
  };
  const number = (): boolean => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m || m[0] === "-") return (i += m ? 1 : 0), false;
    i += m[0].length;
    return true;
  };
  // The containers open around the current position: "[" or "{".
  const open: string[] = [];
  const value = (): boolean => {
    ws();
    const c = text[i];
    if (c === "{" || c === "[") {
      open.push(c);
      i++;
      ws();
      return true;
    }
    if (c === '"') return string();
    if (c === "t") return literal("true");
    if (c === "f") return literal("false");
    if (c === "n") return literal("null");
    if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) return number();
    return false;
  };
  const member = (): boolean => {
    ws();
    if (text[i] !== '"' || !string()) return false;
    ws();
    if (text[i] !== ":") return false;
    i++;
    return true;
  };
  // A value, then as long as containers are open: a separator or a closing bracket, then the next value.
  let expectValue = true;
  for (;;) {
    if (expectValue) {
      const top = open.at(-1);
      const before = open.length;
      // Right after "{" or "[", a closing bracket may come instead of a first value.
      if (top !== undefined && text[i] === (top === "{" ? "}" : "]")) {
        open.pop();
        i++;
      } else {
        if (top === "{" && !member()) return i;
        if (!value()) return i;
        if (open.length > before) continue; // a container just opened: its first value (or end) next
      }
      expectValue = false;
    }
    ws();
    const top = open.at(-1);
    if (top === undefined) return i < n ? i : n + 1; // one value read: anything after it is the error
    if (text[i] === ",") {
      i++;
      ws();
      expectValue = true;
      if (text[i] === (top === "{" ? "}" : "]")) return i; // no trailing commas
      continue;
    }
    if (text[i] !== (top === "{" ? "}" : "]")) return i;
    open.pop();
    i++;
  }
}

/**
 * JSON.parse's refusal told without the text: the line, column and byte of the error.
 *
 * @param text - a text JSON.parse refused
 * @returns e.g. "not valid JSON at line 1, column 1 (byte 0)"
 */
export function jsonSyntaxMessage(text: string): string {
  let at = jsonErrorIndex(text);
  if (at > text.length) at = text.length; // valid JSON after all (should not happen): point at its end
  if (at >= text.length) return `not valid JSON: it ends too soon (after ${Buffer.byteLength(text)} bytes)`;
  const before = text.slice(0, at);
  const line = before.split("\n").length;
  const column = at - (before.lastIndexOf("\n") + 1) + 1;
  return `not valid JSON at line ${line}, column ${column} (byte ${Buffer.byteLength(before)})`;
}
