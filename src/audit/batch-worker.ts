/** A worker thread of a parallel batch: builds the evaluator once, then evaluates the chunks it is sent. */
import { parentPort, workerData } from "node:worker_threads";
import { createEvaluator, evaluateTask } from "../evaluate.js";
import { recordOfTask, type FromWorker, type ToWorker, type WorkerOutcome, type WorkerSetup } from "./parallel.js";

const { ruleSet, engine } = workerData as WorkerSetup;
const evaluator = createEvaluator(ruleSet, { engine });

async function evaluateChunk(tasks: ToWorker["tasks"]): Promise<{ outcomes: WorkerOutcome[]; bytes: ArrayBuffer }> {
  const outcomes: WorkerOutcome[] = [];
  const texts: string[] = [];
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
      texts.push(JSON.stringify(o.result));
      outcomes.push({ ok: true, start: 0, end: 0 });
    } else outcomes.push(o);
  }
  // One UTF-8 buffer for the chunk (3 bytes per UTF-16 unit at most); pages left unwritten cost no memory.
  const bytes = Buffer.allocUnsafeSlow(texts.reduce((n, t) => n + t.length * 3, 0));
  let at = 0;
  let next = 0;
  for (const o of outcomes) {
    if (o === null || !o.ok) continue;
    o.start = at;
    at += bytes.write(texts[next++]!, at, "utf8");
    o.end = at;
  }
  return { outcomes, bytes: bytes.buffer as ArrayBuffer };
}

parentPort!.on("message", (m: ToWorker) => {
  evaluateChunk(m.tasks).then(
    ({ outcomes, bytes }) => parentPort!.postMessage({ id: m.id, outcomes, bytes } satisfies FromWorker, [bytes]),
    (error: unknown) => parentPort!.postMessage({ id: m.id, fault: (error as Error).stack ?? String(error) } satisfies FromWorker),
  );
});
