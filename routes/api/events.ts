/**
 * `GET /api/events`: the session's SSE stream. `Last-Event-ID` (sent by EventSource on reconnect) or
 * `?lastEventId=` (the first connect from a server-rendered page) says where the page is; the header wins.
 * Over the connection limits: 429 (too many from the address) or 503 (server full). `?check` answers
 * whether a stream would be let in now, without opening one (204, or the error): EventSource never shows
 * a refused stream's reason, so the page asks this way.
 */
import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import { currentSession, jsonError, NOT_SIGNED_IN, refuse, remoteAddress } from "../../server/web/api.ts";
import type { AppEnv } from "../../server/web/env.ts";

export const handler = {
  async GET(c: Context<AppEnv>): Promise<Response> {
    const session = await currentSession(c);
    if (!session) return jsonError(c, 401, NOT_SIGNED_IN);
    // Hono answers HEAD with the GET handler and drops the body unread: a stream would never end.
    if (c.req.method === "HEAD") return c.body(null, 200, { "Content-Type": "text/event-stream" });
    const web = c.var.web;
    if (web.closed) return jsonError(c, 503, "the server is shutting down");
    const address = remoteAddress(c);
    const refusal = web.streamRefusal(session, address);
    if (refusal) return refuse(c, refusal);
    if (c.req.query("check") !== undefined) return c.body(null, 204);
    const reconnect = c.req.header("Last-Event-ID");
    const lastEventId = reconnect ?? c.req.query("lastEventId");
    // A proxy in front must pass each frame on as it comes (nginx reads this header).
    c.header("X-Accel-Buffering", "no");
    // streamSSE runs serve() at once, so the slot is taken in this same turn, as checked.
    return streamSSE(c, (sse) => web.serve(sse, session, lastEventId, address, reconnect !== undefined));
  },
};
