// What an entry says is read as it says it: an envelope's asOf that is not a string is told as such (not
// "no asOf"), and a name that shows nothing (spaces, U+200B, U+3000, other invisible characters) is
// refused by the schema and by its fast path alike.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { unwrap } from "../src/_lib/envelope.js";
import { fastParseRecord } from "../src/record/fast-parse.js";
import { safeParseOrganizationRecord } from "../src/record/parse.js";
import { organizationRecordSchema } from "../src/record/schema.js";
import { runCli } from "./_lib/cli.js";
import { organizationFixtures } from "./_lib/fixtures.js";

const fixture = organizationFixtures()[0]!;
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "soc-records-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("an envelope's asOf", () => {
  it("that is the number 20230531 is told exactly that, per row, not that it has none", () => {
    const path = join(dir, "number.ndjson");
    writeFileSync(path, `${JSON.stringify({ asOf: 20230531, record: fixture.record })}\n${JSON.stringify({ asOf: fixture.asOf, record: fixture.record })}\n`);
    const r = runCli(["score", path, "--format", "ndjson"]);
    expect(r.status).toBe(1);
    const first = JSON.parse(r.stdout.split("\n")[0]!) as { error: { code: string; message: string } };
    expect(first.error.code).toBe("invalid_as_of");
    expect(first.error.message).toContain("asOf must be a date string YYYY-MM-DD, found the number 20230531");
    expect(r.stderr).not.toMatch(/--as-of is required/);
  });

  it("names what else it is: null, a boolean, an object", () => {
    expect(unwrap({ asOf: null, record: {} }).asOfProblem).toBe("asOf must be a date string YYYY-MM-DD, found null");
    expect(unwrap({ asOf: true, record: {} }).asOfProblem).toBe("asOf must be a date string YYYY-MM-DD, found the boolean true");
    expect(unwrap({ asOf: { y: 2023 }, record: {} }).asOfProblem).toBe("asOf must be a date string YYYY-MM-DD, found a JSON object");
    expect(unwrap({ record: {} }).asOfProblem).toBeNull();
  });
});

describe("a name that shows nothing", () => {
  const blank = [" ", "   ", "\t", "\u200b", "\u3000", "\u3000\u3000", " \u200b\u3000", "\ufeff", "\u00a0", "\u2060", "\u200d\u200c", "\u3164", "\u2800", "\u0301", "\u00ad", "\u180e", "\u2028"];
  const visible = ["衢州市慈善义工协会", "A", "１", "(协会)", "\u3000衢州\u3000"];
  const withName = (name: string) => ({ ...(fixture.record as Record<string, unknown>), name });

  it("is refused by the schema, with a blank_name issue showing its characters", () => {
    for (const name of blank) {
      const r = safeParseOrganizationRecord(withName(name), { asOf: fixture.asOf });
      expect(r.success, JSON.stringify(name)).toBe(false);
      if (r.success) continue;
      const issue = r.error.issues.find((i) => i.path === "name")!;
      expect(issue.code).toBe("blank_name");
      expect(issue.message.en).toMatch(/at least one visible character/);
      if (name !== " ".repeat(name.length)) expect(issue.found).toMatch(/\\u[0-9a-f]{4}/);
    }
  });

  it("is refused by the fast path too, which still takes every visible name as zod does", () => {
    for (const name of blank) {
      expect(fastParseRecord(withName(name), fixture.asOf), JSON.stringify(name)).toBeNull();
      expect(organizationRecordSchema.safeParse(withName(name)).success).toBe(false);
    }
    for (const name of visible) {
      const fast = fastParseRecord(withName(name), fixture.asOf);
      expect(fast?.name).toBe(name);
      expect(organizationRecordSchema.safeParse(withName(name)).success).toBe(true);
    }
  });

  it("comes back from score as a refused row", () => {
    const path = join(dir, "blank.json");
    writeFileSync(path, JSON.stringify({ asOf: fixture.asOf, record: withName("\u3000\u200b") }));
    const r = runCli(["score", path]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('"code":"blank_name"');
  });
});
