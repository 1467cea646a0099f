/** A worker thread of a parallel batch: builds the evaluator once, then evaluates the chunks it is sent. */
import { parentPort, workerData } from "node:worker_threads";
import { createEvaluator, evaluateTask } from "../evaluate.js";
import type { FromWorker, ToWorker, WorkerOutcome, WorkerSetup } from "./parallel.js";

const { ruleSet, engine } = workerData as WorkerSetup;
const evaluator = createEvaluator(ruleSet, { engine });

async function evaluateChunk(tasks: ToWorker["tasks"]): Promise<WorkerOutcome[]> {
  const outcomes: WorkerOutcome[] = [];
  for (const t of tasks) {
    if (t === null) {
      outcomes.push(null);
      continue;
    }
    const pending = evaluateTask(evaluator, t.record, t.asOf);
    const o = pending instanceof Promise ? await pending : pending;
    // The result travels as JSON text: cheaper to pass than a structured clone, and written as is.
    outcomes.push(o.ok ? { ok: true, json: JSON.stringify(o.result) } : o);
  }
  return outcomes;
}

parentPort!.on("message", (m: ToWorker) => {
  evaluateChunk(m.tasks).then(
    (outcomes) => parentPort!.postMessage({ id: m.id, outcomes } satisfies FromWorker),
    (error: unknown) => parentPort!.postMessage({ id: m.id, fault: (error as Error).stack ?? String(error) } satisfies FromWorker),
  );
});
