/** A fixed-size ring of the newest events, with O(1) lookup by position (positions are consecutive). */
import type { RoomEvent } from "../room/events.ts";

export class EventRing {
  #slots: (RoomEvent | undefined)[];
  #count = 0;
  #last: number;

  /** `last`: the position of the newest event before the ring, so the next push is `last + 1`. */
  constructor(readonly capacity: number, last = 0) {
    this.#slots = new Array(Math.max(1, capacity));
    this.#last = last;
  }

  /** Adds the event at position `lastPosition + 1`. */
  push(event: RoomEvent): void {
    this.#last++;
    this.#slots[this.#last % this.#slots.length] = event;
    this.#count = Math.min(this.#count + 1, this.#slots.length);
  }

  /** The lowest position still held, or `lastPosition + 1` when empty. */
  get firstPosition(): number {
    return this.#last - this.#count + 1;
  }

  get lastPosition(): number {
    return this.#last;
  }

  /** Up to `limit` events with positions after `after`, if all of them are held; otherwise null. */
  after(after: number, limit = Infinity): RoomEvent[] | null {
    if (after < this.firstPosition - 1 || after > this.#last) return null;
    const events: RoomEvent[] = [];
    for (let p = after + 1; p <= this.#last && events.length < limit; p++) {
      events.push(this.#slots[p % this.#slots.length]!);
    }
    return events;
  }

  /** The newest `limit` events held with positions before `before`, oldest first. */
  before(before: number, limit: number): RoomEvent[] {
    const events: RoomEvent[] = [];
    const to = Math.min(before - 1, this.#last);
    for (let p = Math.max(this.firstPosition, to - limit + 1); p <= to; p++) {
      events.push(this.#slots[p % this.#slots.length]!);
    }
    return events;
  }

  newest(limit: number): RoomEvent[] {
    return this.after(Math.max(this.firstPosition - 1, this.#last - limit)) ?? [];
  }
}
