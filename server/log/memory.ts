/**
 * The in-memory RoomLog: a ring buffer of the newest `capacity` events. Ids restart with the process,
 * so each instance has a random epoch.
 *
 * @example
 * ```ts
 * const log = new MemoryLog(1000);
 * log.subscribe((event) => console.log(event.id, event.text));
 * log.append({ at: Date.now(), kind: "system", text: "hello" }); // logs "1 hello"
 * ```
 */
import type { NewEvent, RoomEvent } from "../room/events.ts";
import { Fanout } from "./fanout.ts";
import type { Listener, RoomLog } from "./log.ts";
import { EventRing } from "./ring.ts";

export class MemoryLog implements RoomLog {
  readonly epoch = crypto.randomUUID().slice(0, 8);
  #ring: EventRing;
  #fanout = new Fanout();

  constructor(capacity = 1000) {
    this.#ring = new EventRing(capacity);
  }

  append(event: NewEvent): void {
    const stored: RoomEvent = { ...event, id: this.#ring.lastId + 1 };
    this.#ring.push(stored);
    this.#fanout.publish(stored);
  }

  recent(limit: number): Promise<RoomEvent[]> {
    return Promise.resolve(this.#ring.newest(limit));
  }

  since(id: number): Promise<RoomEvent[] | null> {
    return Promise.resolve(this.#ring.after(id));
  }

  lastId(): number {
    return this.#ring.lastId;
  }

  subscribe(listener: Listener): () => void {
    return this.#fanout.subscribe(listener);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
