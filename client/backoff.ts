/**
 * How long the client waits before its next connection attempt: doubling from 1 s to a cap of 30 s, each wait
 * drawn at random between half and all of that step, so clients dropped together by a restart do not all
 * knock again in the same instant.
 *
 * @example
 * ```ts
 * import { backoffDelay } from "./backoff.ts";
 * backoffDelay(0, () => 0.5); // 1500: the first wait is 1–2 s
 * ```
 */

export const FIRST_STEP_MS = 2_000;
export const MAX_DELAY_MS = 30_000;

/** The wait before retry number `attempt` (0 for the first retry of an outage); `random` returns [0, 1). */
export function backoffDelay(attempt: number, random: () => number): number {
  const step = Math.min(MAX_DELAY_MS, FIRST_STEP_MS * 2 ** Math.min(attempt, 16));
  return Math.round(step / 2 + random() * step / 2);
}
