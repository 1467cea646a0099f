import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { getHeapStatistics } from "node:v8";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { unwrap } from "../_lib/envelope.js";
import { decodeLine } from "../_lib/line-text.js";
import { parseStrictJson } from "../_lib/strict-json.js";
import type { BatchError, EngineName } from "../evaluate.js";
import type { Result } from "../result/types.js";
import type { RuleSet } from "../rule-set/schema.js";

/**
 * One record to evaluate on its date: the record itself, or the JSON text of the record or of an envelope
 * `{ asOf, record }` (its record is taken; asOf is the task's), or that text as the raw UTF-8 bytes of an
 * NDJSON line (decoded as the CLI's reader decodes a line), parsed by whoever evaluates it. A text that
 * is not JSON is not evaluated: its outcome is null, for the caller to report as it reads it.
 */
export type BatchTask = { record: unknown; asOf: string } | { text: string; asOf: string } | { bytes: Uint8Array; asOf: string };

/**
 * The record of a task, parsing a text task strictly (a repeated key or an unpaired surrogate is refused, as the CLI's readers refuse it); null for a text that is not strict JSON.
 *
 * @param task - a batch task
 * @returns `{ record }`, or null
 */
export function recordOfTask(task: BatchTask): { record: unknown } | null {
  if ("record" in task) return task;
  try {
    return { record: unwrap(parseStrictJson("text" in task ? task.text : decodeLine(task.bytes))).record };
  } catch {
    return null;
  }
}

/** What became of a task: its result (and, from a worker, the result already serialized as UTF-8 JSON), or its refusal. */
export type TaskOutcome =
  | { ok: true; result: Result; json?: Uint8Array }
  | { ok: false; organizationId: string | null; error: BatchError };

/** Smallest batch spread over worker threads by default; below it, starting workers costs more than it saves. */
export const PARALLEL_THRESHOLD = 2048;
/** Records per message to a worker: large enough to amortize messaging, small enough to keep memory bounded. */
const CHUNK_SIZE = 128;
/** Chunks a worker may hold at once: one being evaluated, one waiting, so that no worker idles. */
const CHUNKS_PER_WORKER = 2;

/**
 * A worker's heap. Young generation: a Result is a few hundred short-lived objects; measured on the CLI,
 * 64 MB costs less CPU per record than the default or 32 MB. Old generation: what lives on is the rule set
 * and a chunk or two (a few MB), so a cap makes V8 collect rather than grow; without it, two workers and the
 * main thread passed 500 MB over a million records.
 */
const workerHeap = () => ({ maxYoungGenerationSizeMb: 64, maxOldGenerationSizeMb: heapFromEnvironment() ?? 128 });

/**
 * The old generation of a batch worker from SOCIAL_ORG_CREDIT_WORKER_HEAP_MB (16 to 65536), if set: for a
 * machine with more or less memory, and for the tests, which make workers run out of memory on purpose.
 */
function heapFromEnvironment(): number | null {
  const text = process.env.SOCIAL_ORG_CREDIT_WORKER_HEAP_MB;
  const mb = text === undefined ? Number.NaN : Number(text);
  return Number.isInteger(mb) && mb >= 16 && mb <= 65_536 ? mb : null;
}

/**
 * The heap of the worker that retries, one row at a time, the rows of a chunk whose worker failed: as large
 * as this thread's own, so that a record this thread could evaluate is evaluated there too.
 */
const rescueHeap = () => ({ maxYoungGenerationSizeMb: 64, maxOldGenerationSizeMb: Math.max(workerHeap().maxOldGenerationSizeMb, Math.floor(getHeapStatistics().heap_size_limit / 2 ** 20)) });

/** The error code of a row whose evaluation stopped the worker thread evaluating it, on every retry. */
export const WORKER_FAILED = "worker_failed";

/** Why a worker gave back no outcomes for a chunk: it stopped (out of memory, crashed) or its evaluation threw. */
class WorkerFailure extends Error {
  override name = "WorkerFailure";
}
/** A worker that stopped before it was ready (its evaluator built): no worker of this batch would start. */
class CannotStart extends WorkerFailure {
  override name = "CannotStart";
}
/** A chunk that cannot be copied to a worker (a record holding a function, a Proxy…): evaluated on this thread. */
class NotCloneable extends Error {
  override name = "NotCloneable";
}

