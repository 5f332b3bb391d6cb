/**
 * A clock the test moves by hand: timers scheduled on it run only when {@link ManualClock.advance} passes
 * their time, in the order they are due (ties in the order they were set), and each one's promise chains
 * settle before the next runs.
 *
 * @example
 * ```ts
 * import { ManualClock } from "./clock.ts";
 * const clock = new ManualClock();
 * clock.setTimeout(() => console.log("due"), 1000);
 * await clock.advance(999); // nothing yet
 * await clock.advance(1); // "due"
 * ```
 */
import type { Timers } from "../../server/async/timers.ts";

interface Timer {
  at: number;
  run: () => void;
}

/** A macrotask turn of the real event loop: every promise chain already running settles first. */
const turn = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

export class ManualClock implements Timers {
  #now = 0;
  #lastId = 0;
  #timers = new Map<number, Timer>();

  /** Milliseconds since the clock started. */
  get now(): number {
    return this.#now;
  }

  /** Timers set and not yet run or cleared. */
  get pending(): number {
    return this.#timers.size;
  }

  setTimeout = (run: () => void, ms: number): number => {
    const id = ++this.#lastId;
    this.#timers.set(id, { at: this.#now + Math.max(0, ms), run });
    return id;
  };

  clearTimeout = (id: number | undefined): void => {
    if (id !== undefined) this.#timers.delete(id);
  };

  /** Moves time on by `ms`, running the timers due by then (also those they set), then lets their work settle. */
  async advance(ms: number): Promise<void> {
    const end = this.#now + ms;
    for (let next = this.#next(end); next; next = this.#next(end)) {
      const [id, timer] = next;
      this.#timers.delete(id);
      this.#now = timer.at;
      timer.run();
      await turn();
    }
    this.#now = end;
    await turn();
  }

  /** The earliest timer due by `end`; ids grow, so among equals the first set wins. */
  #next(end: number): [number, Timer] | undefined {
    let next: [number, Timer] | undefined;
    for (const entry of this.#timers) {
      if (entry[1].at <= end && (!next || entry[1].at < next[1].at)) next = entry;
    }
    return next;
  }
}

/** Lets every promise chain already running settle (one real macrotask turn): e.g. a leave written after a sign-out. */
export function settle(): Promise<void> {
  return turn();
}
