/**
 * The SQLite EventStore, the embedded default. `append` never waits on the disk: the event gets the next
 * id, goes into an in-memory ring (fast `recent`/`since`), reaches the subscribers at once, and is queued. Everything queued during one turn of the event loop is written in
 * one transaction right after it (well under a millisecond later, unless the loop is busy; see
 * bench/log_backends.ts). `since` reaches past the ring into the file. Rows beyond `retain` are pruned
 * in small batches between flushes, and the rest of the backlog at close.
 *
 * What a crash can lose: with WAL and `synchronous=NORMAL` a committed batch survives the process being
 * killed (it is in the operating system's cache), so a SIGKILL loses only the rows still queued: those
 * of the event-loop turn in progress. A power cut can also lose batches committed since the last WAL
 * checkpoint. `synchronous=FULL` would close that gap with an fsync per batch, but node:sqlite runs on
 * the event loop's thread, so every fsync stalls the whole room (bench/log_backends.ts: 1.8–7× fewer
 * appends/s, depending on the disk's mood).
 *
 * @example
 * ```ts
 * import { SqliteStore } from "./sqlite.ts";
 * const store = SqliteStore.open(":memory:", { retain: 100_000 });
 * store.subscribe((events) => console.log(events[0].id, events[0].text));
 * await store.append({ at: Date.now(), kind: "system", text: "hello" }); // logs "<epoch>-<next id> hello"
 * await store.close(); // writes what is queued
 * ```
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import { clearImmediate, setImmediate } from "node:timers";
import { Buckets } from "../ops/counters.ts";
import { errorFields, log } from "../ops/log.ts";
import type { NewEvent, RoomEvent } from "../room/events.ts";
import { Subscribers } from "./subscribers.ts";
import { eventId, positionOf } from "./ids.ts";
import { EventRing } from "./ring.ts";
import type { EventStore, Listener } from "./store.ts";
import { markClosed, openDatabase, type Tuning } from "./schema.ts";

/** How long a queued row waits before its batch is written; 0: right after the current loop turn. */
export const FLUSH_MS = 0;
/** Rows deleted per pruning step, and the pause between steps, so pruning never stalls the room. */
const PRUNE_BATCH = 1000;
const PRUNE_PAUSE_MS = 10;
/** After a failed write (disk full, I/O error) the batch stays queued and is retried this much later. */
const RETRY_MS = 1000;

export interface SqliteStoreOptions {
  /** Events kept in the file; older ones are pruned. */
  retain: number;
  /** Events kept in memory for fast replay. */
  ringSize?: number;
  /** Delay before a batch is written; 0 writes it right after the current event-loop turn. */
  flushMs?: number;
  synchronous?: Tuning["synchronous"];
  /** Where the time from append to commit is observed (seconds); the server's counters in main.ts. */
  appendLatency?: Buckets;
}

type Row = { id: number; at: number; kind: string; data: string };

export class SqliteStore implements EventStore {
  readonly epoch: string;
  #db: DatabaseSync;
  #insert: StatementSync;
  #page: StatementSync;
  #prune: StatementSync;
  #notePruned: StatementSync;
  #ring: EventRing;
  #subscribers = new Subscribers();
  #retain: number;
  #appendLatency: Buckets;
  #flushMs: number;
  /** Appended but not yet written, in id order: exactly the ids (durableId, lastId]. */
  #queue: { position: number; event: RoomEvent; queuedAt: number }[] = [];
  #lastId: number;
  #durableId: number;
  /** Every id up to this one has been pruned from the file. */
  #prunedThrough: number;
  /** Set while a flush is scheduled. */
  #cancelFlush: (() => void) | undefined;
  #pruneTimer: ReturnType<typeof setTimeout> | undefined;
  /** A write or a prune failed (each is reported once, then retried quietly until it works again). */
  #failing = false;
  #pruneFailing = false;
  #closed = false;
  #durableWaiters: { id: number; resolve: () => void; reject: (error: Error) => void }[] = [];

  /** Opens (or creates) the log at `path` (`:memory:` for a log that lives as long as the process). */
  static open(path: string, options: SqliteStoreOptions): SqliteStore {
    const { db, epoch } = openDatabase(path, { synchronous: options.synchronous ?? "NORMAL" });
    return new SqliteStore(db, epoch, options);
  }

