// A rule folder is read as what it should be: its own regular UTF-8 JSON files and folders of its own. A link
// that leads outside, loops or is not a file is refused, and no refusal quotes a file that is not what it should be.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { loadRuleSet, REFERENCE_RULES_DIR, RuleSetError, type RuleSetProblem } from "../src/index.js";
import { jsonErrorIndex } from "../src/rule-set/json-error.js";
import { runCli } from "./_lib/cli.js";

const ROOT = join(import.meta.dirname, "..");
const base = mkdtempSync(join(tmpdir(), "soc-rule-links-"));
afterAll(() => rmSync(base, { recursive: true, force: true }));
let n = 0;

/** A fresh copy of a rule folder to break. */
function copyOf(from: string): string {
  const dir = join(base, `set${n++}`);
  cpSync(from, dir, { recursive: true });
  return dir;
}

function refusal(dir: string): RuleSetError {
  let thrown: unknown;
  try {
    loadRuleSet(dir);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(RuleSetError);
  return thrown as RuleSetError;
}
const has = (file: string, message: RegExp) => expect.objectContaining<RuleSetProblem>({ file, message: expect.stringMatching(message) } as never);

describe("rule files that are not what they should be", () => {
  it("refuses a rule file that is a link to /etc/passwd without quoting a character of it (API and rules check)", () => {
    const dir = copyOf(REFERENCE_RULES_DIR);
    symlinkSync("/etc/passwd", join(dir, "Z9.json"));
    const error = refusal(dir);
    expect(error.problems).toContainEqual(has("Z9.json", /symbolic link to a file outside the rule-set folder/));
    const head = readFileSync("/etc/passwd", "utf8").slice(0, 4);
    expect(error.message).not.toContain(head);
    const cli = runCli(["rules", "check", dir]);
    expect(cli.status).toBe(2);
    expect(cli.stdout + cli.stderr).toMatch(/Z9\.json: not read: a symbolic link/);
    expect(cli.stdout + cli.stderr).not.toContain(head);
  });

  it("refuses a link to a valid rule file outside the folder, and reads a link to a file inside it", () => {
    const outside = join(base, `outside${n++}.json`);
    writeFileSync(outside, readFileSync(join(REFERENCE_RULES_DIR, "P1.json")));
    const dir = copyOf(REFERENCE_RULES_DIR);
    rmSync(join(dir, "P1.json"));
    symlinkSync(outside, join(dir, "P1.json"));
    expect(refusal(dir).problems).toEqual([has("P1.json", /symbolic link to a file outside the rule-set folder/)]);
    const inside = copyOf(REFERENCE_RULES_DIR);
    mkdirSync(join(inside, "shared"));
    cpSync(join(inside, "P1.json"), join(inside, "shared", "P1.json"));
    rmSync(join(inside, "P1.json"));
    symlinkSync(join("shared", "P1.json"), join(inside, "P1.json"));
    expect(loadRuleSet(inside).digest).toBe(loadRuleSet(REFERENCE_RULES_DIR).digest);
  });

  it("says where a file stops being JSON (line, column, byte) without quoting it", () => {
    const dir = copyOf(REFERENCE_RULES_DIR);
    writeFileSync(join(dir, "P2.json"), '{\n  "id": "P2",\n  "kind": SECRET-TEXT-OF-THE-FILE\n}');
    const error = refusal(dir);
    expect(error.problems).toEqual([has("P2.json", /^not a readable JSON file: not valid JSON at line 3, column 11 \(byte 26\)$/)]);
    expect(error.message).not.toMatch(/SECRET/);
  });

  it("refuses a rule file that is not UTF-8 rather than reading a label with U+FFFD in it", () => {
    const dir = copyOf(REFERENCE_RULES_DIR);
    const p1 = readFileSync(join(dir, "P1.json"));
    const at = p1.indexOf(Buffer.from('"zh": "')) + 7;
    writeFileSync(join(dir, "P1.json"), Buffer.concat([p1.subarray(0, at), Buffer.from([0xff]), p1.subarray(at)]));
    expect(refusal(dir).problems).toEqual([has("P1.json", /not UTF-8 text/)]);
  });
});

describe("version folders that are links", () => {
  const versions = join(ROOT, "rules", "quzhou-versions-example");

  it("refuses a version folder that links to its own folder, to a sibling version, or to itself in a loop", () => {
    const dir = copyOf(versions);
    symlinkSync(".", join(dir, "loop"));
    symlinkSync("2026.1", join(dir, "2027.1"));
    symlinkSync("again", join(dir, "again"));
    expect(refusal(dir).problems).toEqual([
      has("2027.1", /symbolic link to a folder: a version folder must be a folder of its own/),
      has("again", /symbolic link to itself \(a loop of links\)/),
      has("loop", /symbolic link to a folder/),
    ]);
  });

  it("refuses a link to a folder inside a version folder (back to the folder of versions)", () => {
    const dir = copyOf(versions);
    symlinkSync("..", join(dir, "2026.1", "back"));
    expect(refusal(dir).problems).toEqual([has("2026.1/back", /symbolic link to a folder/)]);
  });
});

describe("where JSON breaks, found without JSON.parse's quoting", () => {
  it("agrees with JSON.parse on valid texts and on texts broken by one character", () => {
    fc.assert(
      fc.property(fc.json({ maxDepth: 4 }), fc.nat(), fc.constantFrom("", ",", "}", "]", "{", "[", '"', ":", "x", "\\", "\n", "-", "0", "e"), (text, pos, ch) => {
        const at = pos % (text.length + 1);
        const broken = text.slice(0, at) + ch + text.slice(at + (ch === "" ? 1 : 0));
        let valid = true;
        try {
          JSON.parse(broken);
        } catch {
          valid = false;
        }
        const index = jsonErrorIndex(broken);
        expect(index > broken.length, `${JSON.stringify(broken)} -> ${index}`).toBe(valid);
      }),
      { numRuns: 3000, seed: 10 },
    );
  });
});
