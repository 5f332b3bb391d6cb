/**
 * The local fan-out: every reader of this process and where each stands. A live reader gets each event
 * the moment the store delivers it, if it may see it; a reader still replaying holds live events instead,
 * up to {@link HOLD_BYTES}. A hold that outgrows its bound is dropped and the reader catches up from the
 * store instead (see listen.ts), so a replay costs a bounded amount of memory however busy the room is.
 */
import { compareIds } from "../store/ids.ts";
import { isVisibleTo, type RoomEvent } from "./events.ts";
import type { Reader } from "./reader.ts";

/** Rough bytes one held event costs besides its text. */
const EVENT_OVERHEAD = 160;
/** Live events a replaying reader may hold; past this it catches up from the store again. */
export const HOLD_BYTES = 64 * 1024;

interface Hold {
  events: RoomEvent[];
  bytes: number;
  overflowed: boolean;
}

export class Fanout {
  /** Every reader; its hold while it replays, null once live. */
  #readers = new Map<Reader, Hold | null>();

  get size(): number {
    return this.#readers.size;
  }

  /** Adds a reader that holds live events until {@link Fanout.release}. */
  hold(reader: Reader): void {
    this.#readers.set(reader, { events: [], bytes: 0, overflowed: false });
  }

  /**
   * Hands the reader the held events after `position`, makes it live, then tells it so; false (and a fresh, empty hold)
   * when its hold overflowed, so the reader must first catch up from the store again from `position`.
   */
  release(reader: Reader, position: string): boolean {
    const hold = this.#readers.get(reader);
    if (hold === undefined) return false;
    if (hold === null) return true;
    if (hold.overflowed) {
      this.hold(reader);
      return false;
    }
    this.#readers.set(reader, null);
    for (const event of hold.events) {
      if (compareIds(event.id, position) > 0) reader.deliver(event, false);
    }
    reader.caughtUp();
    return true;
  }

  remove(reader: Reader): void {
    this.#readers.delete(reader);
  }

  publish(event: RoomEvent): void {
    for (const [reader, hold] of this.#readers) {
      if (!isVisibleTo(event, reader.memberId)) continue;
      if (hold === null) {
        reader.deliver(event, false);
      } else if (!hold.overflowed) {
        hold.bytes += (event.text?.length ?? 0) * 3 + EVENT_OVERHEAD;
        if (hold.bytes <= HOLD_BYTES) {
          hold.events.push(event);
        } else {
          hold.overflowed = true;
          hold.events = [];
        }
      }
    }
  }
}