  private constructor(db: DatabaseSync, epoch: string, options: SqliteStoreOptions) {
    this.#db = db;
    this.epoch = epoch;
    this.#retain = options.retain;
    this.#appendLatency = options.appendLatency ?? new Buckets([]);
    this.#flushMs = options.flushMs ?? FLUSH_MS;
    this.#insert = db.prepare("INSERT INTO events (id, at, kind, data) VALUES (?, ?, ?, ?)");
    this.#page = db.prepare("SELECT id, at, kind, data FROM events WHERE id > ? AND id <= ? ORDER BY id LIMIT ?");
    this.#prune = db.prepare("DELETE FROM events WHERE id <= ?");
    this.#notePruned = db.prepare("UPDATE meta SET value = ? WHERE key = 'pruned_through'");
    const { high } = db.prepare("SELECT max(id) AS high FROM events").get() as { high: number | null };
    const pruned = Number(db.prepare("SELECT value FROM meta WHERE key = 'pruned_through'").get()!.value);
    // Pruning records how far it went, so ids stay unique even when every row has been pruned.
    this.#lastId = Math.max(high ?? 0, pruned);
    this.#durableId = this.#lastId;
    this.#prunedThrough = pruned;
    const ringSize = options.ringSize ?? 1000;
    const loaded = this.#read(Math.max(this.#firstKept - 1, this.#lastId - ringSize), Infinity);
    this.#ring = new EventRing(ringSize, loaded.length > 0 ? this.#lastId - loaded.length : this.#lastId);
    for (const event of loaded) this.#ring.push(event);
    this.#schedulePrune(0);
  }

  async append(event: NewEvent): Promise<RoomEvent> {
    return (await this.appendAll([event]))[0];
  }

