import { createWriteStream, type WriteStream } from "node:fs";
import { once } from "node:events";
import type { TextSink } from "./output.js";

/** Bytes gathered before one write to the stream: a write per row costs more than the row's text. */
const WRITE_BYTES = 1 << 20;

/**
 * A text sink on a file or standard output that waits when the stream is full (bounded memory). Text is
 * encoded straight into a buffer that is written when full, bytes are copied into it.
 */
export function openSink(outPath: string | null): { sink: TextSink; close(): Promise<void> } {
  // A file stream that takes a few buffers before it asks the writer to wait.
  const stream: NodeJS.WritableStream | WriteStream = outPath ? createWriteStream(outPath, { highWaterMark: 4 * WRITE_BYTES }) : process.stdout;
  // Buffers the stream has finished writing, reused: a fresh megabyte per write would be memory for the
  // garbage collector to account for, and new pages for the system to hand out, a thousand times a gigabyte.
  const free: Buffer[] = [];
  let buffer: Buffer = Buffer.allocUnsafe(WRITE_BYTES);
  let used = 0;
  const send = async (data: Uint8Array | string, done?: () => void) => {
    if (!stream.write(data, done)) await once(stream, "drain");
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
    sink: {
      write(data) {
        // UTF-8 takes at most 3 bytes per UTF-16 unit.
        const most = typeof data === "string" ? data.length * 3 : data.length;
        if (most > WRITE_BYTES - used) return writeLarge(data, most);
        append(data);
      },
    },
    async close() {
      await flush();
      if (outPath) {
        (stream as WriteStream).end();
        await once(stream, "finish");
      }
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
