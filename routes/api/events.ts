/**
 * `GET /api/events`: the session's SSE stream. `Last-Event-ID` (sent by EventSource on reconnect) or
 * `?lastEventId=` (the first connect from a server-rendered page) says where the page is; the header wins.
 * The stream is written straight to the node:http response (see server/web/sse_response.ts) and the
 * adapter is told it was already sent. A connection over the limits never gets this far (it is answered
 * 429 or 503 at accept), and EventSource never shows a refused stream's reason, so the page asks: `?check`
 * answers whether one more connection from it would be let in now, this one counted (204, or the 429 or
 * 503 a stream on a new connection would get), without opening a stream. HEAD answers the head only, never a stream.
 */
import type { Context } from "hono";
import { RESPONSE_ALREADY_SENT } from "@hono/node-server/utils/response";
import {
  connectionRefusal,
  currentSession,
  forwarded,
  jsonError,
  nodeResponse,
  NOT_SIGNED_IN,
  refuse,
  remoteAddress,
} from "../../server/web/api.ts";
import type { Slot } from "../../server/io/caps.ts";
import { errorFields, log } from "../../server/ops/log.ts";
import type { AppEnv } from "../../server/web/env.ts";
import { openEventStream } from "../../server/web/sse_response.ts";

export const handler = {
  async GET(c: Context<AppEnv>): Promise<Response> {
    const session = await currentSession(c);
    if (!session) return jsonError(c, 401, NOT_SIGNED_IN);
    // Hono answers HEAD with the GET handler and drops the body unread: a stream would never end.
    if (c.req.method === "HEAD") return c.body(null, 200, { "Content-Type": "text/event-stream" });
    const web = c.var.web;
    if (web.closed) return jsonError(c, 503, "the server is shutting down");
    if (c.req.query("check") !== undefined) {
      const refusal = connectionRefusal(c);
      return refusal ? refuse(c, refusal) : c.body(null, 204);
    }
    const res = nodeResponse(c);
    if (!res) return jsonError(c, 501, "event streams are served by the node:http server only");
    const address = remoteAddress(c);
    // Through a trusted proxy the connection counts as the proxy's: the stream counts as its client's.
    let slot: Slot | undefined;
    if (forwarded(c) && c.var.connections) {
      const refusal = c.var.connections.forwardRefusal(address);
      if (refusal) return refuse(c, refusal);
      slot = c.var.connections.forward(address);
    }
    const reconnect = c.req.header("Last-Event-ID");
    const lastEventId = reconnect ?? c.req.query("lastEventId");
    web.serve(openEventStream(res), session, lastEventId, address, reconnect !== undefined)
      .catch((error) => log.error("web.stream_error", errorFields(error, true)))
      .finally(() => slot?.release());
    return RESPONSE_ALREADY_SENT;
  },
};
