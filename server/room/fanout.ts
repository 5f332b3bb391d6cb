/**
 * The local fan-out: every reader of this process and where each stands. A live reader gets each round
 * the moment the store publishes it, as far as it may see it: most readers see exactly the public events
 * and take the round's shared encoding (one queue entry per reader and round); a reader with a private
 * event in the round gets its visible events one by one. A reader still replaying holds live events
 * instead, up to {@link HOLD_BYTES}. A hold that outgrows its bound is dropped and the reader catches up
 * from the store instead (see listen.ts), so a replay costs a bounded amount of memory however busy the
 * room is.
 */
import { compareIds } from "../store/ids.ts";
import { isVisibleTo, type RoomEvent } from "./events.ts";
import type { Reader } from "./reader.ts";
import { Round } from "./round.ts";

/** Rough bytes one held event costs besides its text. */
const EVENT_OVERHEAD = 160;
/** Live events a replaying reader may hold; past this it catches up from the store again. */
export const HOLD_BYTES = 64 * 1024;

interface Hold {
  events: RoomEvent[];
  bytes: number;
  overflowed: boolean;
}

interface Place {
  /** Its hold while it replays, null once live. */
  hold: Hold | null;
  /** Starts the reader's catch-up from the store again, after `position` (its hold is fresh). */
  resume: (position: string) => void;
}

const newHold = (): Hold => ({ events: [], bytes: 0, overflowed: false });

/** The hold is given up: its reader catches up from the store instead (see listen.ts). */
function overflow(hold: Hold): void {
  hold.overflowed = true;
  hold.events = [];
}

export class Fanout {
  #readers = new Map<Reader, Place>();

  get size(): number {
    return this.#readers.size;
  }

  /** Adds a reader that holds live events until {@link Fanout.release}; `resume` is how {@link Fanout.gap} restarts it. */
  hold(reader: Reader, resume: (position: string) => void): void {
    this.#readers.set(reader, { hold: newHold(), resume });
  }

  /**
   * Hands the reader the held events after `position`, makes it live, then tells it so; false (and a fresh, empty hold)
   * when its hold overflowed, so the reader must first catch up from the store again from `position`.
   */
  release(reader: Reader, position: string): boolean {
    const place = this.#readers.get(reader);
    if (place === undefined) return false;
    const hold = place.hold;
    if (hold === null) return true;
    if (hold.overflowed) {
      place.hold = newHold();
      return false;
    }
    place.hold = null;
    for (const event of hold.events) {
      if (compareIds(event.id, position) > 0) reader.deliver(event, false);
    }
    reader.caughtUp();
    return true;
  }

  remove(reader: Reader): void {
    this.#readers.delete(reader);
  }

  /** One publication of the store: its events, in order, to every reader as far as it may see them. */
  publish(events: readonly RoomEvent[]): void {
    const round = new Round(events);
    for (const [reader, { hold }] of this.#readers) {
      if (hold === null) {
        if (round.seesPublicOnly(reader.memberId)) {
          if (round.public.length > 0) reader.deliverRound(round);
        } else {
          for (const event of events) if (isVisibleTo(event, reader.memberId)) reader.deliver(event, false);
        }
      } else if (!hold.overflowed) {
        for (const event of events) if (isVisibleTo(event, reader.memberId)) this.#keep(hold, event);
      }
    }
  }

  /**
   * The store lost events no reader here has seen (trimmed before this instance read them): every reader
   * catches up from the store again after `lastId`, the last event they had, which the store answers with a
   * reset. Readers still replaying drop their holds and do the same once their page is done.
   */
  gap(lastId: string): void {
    for (const place of this.#readers.values()) {
      if (place.hold === null) {
        place.hold = newHold();
        place.resume(lastId);
      } else {
        overflow(place.hold);
      }
    }
  }

  #keep(hold: Hold, event: RoomEvent): void {
    hold.bytes += (event.text?.length ?? 0) * 3 + EVENT_OVERHEAD;
    if (hold.bytes <= HOLD_BYTES) hold.events.push(event);
    else overflow(hold);
  }
}
