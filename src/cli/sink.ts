import { once } from "node:events";
import { openOutputFile, type OutputFile } from "./atomic-file.js";
import type { TextSink } from "./output.js";

/** Bytes gathered before one write to the stream: a write per row costs more than the row's text. */
const WRITE_BYTES = 1 << 20;

/** An open output: text goes to `sink`; `close` puts the file in place whole, `abort` drops it. */
export interface Sink {
  sink: TextSink;
  /** The output file, or null for standard output. A binary format writes to its stream itself. */
  file: OutputFile | null;
  /** Rejects once the output fails (never for standard output, whose faults end the process). */
  failed: Promise<never>;
  /** Writes what is gathered and, for a file, syncs it and renames it over its target. */
  close(): Promise<void>;
  /** Drops a file not yet closed: its temporary file is removed, the target stays as it was. */
  abort(): void;
}

/**
 * A text sink on a file or standard output that waits when the stream is full (bounded memory). Text is
 * encoded straight into a buffer that is written when full, bytes are copied into it. A file is written
 * beside its target and renamed into place by `close` (see openOutputFile): whole, or not at all.
 *
 * @param outPath - the file, or null for standard output
 * @returns the sink, and how to finish or drop it
 * @throws OutputError when the file cannot be created
 */
export function openSink(outPath: string | null): Sink {
  const file = outPath ? openOutputFile(outPath, 4 * WRITE_BYTES) : null;
  const stream: NodeJS.WritableStream = file ? file.stream : process.stdout;
  const failed: Promise<never> = file ? file.failed : new Promise<never>(() => {});
  // Buffers the stream has finished writing, reused: a fresh megabyte per write would be memory for the
  // garbage collector to account for, and new pages for the system to hand out, a thousand times a gigabyte.
  const free: Buffer[] = [];
  let buffer: Buffer = Buffer.allocUnsafe(WRITE_BYTES);
  let used = 0;
  const send = async (data: Uint8Array | string, done?: () => void) => {
    file?.check();
    if (!stream.write(data, done)) await Promise.race([once(stream, "drain"), failed]);
  };
  const flush = async () => {
    if (used === 0) return;
    const full = buffer;
    const n = used;
    buffer = free.pop() ?? Buffer.allocUnsafe(WRITE_BYTES);
    used = 0;
    await send(full.subarray(0, n), () => {
      if (free.length < 8) free.push(full);
    });
  };
  return {
    file,
    failed,
    sink: {
      write(data) {
        // UTF-8 takes at most 3 bytes per UTF-16 unit.
        const most = typeof data === "string" ? data.length * 3 : data.length;
        if (most > WRITE_BYTES - used) return writeLarge(data, most);
        append(data);
      },
    },
    async close() {
      try {
        await flush();
        await file?.commit();
      } finally {
        file?.abort();
      }
    },
    abort() {
      file?.abort();
    },
  };

  function append(data: Uint8Array | string): void {
    if (typeof data === "string") used += buffer.write(data, used, "utf8");
    else {
      buffer.set(data, used);
      used += data.length;
    }
  }

  async function writeLarge(data: Uint8Array | string, most: number): Promise<void> {
    await flush();
    // Bytes are copied: the caller may reuse its buffer as soon as this returns.
    if (most > WRITE_BYTES) return send(typeof data === "string" ? data : Buffer.from(data));
    append(data);
  }
}
