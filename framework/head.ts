/**
 * HEAD answers the `Content-Length` its GET would. Hono answers HEAD by running the GET route and dropping
 * the body, and node:http then sends no length at all; this measures the body the route made (pages,
 * files, the island bundle and JSON are all in memory) and keeps its length on the head. Event streams
 * are left alone: their body never ends.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { headLength } from "./head.ts";
 * const app = new Hono().use(headLength).get("/", (c) => c.text("hello"));
 * const head = await app.request("/", { method: "HEAD" });
 * head.headers.get("Content-Length"); // "5"
 * ```
 */
import type { MiddlewareHandler } from "hono";

export const headLength: MiddlewareHandler = async (c, next) => {
  await next();
  const res = c.res;
  if (c.req.method !== "HEAD" || !res.body || res.headers.has("Content-Length")) return;
  if (res.headers.get("Content-Type")?.startsWith("text/event-stream")) return;
  res.headers.set("Content-Length", String((await res.clone().arrayBuffer()).byteLength));
};
