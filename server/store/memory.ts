/**
 * The in-memory EventStore: a ring of the newest `capacity` events. Nothing survives the process, so
 * each instance has a random epoch.
 *
 * @example
 * ```ts
 * import { MemoryStore } from "./memory.ts";
 * const store = new MemoryStore(1000);
 * store.subscribe((events) => console.log(events[0].id, events[0].text));
 * await store.append({ at: Date.now(), kind: "system", text: "hello" }); // logs "<epoch>-1 hello"
 * ```
 */
import type { NewEvent, RoomEvent } from "../room/events.ts";
import { Subscribers } from "./subscribers.ts";
import { eventId, newEpoch, positionOf } from "./ids.ts";
import { EventRing } from "./ring.ts";
import type { EventStore, Listener } from "./store.ts";

export class MemoryStore implements EventStore {
  readonly epoch = newEpoch();
  #ring: EventRing;
  #subscribers = new Subscribers();
  #closed = false;

  constructor(capacity = 1000) {
    this.#ring = new EventRing(capacity);
  }

  async append(event: NewEvent): Promise<RoomEvent> {
    return (await this.appendAll([event]))[0];
  }

  appendAll(events: readonly NewEvent[]): Promise<RoomEvent[]> {
    const stored = events.map((event) => {
      const withId: RoomEvent = { ...event, id: eventId(this.epoch, this.#ring.lastPosition + 1) };
      this.#ring.push(withId);
      return withId;
    });
    this.#subscribers.publish(stored);
    return Promise.resolve(stored);
  }

  recent(limit: number): Promise<RoomEvent[]> {
    return Promise.resolve(this.#ring.newest(limit));
  }

  since(id: string, limit: number): Promise<RoomEvent[] | null> {
    const after = Number(positionOf(id, this.epoch));
    return Promise.resolve(Number.isSafeInteger(after) ? this.#ring.after(after, limit) : null);
  }

  before(id: string, limit: number): Promise<RoomEvent[] | null> {
    const position = positionOf(id, this.epoch);
    if (position === undefined || position > this.#ring.lastPosition) return Promise.resolve(null);
    return Promise.resolve(limit > 0 ? this.#ring.before(position, limit) : []);
  }

  lastId(): string {
    return eventId(this.epoch, this.#ring.lastPosition);
  }

  subscribe(listener: Listener): () => void {
    return this.#subscribers.subscribe(listener);
  }

  ready(): string | undefined {
    return this.#closed ? "store closed" : undefined;
  }

  close(): Promise<void> {
    this.#closed = true;
    return Promise.resolve();
  }
}
