import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generatePopulation } from "../src/audit/generate.js";
import { ndjsonResults } from "./_lib/results.js";

// Worker threads load the built worker (dist/batch-worker.js), so these tests use the built package and
// CLI, as a user would: `npm test` builds them before vitest runs.
const ROOT = join(import.meta.dirname, "..");
const DIST = join(ROOT, "dist", "index.js");
const CLI = join(ROOT, "dist", "cli.js");
const lib = (await import(DIST)) as typeof import("../src/index.js");

const asOf = "2023-05-31";
/** Valid organizations with refused inputs in between, at known positions. */
function mixedBatch(count: number): unknown[] {
  const inputs: unknown[] = [...generatePopulation({ count, seed: 4242, asOf })];
  inputs[7] = { ...(inputs[7] as object), satisfactionPercent: 150 };
  inputs[200] = "not a record";
  inputs[count - 1] = { ...(inputs[count - 1] as object), registeredOn: "2030-01-01" };
  return inputs;
}

describe("evaluateMany on worker threads", () => {
  const inputs = mixedBatch(600);
  it("returns every input, in input order, the same rows as on one thread", async () => {
    const evaluator = lib.createEvaluator();
    const alone = await evaluator.evaluateMany(inputs, { asOf, workers: 0 });
    const parallel = await evaluator.evaluateMany(inputs, { asOf, workers: 2 });
    expect(parallel.map((r) => r.index)).toEqual(inputs.map((_, i) => i));
    expect(parallel.filter((r) => !r.ok).map((r) => [r.index, r.ok === false && r.error.code])).toEqual([
      [7, "invalid_record"],
      [200, "invalid_record"],
      [599, "invalid_record"],
    ]);
    expect(JSON.stringify(parallel)).toBe(JSON.stringify(alone));
  });

  it("runs the reference engine in workers too, with the same results", async () => {
    const few = inputs.slice(0, 300);
    const rows = await lib.createEvaluator(undefined, { engine: "reference" }).evaluateMany(few, { asOf, workers: 2 });
    expect(JSON.stringify(rows)).toBe(JSON.stringify(await lib.createEvaluator().evaluateMany(few, { asOf, workers: 0 })));
  });

  it("spreads a batch of PARALLEL_THRESHOLD records or more over workers by default, in order", async () => {
    const large = [...generatePopulation({ count: lib.PARALLEL_THRESHOLD + 10, seed: 9, asOf })];
    const evaluator = lib.createEvaluator();
    const ids: string[] = [];
    for await (const row of evaluator.evaluateEach(large, { asOf })) ids.push(row.ok ? row.result.organizationId : "refused");
    expect(ids).toEqual(large.map((r) => r.id));
  });

  it("streams from an async iterable and stops the workers when the consumer stops early", async () => {
    async function* slowly() {
      for (const r of inputs) yield r;
    }
    const seen: number[] = [];
    for await (const row of lib.createEvaluator().evaluateEach(slowly(), { asOf, workers: 2 })) {
      seen.push(row.index);
      if (seen.length === 260) break;
    }
    expect(seen).toEqual(Array.from({ length: 260 }, (_, i) => i));
  });

  it("refuses a worker count that is not a whole number", async () => {
    await expect(lib.createEvaluator().evaluateMany(inputs, { asOf, workers: 1.5 })).rejects.toThrow(/whole number/);
  });
});

describe("score on worker threads (CLI)", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "soc-parallel-"));
    const lines = mixedBatch(320).map((r) => JSON.stringify(r));
    lines.splice(100, 0, "{ not json");
    lines.splice(260, 0, JSON.stringify({ asOf: "2023-05-31", record: { id: "envelope-without-much" } }));
    writeFileSync(join(dir, "batch.ndjson"), `${lines.join("\n")}\n`);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const score = (...args: string[]) => spawnSync(process.execPath, [CLI, "score", join(dir, "batch.ndjson"), "--as-of", asOf, ...args], { encoding: "utf8", maxBuffer: 1 << 30 });

  let aloneNdjson = "";
  it("writes the same bytes, in input order, with and without workers (text written as the workers serialized it, or parsed)", () => {
    // ndjson writes the workers' JSON text as is; csv reads the parsed results.
    for (const format of ["ndjson", "csv"]) {
      const alone = score("--format", format, "--workers", "0");
      const parallel = score("--format", format, "--workers", "2");
      expect(parallel.status, parallel.stderr).toBe(1);
      expect(parallel.stdout, format).toBe(alone.stdout);
      expect(parallel.stderr.startsWith("read 322, scored 317, refused 5")).toBe(true);
      if (format === "ndjson") aloneNdjson = alone.stdout;
    }
    const rows = ndjsonResults<{ row?: number; organizationId: string }>(aloneNdjson);
    expect(rows).toHaveLength(322);
    expect(rows.filter((r) => r.row !== undefined).map((r) => r.row)).toEqual([7, 100, 201, 260, 321]);
  });

  it("gives byte-identical output with --engine reference, and writes the same to a file with --out", () => {
    const out = join(dir, "out.ndjson");
    const reference = score("--format", "ndjson", "--workers", "2", "--engine", "reference", "--out", out);
    expect(reference.stdout).toBe("");
    expect(readFileSync(out, "utf8")).toBe(aloneNdjson);
  });

  it("writes the same bytes over many chunks, when the workers write into buffers handed back to them", () => {
    // 3,000 lines: about a dozen chunks per worker, so each worker writes again into buffers it sent before.
    const lines = mixedBatch(3000).map((r) => JSON.stringify(r));
    lines.splice(1500, 0, "", "{ broken");
    const path = join(dir, "many.ndjson");
    writeFileSync(path, `${lines.join("\r\n")}\r\n`);
    const run = (workers: string) => spawnSync(process.execPath, [CLI, "score", path, "--as-of", asOf, "--format", "ndjson", "--workers", workers], { encoding: "utf8", maxBuffer: 1 << 30 });
    const alone = run("0");
    const parallel = run("2");
    expect(parallel.status, parallel.stderr).toBe(1);
    expect(parallel.stdout === alone.stdout).toBe(true);
    expect(parallel.stderr.startsWith("read 3001, scored 2997, refused 4")).toBe(true);
  });

  it("refuses an unknown engine or a bad worker count with exit code 2", () => {
    const engine = score("--engine", "fast");
    expect(engine.status).toBe(2);
    expect(engine.stderr).toMatch(/--engine must be compiled or reference; found fast/);
    const workers = score("--workers", "two");
    expect(workers.status).toBe(2);
    expect(workers.stderr).toMatch(/--workers must be a whole number from 0 to 64; found two/);
  });
});
