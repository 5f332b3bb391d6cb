/**
 * What the room needs from whoever reads its events (a TCP connection, an SSE stream): where to put them,
 * and whether there is room for more. The room decides what a reader sees and in which order; the reader
 * only renders and queues.
 */
import type { RoomEvent } from "./events.ts";
import type { Round } from "./round.ts";

export interface Reader {
  /** Whose reader this is, for private events; undefined sees only public ones. */
  readonly memberId: string | undefined;
  /** False once the reader is gone: its replay stops and it gets nothing more. */
  readonly open: boolean;
  /** One event, in order. `replayed`: from before the reader came (its history, or what it missed). */
  deliver(event: RoomEvent, replayed: boolean): void;
  /**
   * A live round whose events this reader sees exactly as everyone does (its public events, at least one):
   * the reader queues the round's shared encoding (see {@link Round.encoded}). Rounds with a private event
   * for this reader come through {@link Reader.deliver}, one event at a time.
   */
  deliverRound(round: Round): void;
  /**
   * Instead of a replay the store cannot give whole (a resume from too long ago, or a live stream that fell
   * behind what the store keeps): the recent history to show in place of what the reader has, and the id
   * its stream goes on from.
   */
  reset(events: RoomEvent[], position: string): void;
  /** The reader has caught up: from now on events reach it as they happen (again, after a reset of a live stream). */
  caughtUp(): void;
  /** Resolves when the reader has room for more replayed events (or is gone). */
  ready(): Promise<void>;
}

/** Where a reader's stream starts. */
export type From =
  /** Right after this id (`Last-Event-ID`); an id the store cannot resume from gets a reset. */
  | { after: string }
  /** With the newest `history` events (a newcomer's recent history). */
  | { history: number }
  /** With the next event. */
  | { now: true };
