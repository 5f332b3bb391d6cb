/**
 * RoomLog: the ordered record of the room. It assigns ids and fans each event out to every
 * subscriber, in id order. Backends: memory (ring buffer), sqlite (embedded default).
 */
import type { NewEvent, RoomEvent } from "../room/events.ts";

export type Listener = (event: RoomEvent) => void;

export interface RoomLog {
  /**
   * Names this log's id space. Ids from a log with another epoch (another in-memory run, another
   * database) mean nothing here: readers compare epochs before trusting an id.
   */
  readonly epoch: string;
  /** Records the event; subscribers receive it (with its id) in order. Never waits on a reader. */
  append(event: NewEvent): void;
  /** The newest `limit` events, oldest first. */
  recent(limit: number): Promise<RoomEvent[]>;
  /**
   * Every event after `id`, oldest first; `null` when events after `id` are no longer kept (or `id`
   * was never issued), so the reader must reset instead of trusting a partial replay.
   */
  since(id: number): Promise<RoomEvent[] | null>;
  /** The id of the newest event, 0 when there is none. */
  lastId(): number;
  subscribe(listener: Listener): () => void;
  /** Writes out anything pending and releases the backend. */
  close(): Promise<void>;
}
