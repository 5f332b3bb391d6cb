/**
 * An SSE stream's {@link StreamSink} over a node:http `ServerResponse`: the head is written at once, each
 * write goes straight to the response, and a write the socket could not take whole (`write()` returned
 * false) resolves only when the response drains. Nothing of the request is kept: only the response.
 *
 * @example
 * ```ts
 * import type { ServerResponse } from "node:http";
 * import { openEventStream } from "./sse_response.ts";
 * export async function hello(res: ServerResponse): Promise<void> {
 *   const sink = openEventStream(res); // 200, text/event-stream, the security headers
 *   await sink.write(new TextEncoder().encode("retry: 2000\n\n"));
 *   sink.end();
 * }
 * ```
 */
import type { ServerResponse } from "node:http";
import { SECURITY_HEADER_VALUES } from "./app.ts";
import type { StreamSink } from "./sse.ts";

/** Every stream's head: the headers of every response, and what keeps proxies from caching or buffering it. */
export const STREAM_HEADERS: Readonly<Record<string, string>> = {
  ...SECURITY_HEADER_VALUES,
  "Content-Type": "text/event-stream",
  "Cache-Control": "no-store",
  "X-Accel-Buffering": "no",
};

const CLOSED = new Error("the event stream's connection is closed");

/** Writes the stream's head on `res` and returns the sink its events go to. */
export function openEventStream(res: ServerResponse): StreamSink {
  res.writeHead(200, STREAM_HEADERS);
  res.flushHeaders();
  return {
    write: (bytes) => {
      if (res.destroyed) return Promise.reject(CLOSED);
      if (res.write(bytes)) return Promise.resolve(bytes.length);
      return new Promise((resolve, reject) => {
        const drained = () => {
          res.off("close", closed);
          resolve(bytes.length);
        };
        const closed = () => {
          res.off("drain", drained);
          reject(CLOSED);
        };
        res.once("drain", drained);
        res.once("close", closed);
      });
    },
    end: () => res.end(),
    destroy: () => res.destroy(),
    onClose: (listener) => {
      if (res.closed) listener();
      else res.once("close", listener);
    },
  };
}