  appendAll(events: readonly NewEvent[]): Promise<RoomEvent[]> {
    const queuedAt = performance.now();
    const stored = events.map((event) => {
      const position = this.#lastId + 1;
      const withId: RoomEvent = { ...event, id: eventId(this.epoch, position) };
      this.#lastId = position;
      this.#ring.push(withId);
      // Queued before the listeners run: one of them may append the next event, which must queue after this one.
      if (this.#closed) log.error("store.closed", { id: withId.id });
      else this.#queue.push({ position, event: withId, queuedAt });
      return withId;
    });
    if (!this.#closed && this.#cancelFlush === undefined && !this.#failing) this.#scheduleFlush(this.#flushMs);
    this.#subscribers.publish(stored);
    return Promise.resolve(stored);
  }

  recent(limit: number): Promise<RoomEvent[]> {
    const after = Math.max(this.#firstKept - 1, this.#lastId - limit);
    return Promise.resolve(this.#ring.after(after) ?? this.#read(after, Infinity));
  }

  since(id: string, limit: number): Promise<RoomEvent[] | null> {
    const position = positionOf(id, this.epoch);
    const after = position === undefined ? NaN : Number(position);
    if (!(after >= this.#firstKept - 1 && after <= this.#lastId)) return Promise.resolve(null);
    return Promise.resolve(this.#ring.after(after, limit) ?? this.#read(after, limit));
  }

  before(id: string, limit: number): Promise<RoomEvent[] | null> {
    const position = positionOf(id, this.epoch);
    if (position === undefined || position > this.#lastId) return Promise.resolve(null);
    const from = Math.max(this.#firstKept, position - Math.max(0, limit));
    if (from >= position) return Promise.resolve([]);
    const count = position - from;
    return Promise.resolve(this.#ring.after(from - 1, count) ?? this.#read(from - 1, count));
  }

  lastId(): string {
    return eventId(this.epoch, this.#lastId);
  }

  subscribe(listener: Listener): () => void {
    return this.#subscribers.subscribe(listener);
  }

  ready(): string | undefined {
    if (this.#closed) return "store closed";
    return this.#failing ? "cannot write to the database" : undefined;
  }

  /** Resolves once every event appended so far is written to the file (for benchmarks and tools). */
  durable(): Promise<void> {
    if (this.#durableId >= this.#lastId) return Promise.resolve();
    return new Promise((resolve, reject) => this.#durableWaiters.push({ id: this.#lastId, resolve, reject }));
  }

  /**
   * Writes a consistent copy of the file to `path` (replacing it), with everything appended so far: the
   * server's exclusive lock keeps other processes, `sqlite3 .backup` included, from reading the file
   * while it runs. `VACUUM INTO` runs on the event loop's thread, so the room pauses while it copies:
   * ~100 ms for 100,000 events (16 MB) here. Restoring the copy starts a new epoch (it was not closed
   * cleanly), so browsers get a reset rather than a replay under reused ids.
   */
  backup(path: string): { bytes: number; ms: number } {
    const started = performance.now();
    this.#write();
    const temporary = `${path}.partial`;
    try {
      Deno.removeSync(temporary); // left by a backup that failed half-way
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    this.#db.prepare("VACUUM INTO ?").run(temporary);
    Deno.renameSync(temporary, path);
    return { bytes: Deno.statSync(path).size, ms: performance.now() - started };
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    this.#cancelFlush?.();
    clearTimeout(this.#pruneTimer);
    this.#write();
    for (const waiter of this.#durableWaiters.splice(0)) {
      waiter.reject(new Error("event store closed before these events could be written"));
    }
    while (this.#pruneStep()) {
      // leaves the file holding exactly the newest `retain` events
    }
    if (this.#queue.length === 0) {
      markClosed(this.#db);
    } else {
      log.error("store.unwritten", { events: this.#queue.length });
    }
    this.#db.close();
    return Promise.resolve();
  }

  /** The oldest id still kept: the newest `retain` ids, minus what the file no longer has. */
  get #firstKept(): number {
    return Math.max(this.#prunedThrough + 1, this.#lastId - this.#retain + 1);
  }

  /** Up to `limit` events after `after`: from the file up to what is written, then from the queue. */
  #read(after: number, limit: number): RoomEvent[] {
    const rows = after < this.#durableId
      ? this.#page.all(after, this.#durableId, limit === Infinity ? -1 : limit) as Row[]
      : [];
    const events = rows.map(({ id, at, kind, data }) => ({
      ...JSON.parse(data),
      id: eventId(this.epoch, id),
      at,
      kind,
    }));
    for (const { position, event } of this.#queue) {
      if (events.length >= limit) break;
      if (position > after) events.push(event);
    }
    return events;
  }

  /** 0: right after the current turn of the event loop, once the I/O that is ready has been handled. */
  #scheduleFlush(delayMs: number): void {
    if (delayMs === 0) {
      const immediate = setImmediate(() => this.#flush());
      this.#cancelFlush = () => clearImmediate(immediate);
    } else {
      const timer = setTimeout(() => this.#flush(), delayMs);
      this.#cancelFlush = () => clearTimeout(timer);
    }
  }

  #flush(): void {
    this.#cancelFlush = undefined;
    if (!this.#write()) {
      this.#scheduleFlush(RETRY_MS);
      return;
    }
    this.#schedulePrune(PRUNE_PAUSE_MS);
  }

  /** Writes every queued row in one transaction; false (rows still queued) on failure. */
  #write(): boolean {
    const batch = this.#queue;
    if (batch.length === 0) return true;
    try {
      this.#db.exec("BEGIN");
      for (const { position, event: { id: _, at, kind, ...rest } } of batch) {
        this.#insert.run(position, at, kind, JSON.stringify(rest));
      }
      this.#db.exec("COMMIT");
    } catch (error) {
      if (this.#db.isTransaction) this.#db.exec("ROLLBACK");
      if (!this.#failing) log.error("store.write_failing", { ...errorFields(error), retry_ms: RETRY_MS });
      this.#failing = true;
      return false;
    }
    if (this.#failing) log.info("store.writing_again");
    this.#failing = false;
    this.#queue = [];
    const now = performance.now();
    for (const { queuedAt } of batch) this.#appendLatency.observe((now - queuedAt) / 1000);
    this.#durableId = batch.at(-1)!.position;
    const waiting = this.#durableWaiters;
    this.#durableWaiters = waiting.filter((waiter) => waiter.id > this.#durableId);
    for (const waiter of waiting) if (waiter.id <= this.#durableId) waiter.resolve();
    return true;
  }

  #schedulePrune(delayMs: number): void {
    if (this.#pruneTimer !== undefined || this.#closed) return;
    if (this.#pruneTarget() <= this.#prunedThrough) return;
    this.#pruneTimer = setTimeout(() => {
      this.#pruneTimer = undefined;
      if (this.#pruneStep()) this.#schedulePrune(PRUNE_PAUSE_MS);
    }, delayMs);
  }

  /** Rows at or below this id are beyond `retain` and already written, so they may be deleted. */
  #pruneTarget(): number {
    return Math.min(this.#lastId - this.#retain, this.#durableId);
  }

  /** Deletes one small batch of old rows; false when it failed (the next flush tries again). */
  #pruneStep(): boolean {
    const through = Math.min(this.#pruneTarget(), this.#prunedThrough + PRUNE_BATCH);
    if (through <= this.#prunedThrough) return false;
    try {
      this.#db.exec("BEGIN");
      this.#prune.run(through);
      this.#notePruned.run(String(through));
      this.#db.exec("COMMIT");
    } catch (error) {
      if (this.#db.isTransaction) this.#db.exec("ROLLBACK");
      if (!this.#pruneFailing) log.warn("store.prune_failing", errorFields(error));
      this.#pruneFailing = true;
      return false;
    }
    this.#pruneFailing = false;
    this.#prunedThrough = through;
    return true;
  }
}
