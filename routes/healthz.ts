/** `GET /healthz`: 200 while the process serves (a liveness probe: restart the process if it fails). */
import type { Context } from "hono";
import type { AppEnv } from "../server/web/env.ts";
import { HEALTHY } from "../server/ops/health.ts";

export const handler = {
  GET(c: Context<AppEnv>): Response {
    return c.json(HEALTHY.body, HEALTHY.status, { "Cache-Control": "no-store" });
  },
};
