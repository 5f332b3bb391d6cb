/**
 * The subscriber list every backend shares: delivery in order, one throwing listener hurts no other.
 *
 * A listener may append while a publication is being delivered (a TCP reader that overflows on event N
 * leaves the room, which appends N+1). That publication waits until every listener has had N, so no
 * listener ever sees N+1 before N.
 */
import type { RoomEvent } from "../room/events.ts";
import { errorFields, log } from "../ops/log.ts";
import type { Listener } from "./store.ts";

export class Subscribers {
  #listeners = new Set<Listener>();
  /** Events published while another was being delivered, in id order. */
  #pending: (readonly RoomEvent[])[] = [];
  #delivering = false;

  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Hands `events` (in id order) to every listener as one publication. */
  publish(events: readonly RoomEvent[]): void {
    if (events.length === 0) return;
    this.#pending.push(events);
    if (this.#delivering) return;
    this.#delivering = true;
    try {
      for (let i = 0; i < this.#pending.length; i++) this.#deliver(this.#pending[i]);
    } finally {
      this.#pending = [];
      this.#delivering = false;
    }
  }

  #deliver(events: readonly RoomEvent[]): void {
    for (const listener of this.#listeners) {
      try {
        listener(events);
      } catch (error) {
        log.error("store.listener_failed", errorFields(error, true));
      }
    }
  }
}
