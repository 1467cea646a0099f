// A batch worker that fails (runs out of memory, stops, throws) loses no row: the rows of its chunk are evaluated
// again one at a time, in a worker with a larger heap; a row that still fails comes back as an error row with the
// code worker_failed, every other row as it would on one thread. Neither evaluateMany nor the CLI rejects the batch.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { endOfResults } from "./_lib/results.js";
import { generatePopulation } from "../src/audit/generate.js";
import { organizationFixtures } from "./_lib/fixtures.js";
import { largestRecord } from "./_lib/largest-record.js";

// Worker threads load the built worker (dist/batch-worker.js): these tests use the built package and CLI.
const ROOT = join(import.meta.dirname, "..");
const CLI = join(ROOT, "dist", "cli.js");
const lib = (await import(join(ROOT, "dist", "index.js"))) as typeof import("../src/index.js");

const asOf = "2023-05-31";
const inputs: Array<Record<string, unknown>> = [...generatePopulation({ count: 300, seed: 77, asOf })] as never;
const faulty = inputs[150]!.id as string;

/** Runs `body` with environment variables set (workers copy the environment when they start). */
async function withEnv<T>(env: Record<string, string>, body: () => Promise<T>): Promise<T> {
  const before = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    return await body();
  } finally {
    for (const [k, v] of Object.entries(before)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

describe("evaluateMany when a worker fails", () => {
  let alone: string[];
  beforeAll(async () => {
    alone = (await lib.createEvaluator().evaluateMany(inputs, { asOf, workers: 0 })).map((r) => JSON.stringify(r));
  });

  for (const fault of ["exit", "throw"] as const) {
    it(`gives one worker_failed error row for a row on which every worker ${fault === "exit" ? "stops" : "throws"}, and every other row as on one thread`, async () => {
      const rows = await withEnv({ SOCIAL_ORG_CREDIT_TEST_WORKER_FAULT: `${fault}:${faulty}` }, () => lib.createEvaluator().evaluateMany(inputs, { asOf, workers: 2 }));
      expect(rows).toHaveLength(inputs.length);
      const failed = rows[150]!;
      expect(failed).toMatchObject({ index: 150, ok: false, organizationId: faulty, error: { code: "worker_failed", issues: [] } });
      expect(!failed.ok && failed.error.message).toMatch(new RegExp(`input 151 of the batch \\(organization ${faulty}\\)`));
      rows.forEach((row, i) => {
        if (i !== 150) expect(JSON.stringify(row), `row ${i}`).toBe(alone[i]);
      });
    });
  }

  it("evaluates on this thread a chunk that cannot be copied to a worker (a record holding a function), refusing that record only", async () => {
    const batch: unknown[] = [...inputs];
    batch[10] = { ...inputs[10], name: () => "not data" };
    const rows = await lib.createEvaluator().evaluateMany(batch, { asOf, workers: 2 });
    expect(rows).toHaveLength(batch.length);
    expect(rows[10]).toMatchObject({ index: 10, ok: false, error: { code: "invalid_record" } });
    rows.forEach((row, i) => {
      if (i !== 10) expect(JSON.stringify(row), `row ${i}`).toBe(alone[i]);
    });
  });
});

describe("score on worker threads (CLI) when a worker fails", () => {
  const clean = organizationFixtures().find((f) => f.file.startsWith("01-"))!;
  let dir: string;
  let path: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "soc-batch-failures-"));
    path = join(dir, "batch.ndjson");
    // The largest record the schema allows among ordinary ones, as the CLI reads it (the line's bytes go to a worker).
    const lines = inputs.map((r) => JSON.stringify({ asOf, record: r }));
    lines.splice(5, 0, JSON.stringify({ asOf: clean.asOf, record: largestRecord(clean.record, clean.asOf) }));
    writeFileSync(path, `${lines.join("\n")}\n`);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const score = (workers: string, env: Record<string, string> = {}) =>
    spawnSync(process.execPath, [CLI, "score", path, "--format", "ndjson", "--workers", workers], { encoding: "utf8", maxBuffer: 1 << 30, env: { ...process.env, ...env } });

  let aloneOut = "";
  it("scores the largest valid record whose worker ran out of memory, says so on one line, and writes the bytes of a one-thread run", () => {
    const alone = score("0");
    expect(alone.status).toBe(0);
    aloneOut = alone.stdout;
    // A small worker heap makes the largest record exhaust it; the rescue worker has this thread's heap.
    const parallel = score("2", { SOCIAL_ORG_CREDIT_WORKER_HEAP_MB: "32" });
    expect(parallel.status, parallel.stderr).toBe(0);
    expect(parallel.stdout === aloneOut, "the same bytes as on one thread").toBe(true);
    expect(parallel.stderr).toMatch(/^note: a worker thread failed \(it ran out of memory\); its \d+ rows from row 1 are evaluated again, one at a time$/m);
    expect(parallel.stderr).not.toMatch(/\n\s+at /);
  });

  it("gives an error row for a row that stops every worker, exit 1 (some row refused), every other row as on one thread", () => {
    const run = score("2", { SOCIAL_ORG_CREDIT_TEST_WORKER_FAULT: `exit:${faulty}` });
    expect(run.status, run.stderr).toBe(1);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    const got = run.stdout.trimEnd().split("\n");
    const want = aloneOut.trimEnd().split("\n");
    expect(got).toHaveLength(want.length);
    const at = want.findIndex((l) => l.includes(faulty));
    expect(JSON.parse(got[at]!)).toMatchObject({ row: at, organizationId: faulty, error: { code: "worker_failed" } });
    // The last line is the end-of-results trailer: one row fewer scored, one more refused.
    const rows = want.length - 1;
    expect(JSON.parse(got[rows]!)).toEqual(endOfResults(rows - 1, 1));
    got.slice(0, rows).forEach((line, i) => {
      if (i !== at) expect(line, `line ${i}`).toBe(want[i]);
    });
  });
});
