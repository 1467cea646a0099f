import { createWriteStream, type WriteStream } from "node:fs";
import { once } from "node:events";
import type { TextSink } from "./output.js";

/** A text sink on a file or standard output that waits when the stream is full (bounded memory). */
export function openSink(outPath: string | null): { sink: TextSink; close(): Promise<void> } {
  const stream: NodeJS.WritableStream | WriteStream = outPath ? createWriteStream(outPath) : process.stdout;
  return {
    sink: {
      async write(text: string) {
        if (!stream.write(text)) await once(stream, "drain");
      },
    },
    async close() {
      if (outPath) {
        (stream as WriteStream).end();
        await once(stream, "finish");
      }
    },
  };
}
