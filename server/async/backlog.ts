/**
 * A backlog: a count of work the server has taken on and not yet done. When it passes `high`, the doors
 * stop taking input (TCP reading pauses, web sends wait) until it is back under `low`: above saturation
 * latency rises, but nothing is dropped and no reader is cut off for the server's own lag. Two are kept:
 * the flusher's bytes queued for sockets that are taking them (bytes queued for a socket that refuses them
 * are that reader's problem, see Outbox), and the room's lines taken but not yet stored and delivered (see
 * server/room/appender.ts).
 *
 * @example
 * ```ts
 * import { Backlog } from "./backlog.ts";
 * const backlog = new Backlog(8 << 20);
 * await backlog.ready(); // at once, unless the server is behind
 * ```
 */

const RESOLVED = Promise.resolve();

export class Backlog {
  #bytes = 0;
  #paused = false;
  #waiters: (() => void)[] = [];
  /** How many times input was paused (for metrics and benchmarks). */
  pauses = 0;

  constructor(readonly high: number, readonly low = Math.floor(high / 2)) {}

  get bytes(): number {
    return this.#bytes;
  }

  /** True while input should wait. */
  get paused(): boolean {
    return this.#paused;
  }

  add(bytes: number): void {
    this.#bytes += bytes;
    if (!this.#paused && this.#bytes > this.high) {
      this.#paused = true;
      this.pauses++;
    }
  }

  remove(bytes: number): void {
    this.#bytes -= bytes;
    if (this.#paused && this.#bytes <= this.low) {
      this.#paused = false;
      for (const resolve of this.#waiters.splice(0)) resolve();
    }
  }

  /** Resolves at once unless the server is behind; then once it has caught up. */
  ready(): Promise<void> {
    return this.#paused ? new Promise((resolve) => this.#waiters.push(resolve)) : RESOLVED;
  }
}