/** Why a worker stopped, in a few words. */
function stopReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === "ERR_WORKER_OUT_OF_MEMORY") return "it ran out of memory";
  const message = error instanceof Error ? error.message : String(error);
  return `it stopped: ${message.split("\n")[0]!.slice(0, 200)}`;
}

/**
 * What a worker sends back for one task: where its result's JSON lies in the chunk's bytes. A chunk's
 * results travel as one UTF-8 buffer, transferred, not copied: the main thread neither clones objects nor
 * holds the text on its heap, and writes the bytes as they are.
 */
export type WorkerOutcome = { ok: true; start: number; end: number } | { ok: false; organizationId: string | null; error: BatchError } | null;

/**
 * A task as it travels to a worker: a bytes task becomes the place of its bytes in the chunk's one buffer
 * (copied there and transferred, not cloned line by line).
 */
export type WireTask = Exclude<BatchTask, { bytes: Uint8Array }> | { start: number; end: number; asOf: string };

/**
 * The messages between the main thread and a batch worker. `recycled` hands back result buffers of earlier
 * chunks, once their rows have been handed out, for the worker to write into again (transferred both ways, so
 * neither thread allocates a fresh megabyte per chunk).
 */
export type ToWorker = { id: number; tasks: Array<WireTask | null>; bytes: ArrayBuffer | null; recycled: ArrayBuffer[] };
export type FromWorker = { id: number; outcomes: WorkerOutcome[]; bytes: ArrayBuffer } | { id: number; fault: string } | { ready: true };

/** The data a batch worker starts with: the rule set (plain data) and the engine to build. */
export interface WorkerSetup {
  ruleSet: RuleSet;
  engine: EngineName;
}

/** A result received as JSON from a worker, parsed only if someone reads it (text outputs write the JSON as is). */
class SerializedOutcome {
  readonly ok = true;
  private parsed: Result | undefined;

  constructor(readonly json: Uint8Array) {}

  get result(): Result {
    const json = this.json;
    return (this.parsed ??= JSON.parse(Buffer.from(json.buffer, json.byteOffset, json.byteLength).toString("utf8")) as Result);
  }
}
const serializedOutcome = (json: Uint8Array): Extract<TaskOutcome, { ok: true }> => new SerializedOutcome(json);

/**
 * The built worker script: beside this module once built (dist/), else this package's dist/ when run
 * from the sources (tests, tsx); null when it has not been built.
 */
function workerScript(): URL | null {
  const beside = new URL("./batch-worker.js", import.meta.url);
  if (existsSync(fileURLToPath(beside))) return beside;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const candidate = join(dir, "dist", "batch-worker.js");
    if (existsSync(candidate)) return pathToFileURL(candidate);
    dir = dirname(dir);
  }
  return null;
}

/** Options of `evaluateInOrder`. */
export interface InOrderOptions extends WorkerSetup {
  /** Worker threads; 0 for none; by default one per core when there are at least PARALLEL_THRESHOLD items. */
  workers?: number | undefined;
  /** Evaluates a task on this thread (small batches, or no workers); null as for a text task that is not JSON. */
  local(task: BatchTask): TaskOutcome | null | Promise<TaskOutcome | null>;
  /** Told when a worker failed and the rows of its chunk are evaluated again, one at a time (the CLI says so). */
  onRetry?: ((retry: { first: number; rows: number; reason: string }) => void) | undefined;
}

async function* inThread<T>(items: AsyncIterator<T>, head: T[], task: (item: T) => BatchTask | null, local: InOrderOptions["local"]): AsyncGenerator<[T, TaskOutcome | null]> {
  const outcome = async (item: T): Promise<[T, TaskOutcome | null]> => {
    const t = task(item);
    return [item, t === null ? null : await local(t)];
  };
  for (const item of head) yield await outcome(item);
  for (let r = await items.next(); !r.done; r = await items.next()) yield await outcome(r.value);
}

/** A chunk's message: the bytes of its bytes tasks gathered into one buffer, to be transferred. */
function toWire(id: number, tasks: Array<BatchTask | null>, recycled: ArrayBuffer[]): ToWorker {
  let size = 0;
  let any = false;
  for (const t of tasks) {
    if (t !== null && "bytes" in t) {
      size += t.bytes.length;
      any = true;
    }
  }
  if (!any) return { id, tasks: tasks as Array<WireTask | null>, bytes: null, recycled };
  const bytes = new Uint8Array(size);
  let at = 0;
  const wire = tasks.map((t): WireTask | null => {
    if (t === null || !("bytes" in t)) return t;
    bytes.set(t.bytes, at);
    at += t.bytes.length;
    return { start: at - t.bytes.length, end: at, asOf: t.asOf };
  });
  return { id, tasks: wire, bytes: bytes.buffer, recycled };
}

