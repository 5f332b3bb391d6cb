/**
 * A cap on request bodies: one that says its length (`Content-Length`, which node:http holds it to) is
 * refused with 413 before a byte of it is read; any other (chunked) is read here up to the cap, and refused
 * as soon as it passes it. Hono's own `bodyLimit` re-wraps the request with `new Request(c.req.raw)`, which
 * Deno's Request refuses for the lighter request object @hono/node-server hands the app (unless that
 * adapter replaces the global Request, which it is told not to: see http.ts), so this one builds a new
 * Request from the parts instead.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { limitBody } from "./body_limit.ts";
 * const app = new Hono().use(limitBody(16, (c) => c.json({ error: "too large" }, 413)));
 * app.post("/", async (c) => c.text(await c.req.text()));
 * const response = await app.request("/", { method: "POST", body: "x".repeat(17) }); // 413
 * ```
 */
import type { Context, Env, MiddlewareHandler } from "hono";
import { concat } from "../io/bytes.ts";

export function limitBody<E extends Env>(
  maxBytes: number | ((c: Context<E>) => number),
  tooLarge: (c: Context<E>, maxBytes: number) => Response,
): MiddlewareHandler<E> {
  return async (c, next) => {
    // No body to read; asking the adapter's request for one would build a whole Request (and keep it, for
    // as long as the adapter keeps the request: an event stream's whole life).
    if (c.req.method === "GET" || c.req.method === "HEAD") return await next();
    const max = typeof maxBytes === "function" ? maxBytes(c) : maxBytes;
    const length = c.req.header("Content-Length");
    if (length !== undefined) return Number(length) > max ? tooLarge(c, max) : await next();
    if (!c.req.raw.body) return await next();
    const body = await readUpTo(c.req.raw.body, max);
    if (!body) return tooLarge(c, max);
    c.req.raw = new Request(c.req.url, { method: c.req.method, headers: c.req.raw.headers, body });
    return await next();
  };
}

/** The whole stream's bytes, or undefined as soon as there are more than `max` (the rest is not read). */
async function readUpTo(stream: ReadableStream<Uint8Array>, max: number): Promise<Uint8Array<ArrayBuffer> | undefined> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > max) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  return concat(chunks, size);
}
