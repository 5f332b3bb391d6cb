/**
 * Gathers what the room appends during one turn of the event loop (the lines that arrived together, from
 * every member) into one store call, in order: one append, one publication, one round for the fan-out.
 * While one flush is on its way to the store, the lines that arrive wait for it to be stored and then go
 * out together: a store with a round trip (Redis) gets one append per round trip, not one per turn, so the
 * batches, and the rounds the fan-out writes, grow with the load instead of their number. A store that
 * answers at once (memory, SQLite) is done before the next turn, so nothing waits. Each batch settles
 * once it is stored and this instance's readers have it.
 *
 * It also keeps the count of events taken but not yet settled: above `high` the doors stop taking input
 * until it is back under `high / 2`, so a store that takes appends faster than this instance reads them
 * back (Redis) cannot let the stream run ahead of what the fan-out serves.
 *
 * @example
 * ```ts
 * import { MemoryStore } from "../store/memory.ts";
 * import { Appender } from "./appender.ts";
 * import { Delivered } from "./delivered.ts";
 * const store = new MemoryStore();
 * const delivered = new Delivered();
 * store.subscribe((events) => delivered.saw(events.at(-1)!.id));
 * const appender = new Appender(store, delivered);
 * const a = appender.add({ at: 0, kind: "system", text: "one" });
 * const b = appender.add({ at: 0, kind: "system", text: "two" });
 * a === b; // true: one batch, one store call
 * await a;
 * ```
 */
import { setImmediate } from "node:timers";
import { Backlog } from "../async/backlog.ts";
import type { EventStore } from "../store/store.ts";
import type { Delivered } from "./delivered.ts";
import type { NewEvent } from "./events.ts";

/** Events taken but not settled at which input pauses (it resumes at half): ~1 s of a busy room's lines. */
export const UNSETTLED_HIGH = 4096;
/**
 * Events one store call carries at most; a busier turn makes several batches, in order. A batch is stored
 * whole or not at all (one Lua script on Redis), so its lines' outcome is one.
 */
export const MAX_BATCH = 256;
/** How long a batch waits for its own delivery before it settles anyway (a store that stopped delivering). */
export const DELIVERY_WAIT_MS = 2000;

export interface AppenderOptions {
  /** Runs `flush` after the current turn (injected by tests); by default `setImmediate`. */
  nextTurn?: (flush: () => void) => void;
  high?: number;
  deliveryWaitMs?: number;
}

export class Appender {
  /** Events taken but not yet settled; paused above its bound. */
  readonly unsettled: Backlog;
  #store: EventStore;
  #delivered: Delivered;
  #nextTurn: (flush: () => void) => void;
  #deliveryWaitMs: number;
  /** Batches waiting for the end of the turn, in order; only the last one takes more events. */
  #waiting: Batch[] = [];
  /** A flush is on its way to the store: what arrives meanwhile goes out once it is stored. */
  #storing = false;

  constructor(store: EventStore, delivered: Delivered, options: AppenderOptions = {}) {
    this.#store = store;
    this.#delivered = delivered;
    this.#nextTurn = options.nextTurn ?? ((flush) => setImmediate(flush));
    this.#deliveryWaitMs = options.deliveryWaitMs ?? DELIVERY_WAIT_MS;
    this.unsettled = new Backlog(options.high ?? UNSETTLED_HIGH);
  }

  /**
   * Queues `event` after everything queued before it. Returns the promise of its batch, the same object
   * for every event of one turn: it resolves once the batch is stored and delivered here (or after the
   * delivery wait), and rejects as the store does (StoreUnavailable: none of the batch was stored).
   */
  add(event: NewEvent): Promise<void> {
    this.unsettled.add(1);
    let batch = this.#waiting.at(-1);
    if (batch === undefined || batch.events.length >= MAX_BATCH) {
      if (this.#waiting.length === 0 && !this.#storing) this.#nextTurn(() => this.#flush());
      batch = new Batch();
      this.#waiting.push(batch);
    }
    batch.events.push(event);
    return batch.done;
  }

  #flush(): void {
    const batches = this.#waiting;
    this.#waiting = [];
    this.#storing = true;
    const appends = batches.map((batch) => {
      const { events } = batch;
      const appended = this.#store.appendAll(events);
      appended
        .then((stored) => this.#delivered.until(stored.at(-1)!.id, this.#deliveryWaitMs))
        .then(() => batch.settle(), (error) => batch.settle(error ?? new Error("append failed")))
        .finally(() => this.unsettled.remove(events.length));
      return appended;
    });
    Promise.allSettled(appends).then(() => {
      this.#storing = false;
      if (this.#waiting.length > 0) this.#flush();
    });
  }
}

/** Events that go to the store in one call, and the promise every one of them was handed. */
class Batch {
  readonly events: NewEvent[] = [];
  readonly done: Promise<void>;
  settle!: (error?: unknown) => void;

  constructor() {
    this.done = new Promise<void>((resolve, reject) => {
      this.settle = (error) => error === undefined ? resolve() : reject(error);
    });
    // Whoever added to the batch handles its failure; this keeps one left unhandled from ending the process.
    this.done.catch(() => {});
  }
}
