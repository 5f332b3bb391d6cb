/**
 * Waits until `check` holds, asking again every `stepMs`; throws once `timeoutMs` passed with it still false.
 * For what a test can only observe by looking again (a counter, a file, another process's state).
 *
 * @example
 * ```ts
 * import { eventually } from "./eventually.ts";
 * const seen: string[] = [];
 * setTimeout(() => seen.push("hello"), 20);
 * await eventually(() => seen.length === 1);
 * ```
 */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  stepMs = 50,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!await check()) {
    if (Date.now() > deadline) throw new Error(`condition still false after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
}
