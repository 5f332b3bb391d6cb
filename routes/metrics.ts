/**
 * `GET /metrics`: Prometheus text format (see server/ops/metrics.ts). Served here unless `--metrics-port`
 * gives the metrics a port of their own; then this door answers 404, so they need not be public.
 */
import type { Context } from "hono";
import type { AppEnv } from "../server/web/env.ts";

export const handler = {
  async GET(c: Context<AppEnv>): Promise<Response> {
    const metrics = c.var.metrics;
    if (c.var.config.metricsPort !== undefined || !metrics) return c.notFound();
    return c.body(await metrics.text(), 200, { "Content-Type": metrics.contentType, "Cache-Control": "no-store" });
  },
};
