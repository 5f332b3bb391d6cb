/**
 * A round: the events one publication of the store brought (the lines that arrived together), as the
 * fan-out hands them to live readers. Its public events are encoded once per door, and every reader that
 * sees exactly the public stream takes a reference to the same bytes: one queue entry and one write per
 * reader and round, however many events the round holds.
 *
 * @example
 * ```ts
 * import { Round } from "./round.ts";
 * const round = new Round([{ id: "e1-1", at: 0, kind: "system", text: "hi" }]);
 * const lines = (events: readonly { text?: string }[]) => new TextEncoder().encode(events.map((e) => `${e.text}\n`).join(""));
 * round.encoded(lines) === round.encoded(lines); // true: encoded once, shared by every reader
 * ```
 */
import type { RoomEvent } from "./events.ts";

/** Turns a round's public events into the bytes one door writes for them (all in one chunk). */
export type RoundEncoder = (events: readonly RoomEvent[]) => Uint8Array;

export class Round {
  /** The round's events that everyone may see, in order. */
  readonly public: readonly RoomEvent[];
  /** Private events (with a recipient), in order; most rounds have none. */
  readonly private: readonly RoomEvent[];
  #encoders: RoundEncoder[] = [];
  #chunks: Uint8Array[] = [];

  constructor(readonly events: readonly RoomEvent[]) {
    const privateEvents = events.filter((event) => event.to !== undefined);
    this.private = privateEvents;
    this.public = privateEvents.length === 0 ? events : events.filter((event) => event.to === undefined);
  }

  /** Whether the reader holding member id `memberId` sees only the public events of this round. */
  seesPublicOnly(memberId: string | undefined): boolean {
    if (this.private.length === 0 || memberId === undefined) return true;
    return this.private.every((event) => event.to !== memberId && event.fromId !== memberId);
  }

  /** The public events as `encode` writes them, computed on the first call and shared by every later one. */
  encoded(encode: RoundEncoder): Uint8Array {
    const index = this.#encoders.indexOf(encode);
    if (index >= 0) return this.#chunks[index];
    const chunk = encode(this.public);
    this.#encoders.push(encode);
    this.#chunks.push(chunk);
    return chunk;
  }
}
