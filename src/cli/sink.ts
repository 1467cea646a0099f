import { createWriteStream, type WriteStream } from "node:fs";
import { once } from "node:events";
import type { TextSink } from "./output.js";

/** Text gathered before one write to the stream: a write per row costs more than the row's text. */
const WRITE_BYTES = 1 << 16;

/** A text sink on a file or standard output that waits when the stream is full (bounded memory). */
export function openSink(outPath: string | null): { sink: TextSink; close(): Promise<void> } {
  const stream: NodeJS.WritableStream | WriteStream = outPath ? createWriteStream(outPath) : process.stdout;
  let pending = "";
  const flush = async () => {
    if (pending === "") return;
    const text = pending;
    pending = "";
    if (!stream.write(text)) await once(stream, "drain");
  };
  return {
    sink: {
      async write(text: string) {
        pending += text;
        if (pending.length >= WRITE_BYTES) await flush();
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
