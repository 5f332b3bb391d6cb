/**
 * `GET /readyz`: 200 `{ ready: true }` while the room can take messages; 503 `{ ready: false, reason }`
 * while its store cannot write, Redis is unreachable, or the server is shutting down (a readiness probe:
 * send people elsewhere meanwhile).
 */
import type { Context } from "hono";
import type { AppEnv } from "../server/web/env.ts";
import { readiness } from "../server/ops/health.ts";

export const handler = {
  GET(c: Context<AppEnv>): Response {
    const { status, body } = readiness(c.var.web.ready());
    return c.json(body, status, { "Cache-Control": "no-store" });
  },
};
