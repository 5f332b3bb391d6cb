/**
 * The answers of `/healthz` and `/readyz`, the same on the web door and on the metrics port. Healthy: the
 * process answers. Ready: the room can take messages now (its store writes, Redis answers, the server is
 * not shutting down); a load balancer sends people elsewhere while it is not.
 *
 * @example
 * ```ts
 * import { readiness } from "./health.ts";
 * readiness(undefined); // { status: 200, body: { ready: true } }
 * readiness("redis unreachable"); // { status: 503, body: { ready: false, reason: "redis unreachable" } }
 * ```
 */

export const HEALTHY = { status: 200, body: { ok: true } } as const;

export function readiness(
  reason: string | undefined,
): { status: 200 | 503; body: { ready: boolean; reason?: string } } {
  return reason === undefined
    ? { status: 200, body: { ready: true } }
    : { status: 503, body: { ready: false, reason } };
}