/** A chunk's tasks as a worker receives them: each bytes task a view of the chunk's buffer again. */
export function fromWire(message: ToWorker): Array<BatchTask | null> {
  const bytes = message.bytes === null ? null : new Uint8Array(message.bytes);
  return message.tasks.map((t) => (t === null || !("start" in t) ? t : { bytes: bytes!.subarray(t.start, t.end), asOf: t.asOf }));
}

type Outcomes = { outcomes: WorkerOutcome[]; bytes: Uint8Array };

/**
 * One worker thread answering chunks, each message by id. When the worker stops (out of memory, a crash), every
 * chunk it held is rejected with a WorkerFailure and `onStop` is told; a chunk whose evaluation threw is rejected
 * alone, and the worker goes on.
 */
class BatchWorker {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, { resolve(o: Outcomes): void; reject(e: Error): void }>();
  private stopped: string | null = null;
  private ready = false;

  constructor(script: URL, setup: WorkerSetup, heap: ReturnType<typeof workerHeap>) {
    this.worker = new Worker(script, { workerData: setup, resourceLimits: heap });
    this.worker.on("message", (m: FromWorker) => {
      if ("ready" in m) {
        this.ready = true;
        return;
      }
      const w = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      if ("fault" in m) w?.reject(new WorkerFailure(`its evaluation threw: ${m.fault.split("\n")[0]!.slice(0, 200)}`));
      else w?.resolve({ outcomes: m.outcomes, bytes: new Uint8Array(m.bytes) });
    });
    this.worker.on("error", (e) => this.stop(stopReason(e)));
    this.worker.on("exit", (code) => this.stop(`it stopped with exit code ${code}`));
  }

  get alive(): boolean {
    return this.stopped === null;
  }

  private stop(reason: string): void {
    if (this.stopped !== null) return;
    this.stopped = reason;
    const failure = this.ready ? new WorkerFailure(reason) : new CannotStart(`it stopped before it was ready: ${reason}`);
    for (const w of this.waiting.values()) w.reject(failure);
    this.waiting.clear();
  }

  send(message: ToWorker): Promise<Outcomes> {
    if (this.stopped !== null) return Promise.reject(this.ready ? new WorkerFailure(this.stopped) : new CannotStart(this.stopped));
    const done = new Promise<Outcomes>((resolve, reject) => this.waiting.set(message.id, { resolve, reject }));
    try {
      this.worker.postMessage(message, message.bytes ? [message.bytes, ...message.recycled] : message.recycled);
    } catch (error) {
      this.waiting.delete(message.id);
      return Promise.reject(new NotCloneable(error instanceof Error ? error.message : String(error)));
    }
    return done;
  }

  async close(): Promise<void> {
    this.stopped ??= "closed";
    this.worker.removeAllListeners("exit");
    this.worker.removeAllListeners("error");
    this.worker.on("error", () => {});
    await this.worker.terminate();
  }
}

class WorkerPool {
  private readonly workers: BatchWorker[];
  /** Per worker, buffers to hand back with its next chunk. */
  private readonly returns: ArrayBuffer[][];
  /** The worker that retries rows one at a time, with a larger heap; started when first needed. */
  private rescuer: BatchWorker | null = null;
  /** Set when the rescue worker could not even start: rows to retry are then evaluated on this thread. */
  rescueOnThisThread = false;

  constructor(private readonly script: URL, count: number, private readonly setup: WorkerSetup) {
    this.returns = Array.from({ length: count }, () => []);
    this.workers = Array.from({ length: count }, () => new BatchWorker(script, setup, workerHeap()));
  }

  /** Sends a chunk to a worker, chosen round robin by chunk id; resolves with its outcomes. */
  send(id: number, tasks: Array<BatchTask | null>): Promise<Outcomes> {
    const to = id % this.workers.length;
    // A worker that stopped is replaced when next needed (its chunks are retried row by row): the batch goes on.
    if (!this.workers[to]!.alive) {
      void this.workers[to]!.close();
      this.workers[to] = new BatchWorker(this.script, this.setup, workerHeap());
      this.returns[to] = [];
    }
    const message = toWire(id, tasks, this.returns[to]!.splice(0));
    return this.workers[to]!.send(message);
  }

