/**
 * How the test clients wait for what their background reader brings in, instead of sleeping: the reader
 * calls {@link Arrivals.notify} after taking in data, and every test waiting in {@link Arrivals.wait}
 * wakes up to look again.
 *
 * @example
 * ```ts
 * import { Arrivals, DEFAULT_TIMEOUT_MS } from "./arrivals.ts";
 * const arrivals = new Arrivals(); // the background reader calls arrivals.notify() after each read
 * export async function firstLine(lines: string[]): Promise<string> {
 *   const deadline = Date.now() + DEFAULT_TIMEOUT_MS;
 *   while (lines.length === 0) {
 *     if (!await arrivals.wait(deadline)) throw new Error("no line in time");
 *   }
 *   return lines[0];
 * }
 * ```
 */

/** Long enough for a loaded CI machine; tests wait for data, so a healthy run never waits this long. */
export const DEFAULT_TIMEOUT_MS = 10_000;

export class Arrivals {
  #waiters: (() => void)[] = [];

  /** Wakes everyone waiting: something arrived (or the stream ended). */
  notify(): void {
    for (const wake of this.#waiters.splice(0)) wake();
  }

  /** Resolves true at the next {@link Arrivals.notify}, false if `deadline` (a `Date.now()` time) comes first. */
  async wait(deadline: number): Promise<boolean> {
    const ms = deadline - Date.now();
    if (ms <= 0) return false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const arrived = await Promise.race([
      new Promise<boolean>((resolve) => this.#waiters.push(() => resolve(true))),
      new Promise<boolean>((resolve) => timer = setTimeout(() => resolve(false), ms)),
    ]);
    clearTimeout(timer);
    return arrived;
  }
}
