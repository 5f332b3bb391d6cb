/**
 * Waits until the room's own readers have been handed an event. A store may deliver after `append`
 * resolves (Redis: this instance reads its own appends back from the stream), so the room waits before it
 * answers: a member then sees its own line before the answer to its next command, on every backend.
 *
 * @example
 * ```ts
 * import { Delivered } from "./delivered.ts";
 * const delivered = new Delivered();
 * const waiting = delivered.until("e1-2", 2000);
 * delivered.saw("e1-2"); // `waiting` resolves
 * await waiting;
 * ```
 */
import { within } from "../async/deadline.ts";
import { compareIds } from "../store/ids.ts";

export class Delivered {
  #last: string | undefined;
  #waiters: { id: string; resolve: () => void }[] = [];

  /** The room's readers were handed the event `id` (and so everything before it). */
  saw(id: string): void {
    this.#last = id;
    if (this.#waiters.length === 0) return;
    const waiting = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiting) {
      if (reached(id, waiter.id)) waiter.resolve();
      else this.#waiters.push(waiter);
    }
  }

  /** The store started over: nothing older will come; nobody waits for it. */
  reset(): void {
    this.#last = undefined;
    for (const waiter of this.#waiters.splice(0)) waiter.resolve();
  }

  /** Resolves once `id` was delivered, or after `ms` (a store that stopped delivering must not hang a sender). */
  async until(id: string, ms: number): Promise<void> {
    if (this.#last !== undefined && reached(this.#last, id)) return;
    await within(new Promise<void>((resolve) => this.#waiters.push({ id, resolve })), ms);
  }
}

/** Whether `seen` is `id` or after it, in the same epoch. */
function reached(seen: string, id: string): boolean {
  return epochOf(seen) === epochOf(id) && compareIds(seen, id) >= 0;
}

function epochOf(id: string): string {
  return id.slice(0, id.indexOf("-"));
}