  /**
   * Evaluates one task alone in the rescue worker, whose heap is as large as this thread's.
   *
   * @throws WorkerFailure when the task stops that worker too (a fresh one takes the next task) or throws there
   */
  rescue(task: BatchTask): Promise<Outcomes> {
    if (this.rescuer !== null && !this.rescuer.alive) void this.rescuer.close();
    if (this.rescuer === null || !this.rescuer.alive) this.rescuer = new BatchWorker(this.script, this.setup, rescueHeap());
    return this.rescuer.send(toWire(0, [task], []));
  }

  /** Hands a chunk's result buffer back to the worker that wrote it, with its next chunk. */
  recycle(id: number, buffer: ArrayBuffer): void {
    const returns = this.returns[id % this.workers.length]!;
    if (returns.length < 2) returns.push(buffer);
  }

  async close(): Promise<void> {
    await Promise.all([...this.workers, ...(this.rescuer ? [this.rescuer] : [])].map((w) => w.close()));
  }
}

/** The id a task's record gives, if it can be read without a fault: for naming a row a worker failed on. */
function organizationIdOf(task: BatchTask): string | null {
  try {
    const input = recordOfTask(task);
    const id = input !== null && input.record !== null && typeof input.record === "object" ? (input.record as { id?: unknown }).id : undefined;
    return typeof id === "string" ? id.slice(0, 64) : null;
  } catch {
    return null;
  }
}

/** The error row of a task that stopped the worker evaluating it, on every retry. */
function failedRow(task: BatchTask, position: number, reason: string): TaskOutcome {
  const organizationId = organizationIdOf(task);
  const which = `input ${position + 1} of the batch${organizationId === null ? "" : ` (organization ${organizationId})`}`;
  return {
    ok: false,
    organizationId,
    error: {
      code: WORKER_FAILED,
      message: `the worker thread evaluating ${which} failed on it, also when retried alone with a larger heap: ${reason}; every other input was evaluated`,
      issues: [],
    },
  };
}

/** An outcome as a worker sent it, read from the chunk's bytes. */
function outcomeOf(o: WorkerOutcome, bytes: Uint8Array): TaskOutcome | null {
  return o === null ? null : o.ok ? serializedOutcome(bytes.subarray(o.start, o.end)) : o;
}

/**
 * The outcomes of a chunk whose worker failed: each task again, alone, in the rescue worker; a task that fails
 * there too comes back as its error row. A chunk that could not be copied to a worker is evaluated here.
 */
async function retried(pool: WorkerPool, tasks: Array<BatchTask | null>, first: number, failure: unknown, local: InOrderOptions["local"]): Promise<Array<TaskOutcome | null>> {
  if (!(failure instanceof WorkerFailure) && !(failure instanceof NotCloneable)) throw failure;
  const outcomes: Array<TaskOutcome | null> = [];
  for (const [i, t] of tasks.entries()) {
    if (t === null) {
      outcomes.push(null);
      continue;
    }
    if (failure instanceof NotCloneable || pool.rescueOnThisThread) {
      outcomes.push(await local(t));
      continue;
    }
    try {
      const { outcomes: [o], bytes } = await pool.rescue(t);
      outcomes.push(outcomeOf(o ?? null, bytes));
    } catch (error) {
      if (error instanceof CannotStart) pool.rescueOnThisThread = true;
      if (error instanceof NotCloneable || error instanceof CannotStart) outcomes.push(await local(t));
      else if (error instanceof WorkerFailure) outcomes.push(failedRow(t, first + i, error.message));
      else throw error;
    }
  }
  return outcomes;
}

