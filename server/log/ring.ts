/** A fixed-size ring of the newest events, with O(1) lookup by id (ids are consecutive). */
import type { RoomEvent } from "../room/events.ts";

export class EventRing {
  #slots: (RoomEvent | undefined)[];
  #count = 0;
  #last = 0;

  constructor(readonly capacity: number) {
    this.#slots = new Array(Math.max(1, capacity));
  }

  /** Adds an event whose id is one more than the previous one's. */
  push(event: RoomEvent): void {
    this.#slots[event.id % this.#slots.length] = event;
    this.#last = event.id;
    this.#count = Math.min(this.#count + 1, this.#slots.length);
  }

  /** The lowest id still held, or `lastId + 1` when empty. */
  get firstId(): number {
    return this.#last - this.#count + 1;
  }

  get lastId(): number {
    return this.#last;
  }

  /** Events with ids in (after, lastId], if all of them are held; otherwise null. */
  after(after: number): RoomEvent[] | null {
    if (after < this.firstId - 1 || after > this.#last) return null;
    const events: RoomEvent[] = [];
    for (let id = after + 1; id <= this.#last; id++) {
      events.push(this.#slots[id % this.#slots.length]!);
    }
    return events;
  }

  newest(limit: number): RoomEvent[] {
    return this.after(Math.max(this.firstId - 1, this.#last - limit)) ?? [];
  }
}
