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
  let buffer = Buffer.allocUnsafe(WRITE_BYTES);
  let used = 0;
  const send = async (data: Uint8Array | string) => {
    if (!stream.write(data)) await once(stream, "drain");
  };
  const flush = async () => {
    if (used === 0) return;
    const full = buffer.subarray(0, used);
    buffer = Buffer.allocUnsafe(WRITE_BYTES);
    used = 0;
    await send(full);
  };
  return {
    sink: {
      async write(data) {
        // UTF-8 takes at most 3 bytes per UTF-16 unit.
        const most = typeof data === "string" ? data.length * 3 : data.length;
        if (most > WRITE_BYTES - used) {
          await flush();
          if (most > WRITE_BYTES) return send(data);
        }
        if (typeof data === "string") used += buffer.write(data, used, "utf8");
        else {
          buffer.set(data, used);
          used += data.length;
        }
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
}
