/**
 * EventStore: the room's ordered record. It assigns each event its id (see ids.ts) and hands every event
 * it learns of to its subscribers, in id order, once. Backends: memory, sqlite (embedded default), redis.
 * A backend may assign ids elsewhere (another process) and deliver events after `append` resolves, or
 * before: readers rely only on the order of delivery and on `since` for what they missed.
 *
 * Events travel in batches: {@link EventStore.appendAll} stores the lines a turn gathered in one call, and
 * subscribers get a publication (every event the store learned of at once, e.g. one XREAD reply) as one
 * array, so the fan-out pays per round, not per event.
 */
import type { NewEvent, RoomEvent } from "../room/events.ts";

/** Gets one publication: events in id order, at least one. */
export type Listener = (events: readonly RoomEvent[]) => void;

export interface EventStore {
  /** Names this store's id space; every id carries it. */
  readonly epoch: string;
  /**
   * Stores the event and resolves to it with its id. Rejects with {@link StoreUnavailable} when it
   * cannot be stored now (nothing is queued to be stored later behind the caller's back).
   */
  append(event: NewEvent): Promise<RoomEvent>;
  /**
   * Stores `events` in order as one batch, all or none, and resolves to them with their ids; they reach the
   * subscribers together (one publication, or several in order). Rejects like {@link EventStore.append}.
   */
  appendAll(events: readonly NewEvent[]): Promise<RoomEvent[]>;
  /**
   * Up to `limit` events after `id`, oldest first (`[]` when `id` is the newest); `null` when `id` is not
   * an id of this store or the events after it are no longer all kept, so the reader must reset instead
   * of trusting a partial replay.
   */
  since(id: string, limit: number): Promise<RoomEvent[] | null>;
  /** The newest `limit` events, oldest first. */
  recent(limit: number): Promise<RoomEvent[]>;
  /**
   * Up to `limit` events before `id`: the newest `limit` of those still kept, oldest first (`[]` at the start
   * of what is kept, or for the id before the first event); `null` when `id` is not an id this store issued
   * (another store's, malformed, or not yet issued). For paging back through history: each page's oldest id
   * asks for the next.
   */
  before(id: string, limit: number): Promise<RoomEvent[] | null>;
  /** The id of the newest event delivered to subscribers, or, before any, an id `since` accepts. */
  lastId(): string;
  subscribe(listener: Listener): () => void;
  /**
   * Stores that can lose their history under a running server (an emptied Redis) call `listener` when
   * they start over under a new epoch.
   */
  onReset?(listener: () => void): () => void;
  /**
   * Stores shared with other writers (Redis) may drop entries this instance has not read yet (trimmed while
   * it was behind): they call `listener` with the last id delivered before the hole, before delivering what
   * follows it, so readers get an explicit reset, never a silent gap.
   */
  onGap?(listener: (lastId: string) => void): () => void;
  /**
   * Why the store cannot take events now (a short reason for `/readyz`), or undefined when it can: its
   * disk write failing, its server unreachable, or closed.
   */
  ready(): string | undefined;
  /** Writes out anything pending and releases the backend. */
  close(): Promise<void>;
}

/** The store cannot take events now (its server is unreachable, its disk failing). */
export class StoreUnavailable extends Error {}
