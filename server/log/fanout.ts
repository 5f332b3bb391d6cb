/** The subscriber list every backend shares: delivery in order, one throwing listener hurts no other. */
import type { RoomEvent } from "../room/events.ts";
import type { Listener } from "./log.ts";

export class Fanout {
  #listeners = new Set<Listener>();

  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  publish(event: RoomEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        console.error("room log listener failed:", error);
      }
    }
  }
}
