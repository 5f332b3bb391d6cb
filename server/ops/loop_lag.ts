/**
 * Event-loop lag, measured the plain way: a timer set for every {@link LAG_INTERVAL_MS} notes how late it
 * runs. Anything that holds the loop (a long synchronous task, a flood of callbacks) shows up here as the
 * delay every socket and timer suffers. The timer does not keep the process alive.
 *
 * @example
 * ```ts
 * import { watchLoopLag } from "./loop_lag.ts";
 * import { Counters } from "./counters.ts";
 * const counters = new Counters();
 * const stop = watchLoopLag(counters.loopLag);
 * stop();
 * ```
 */
import type { Buckets } from "./counters.ts";

export const LAG_INTERVAL_MS = 500;

/** Starts measuring; returns the call that stops it. */
export function watchLoopLag(
  lags: Buckets,
  intervalMs = LAG_INTERVAL_MS,
  now = () => performance.now(),
): () => void {
  let due = now() + intervalMs;
  const timer = setInterval(() => {
    const at = now();
    lags.observe(Math.max(0, at - due) / 1000);
    due = at + intervalMs;
  }, intervalMs);
  Deno.unrefTimer(timer);
  return () => clearInterval(timer);
}
