/** A worker thread of a parallel batch: builds the evaluator once, then evaluates the chunks it is sent. */
import { parentPort, workerData } from "node:worker_threads";
import { createEvaluator, evaluateTask } from "../evaluate.js";
import { JsonBytes, ruleSetConstants, writeResultJson } from "../result/serialize.js";
import { fromWire, recordOfTask, type BatchTask, type FromWorker, type ToWorker, type WorkerOutcome, type WorkerSetup } from "./parallel.js";

const { ruleSet, engine } = workerData as WorkerSetup;
const evaluator = createEvaluator(ruleSet, { engine });
// This thread's own copy of the rule set, which nothing changes: its labels and params are encoded once.
const constants = ruleSetConstants(ruleSet);

// Bytes the last chunk's results took: the next chunk's buffer starts that large, so it seldom grows.
let lastChunkBytes = 1 << 20;

async function evaluateChunk(tasks: Array<BatchTask | null>): Promise<{ outcomes: WorkerOutcome[]; bytes: ArrayBuffer }> {
  const outcomes: WorkerOutcome[] = [];
  // One UTF-8 buffer for the chunk, each result written into it as soon as it is built: a buffer handed back
  // by the main thread when one is large enough, else a new one.
  const size = lastChunkBytes + (lastChunkBytes >> 2);
  const reuse = free.findIndex((b) => b.byteLength >= size);
  const out = new JsonBytes(size, constants, reuse >= 0 ? Buffer.from(free.splice(reuse, 1)[0]!) : null);
  for (const t of tasks) {
    if (t === null) {
      outcomes.push(null);
      continue;
    }
    const input = recordOfTask(t);
    if (input === null) {
      outcomes.push(null);
      continue;
    }
    const pending = evaluateTask(evaluator, input.record, t.asOf);
    const o = pending instanceof Promise ? await pending : pending;
    if (o.ok) {
      const start = out.at;
      writeResultJson(out, o.result);
      outcomes.push({ ok: true, start, end: out.at });
    } else outcomes.push(o);
  }
  lastChunkBytes = Math.max(out.at, 1 << 16);
  return { outcomes, bytes: out.bytes.buffer as ArrayBuffer };
}

// Result buffers handed back by the main thread, to write the next chunks into.
const free: ArrayBuffer[] = [];

parentPort!.on("message", (m: ToWorker) => {
  for (const b of m.recycled) if (free.length < 4) free.push(b);
  evaluateChunk(fromWire(m)).then(
    ({ outcomes, bytes }) => parentPort!.postMessage({ id: m.id, outcomes, bytes } satisfies FromWorker, [bytes]),
    (error: unknown) => parentPort!.postMessage({ id: m.id, fault: (error as Error).stack ?? String(error) } satisfies FromWorker),
  );
});
