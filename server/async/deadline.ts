/**
 * Waiting with a deadline: the one place a promise races a timer, and the timer is always cleared.
 *
 * @example
 * ```ts
 * import { within } from "./deadline.ts";
 * const drained = await within(new Promise((resolve) => setTimeout(resolve, 10)), 500); // true
 * ```
 */
import { setImmediate } from "node:timers";

/** True when `promise` settles (either way) within `ms`, false when the time runs out first. */
export async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<false>((resolve) => timer = setTimeout(() => resolve(false), ms));
  try {
    return await Promise.race([promise.then(() => true, () => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** `promise`, or a rejection with `message` if it has not settled within `ms`. */
export async function deadline<T>(promise: Promise<T>, ms: number, message = "timed out"): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => timer = setTimeout(() => reject(new Error(message)), ms));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves after the event loop's next turn (`setImmediate`): I/O that is ready gets handled first. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
