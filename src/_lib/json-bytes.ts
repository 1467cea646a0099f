import type { RuleSetConstants } from "../result/serialize.js";

/**
 * Where a result's UTF-8 JSON is written: a buffer that grows as needed. Writing bytes straight into it
 * spares the hundreds of short strings (and their joining) that building the text would cost.
 */
export class JsonBytes {
  /** The buffer written so far; replaced by a larger one when it runs out. */
  bytes: Buffer;
  /** Bytes written. */
  at = 0;

  /** Set when a byte beyond ASCII is written as text (by `text` or `string`); whoever needs it resets it. */
  wide = false;

  /** The rule set's encoded objects, when results of one rule set are written (src/result/serialize.ts). */
  readonly constants: RuleSetConstants | null;

  /**
   * @param capacity - bytes to start with (it grows as needed)
   * @param constants - the rule set's encoded objects, for results
   * @param reuse - a buffer to write into instead of a new one
   */
  constructor(capacity: number, constants: RuleSetConstants | null = null, reuse: Buffer | null = null) {
    this.bytes = reuse ?? Buffer.allocUnsafeSlow(Math.max(capacity, 1024));
    this.constants = constants;
  }

  /** Makes room for n more bytes. */
  room(n: number): void {
    if (this.at + n <= this.bytes.length) return;
    const larger = Buffer.allocUnsafeSlow(Math.max(this.bytes.length * 2, this.at + n));
    this.bytes.copy(larger, 0, 0, this.at);
    this.bytes = larger;
  }

  raw(b: Uint8Array): void {
    this.range(b, 0, b.length);
  }

  /** Bytes start..end of another buffer. */
  range(b: Uint8Array, start: number, end: number): void {
    const n = end - start;
    this.room(n);
    const out = this.bytes;
    let at = this.at;
    // A loop beats TypedArray#set on the short pieces that make up most of a result.
    if (n < 48) for (let i = start; i < end; i++) out[at++] = b[i]!;
    else {
      out.set(start === 0 && end === b.length ? b : b.subarray(start, end), at);
      at += n;
    }
    this.at = at;
  }

  /** A text known to be ASCII (digits, the literals). */
  ascii(s: string): void {
    const n = s.length;
    this.room(n);
    const out = this.bytes;
    let at = this.at;
    for (let i = 0; i < n; i++) out[at++] = s.charCodeAt(i);
    this.at = at;
  }

  /** Any text, encoded as UTF-8 (JSON text never holds a lone surrogate: JSON.stringify escapes them). */
  text(s: string): void {
    const n = s.length;
    this.room(n * 3);
    const out = this.bytes;
    let at = this.at;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        this.wide = true;
        this.at = at + out.write(s.slice(i), at, "utf8");
        return;
      }
      out[at++] = c;
    }
    this.at = at;
  }

  /** A string as a JSON string literal, escaped exactly as JSON.stringify escapes it. */
  string(s: string): void {
    const n = s.length;
    this.room(n + 2);
    const out = this.bytes;
    let at = this.at;
    out[at++] = 0x22;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      // Printable ASCII but `"` and `\` is written as is; anything else is left to JSON.stringify.
      if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) {
        this.text(JSON.stringify(s));
        return;
      }
      out[at++] = c;
    }
    out[at++] = 0x22;
    this.at = at;
  }
}