async function* inWorkers<T>(
  items: AsyncIterator<T>,
  head: T[],
  task: (item: T) => BatchTask | null,
  pool: WorkerPool,
  inFlightLimit: number,
  { local, onRetry }: Pick<InOrderOptions, "local" | "onRetry">,
): AsyncGenerator<[T, TaskOutcome | null]> {
  type Chunk = { id: number; first: number; items: T[]; tasks: Array<BatchTask | null>; outcomes: Promise<Outcomes> };
  const chunks: Chunk[] = [];
  let sent = 0;
  let read = 0;
  let exhausted = false;
  let fromHead = 0;
  const next = async (): Promise<IteratorResult<T>> => (fromHead < head.length ? { done: false, value: head[fromHead++]! } : items.next());
  const fill = async () => {
    while (!exhausted && chunks.length < inFlightLimit) {
      const chunk: T[] = [];
      while (chunk.length < CHUNK_SIZE) {
        const r = await next();
        if (r.done) {
          exhausted = true;
          break;
        }
        chunk.push(r.value);
      }
      if (chunk.length === 0) break;
      const id = sent++;
      const tasks = chunk.map(task);
      const outcomes = pool.send(id, tasks);
      outcomes.catch(() => {}); // observed when its turn comes; avoids an unhandled rejection meanwhile
      chunks.push({ id, first: read, items: chunk, tasks, outcomes });
      read += chunk.length;
    }
  };
  await fill();
  while (chunks.length > 0) {
    const chunk = chunks.shift()!;
    let done: Outcomes | null = null;
    let failure: unknown = null;
    try {
      done = await chunk.outcomes;
    } catch (error) {
      failure = error;
    }
    // Refill before handing rows out, so the workers keep busy while the consumer writes.
    await fill();
    if (done === null) {
      // Only when a worker failed: the chunk's rows again, one at a time; every row still comes back.
      onRetry?.({ first: chunk.first, rows: chunk.items.length, reason: failure instanceof Error ? failure.message : String(failure) });
      const outcomes = await retried(pool, chunk.tasks, chunk.first, failure, local);
      for (let i = 0; i < chunk.items.length; i++) yield [chunk.items[i]!, outcomes[i]!];
      continue;
    }
    const { outcomes, bytes } = done;
    for (let i = 0; i < chunk.items.length; i++) yield [chunk.items[i]!, outcomeOf(outcomes[i]!, bytes)];
    // Every row of the chunk has been handed out and written: its buffer goes back to its worker.
    pool.recycle(chunk.id, bytes.buffer as ArrayBuffer);
  }
}

/**
 * Evaluates a stream of items in input order, spreading large streams over worker threads. Memory stays
 * bounded: at most a few chunks per worker are read ahead of the rows handed out. A result from a worker
 * comes as `json`, a view of its chunk's buffer, and a `result` parsed from it when read: both must be used
 * before the next item is requested, when the buffer may go back to the worker (the view is then empty).
 *
 * @param items - anything to evaluate, sync or async iterable
 * @param task - the record and asOf of an item, or null for an item that is not to be evaluated (it comes back with a null outcome)
 * @param options - rule set and engine, worker count, and the evaluation on this thread
 * @returns every item with its outcome, in input order
 * @example
 * for await (const [item, outcome] of evaluateInOrder(rows, (r) => ({ record: r.record, asOf: r.asOf }), { ruleSet, engine: "compiled", local })) { ... }
 */
export async function* evaluateInOrder<T>(
  items: Iterable<T> | AsyncIterable<T>,
  task: (item: T) => BatchTask | null,
  options: InOrderOptions,
): AsyncGenerator<[T, TaskOutcome | null]> {
  // Not an async generator over a sync iterable: `yield` awaits its value, which reads `then` of the
  // item itself, and a hostile item (a Proxy) may throw there.
  const iterator: AsyncIterator<T> =
    Symbol.asyncIterator in items
      ? (items as AsyncIterable<T>)[Symbol.asyncIterator]()
      : ((sync: Iterator<T>) => ({ next: async () => sync.next() }))((items as Iterable<T>)[Symbol.iterator]());
  const requested = options.workers;
  if (requested !== undefined && (!Number.isInteger(requested) || requested < 0)) throw new RangeError(`workers must be a whole number, 0 or more; found ${requested}`);
  const head: T[] = [];
  if (requested === undefined) {
    // Read ahead far enough to know whether the batch is large.
    while (head.length < PARALLEL_THRESHOLD) {
      const r = await iterator.next();
      if (r.done) break;
      head.push(r.value);
    }
  }
  const large = requested === undefined ? head.length >= PARALLEL_THRESHOLD : requested > 0;
  const script = large ? workerScript() : null;
  if (requested !== undefined && requested > 0 && script === null) {
    throw new Error("worker threads need the built worker (dist/batch-worker.js): run `npm run build` first, or pass workers: 0");
  }
  if (!large || script === null) {
    yield* inThread(iterator, head, task, options.local);
    return;
  }
  const count = requested ?? availableParallelism();
  const pool = new WorkerPool(script, count, { ruleSet: options.ruleSet, engine: options.engine });
  try {
    yield* inWorkers(iterator, head, task, pool, count * CHUNKS_PER_WORKER, options);
  } finally {
    await pool.close();
  }
}
