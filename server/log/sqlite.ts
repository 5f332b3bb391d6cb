/**
 * The SQLite RoomLog, the embedded default. `append` stays synchronous and never waits on the disk:
 * the event gets the next id, goes into an in-memory ring (fast `recent`/`since`), reaches the
 * subscribers at once, and is queued. Everything queued during one turn of the event loop is written in
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
 * const log = SqliteLog.open("./data/chat.db", { retain: 100_000 });
 * log.subscribe((event) => console.log(event.id, event.text));
 * log.append({ at: Date.now(), kind: "system", text: "hello" }); // logs "<next id> hello"
 * await log.close(); // writes what is queued
 * ```
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import { clearImmediate, setImmediate } from "node:timers";
import type { NewEvent, RoomEvent } from "../room/events.ts";
import { Fanout } from "./fanout.ts";
import type { Listener, RoomLog } from "./log.ts";
import { EventRing } from "./ring.ts";
import { markClosed, openDatabase, type Tuning } from "./schema.ts";

/** How long a queued row waits before its batch is written; 0: right after the current loop turn. */
export const FLUSH_MS = 0;
/** Rows deleted per pruning step, and the pause between steps, so pruning never stalls the room. */
const PRUNE_BATCH = 1000;
const PRUNE_PAUSE_MS = 10;
/** Rows a replay reads from the file before letting the event loop run (a few ms of work). */
const READ_PAGE = 2000;
/** After a failed write (disk full, I/O error) the batch stays queued and is retried this much later. */
const RETRY_MS = 1000;

export interface SqliteLogOptions {
  /** Events kept in the file; older ones are pruned. */
  retain: number;
  /** Events kept in memory for fast replay. */
  ringSize?: number;
  /** Delay before a batch is written; 0 writes it right after the current event-loop turn. */
  flushMs?: number;
  synchronous?: Tuning["synchronous"];
}

type Row = { id: number; at: number; kind: string; data: string };

function decode({ id, at, kind, data }: Row): RoomEvent {
  return { ...JSON.parse(data), id, at, kind };
}

export class SqliteLog implements RoomLog {
  readonly epoch: string;
  #db: DatabaseSync;
  #insert: StatementSync;
  #page: StatementSync;
  #prune: StatementSync;
  #notePruned: StatementSync;
  #ring: EventRing;
  #fanout = new Fanout();
  #retain: number;
  #flushMs: number;
  /** Appended but not yet written, in id order: exactly the ids (durableId, lastId]. */
  #queue: RoomEvent[] = [];
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
  static open(path: string, options: SqliteLogOptions): SqliteLog {
    const { db, epoch } = openDatabase(path, { synchronous: options.synchronous ?? "NORMAL" });
    return new SqliteLog(db, epoch, options);
  }

  private constructor(db: DatabaseSync, epoch: string, options: SqliteLogOptions) {
    this.#db = db;
    this.epoch = epoch;
    this.#retain = options.retain;
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
    this.#ring = new EventRing(options.ringSize ?? 1000);
    for (const event of this.#read(Math.max(this.#firstKept - 1, this.#lastId - this.#ring.capacity))) {
      this.#ring.push(event);
    }
    this.#schedulePrune(0);
  }

  append(event: NewEvent): void {
    const stored: RoomEvent = { ...event, id: this.#lastId + 1 };
    this.#lastId = stored.id;
    this.#ring.push(stored);
    // Queued before the listeners run: one of them may append the next event, which must queue after this one.
    if (this.#closed) {
      console.error(`room log closed: event ${stored.id} was not stored`);
    } else {
      this.#queue.push(stored);
      if (this.#cancelFlush === undefined && !this.#failing) this.#scheduleFlush(this.#flushMs);
    }
    this.#fanout.publish(stored);
  }

  recent(limit: number): Promise<RoomEvent[]> {
    const after = Math.max(this.#firstKept - 1, this.#lastId - limit);
    return Promise.resolve(this.#ring.after(after) ?? this.#read(after));
  }

  async since(id: number): Promise<RoomEvent[] | null> {
    if (id < this.#firstKept - 1 || id > this.#lastId) return null;
    const held = this.#ring.after(id);
    if (held) return held;
    // A long replay from the file is read a page at a time, letting the room run in between.
    const events: RoomEvent[] = [];
    let cursor = id;
    while (cursor < this.#durableId) {
      if (events.length > 0) {
        await new Promise((resolve) => setImmediate(resolve));
        if (this.#closed || id < this.#firstKept - 1) return null; // pruned (or closed) meanwhile
      }
      const rows = this.#page.all(cursor, this.#durableId, READ_PAGE) as Row[];
      for (const row of rows) events.push(decode(row));
      cursor = events.at(-1)!.id;
    }
    for (const event of this.#queue) if (event.id > cursor) events.push(event);
    return events;
  }

  lastId(): number {
    return this.#lastId;
  }

  subscribe(listener: Listener): () => void {
    return this.#fanout.subscribe(listener);
  }

  /** Resolves once every event appended so far is written to the file (for benchmarks and tools). */
  durable(): Promise<void> {
    if (this.#durableId >= this.#lastId) return Promise.resolve();
    return new Promise((resolve, reject) => this.#durableWaiters.push({ id: this.#lastId, resolve, reject }));
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    this.#cancelFlush?.();
    clearTimeout(this.#pruneTimer);
    this.#write();
    for (const waiter of this.#durableWaiters.splice(0)) {
      waiter.reject(new Error("room log closed before these events could be written"));
    }
    while (this.#pruneStep()) {
      // leaves the file holding exactly the newest `retain` events
    }
    if (this.#queue.length === 0) {
      markClosed(this.#db);
    } else {
      console.error(`room log: ${this.#queue.length} events could not be written before closing`);
    }
    this.#db.close();
    return Promise.resolve();
  }

  /** The oldest id still kept: the newest `retain` ids, minus what the file no longer has. */
  get #firstKept(): number {
    return Math.max(this.#prunedThrough + 1, this.#lastId - this.#retain + 1);
  }

  /** Events with ids in (after, lastId]: from the file up to what is written, then from the queue. */
  #read(after: number): RoomEvent[] {
    const rows = after < this.#durableId ? this.#page.all(after, this.#durableId, -1) as Row[] : [];
    const events = rows.map(decode);
    for (const event of this.#queue) if (event.id > after) events.push(event);
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
      for (const { id, at, kind, ...rest } of batch) {
        this.#insert.run(id, at, kind, JSON.stringify(rest));
      }
      this.#db.exec("COMMIT");
    } catch (error) {
      if (this.#db.isTransaction) this.#db.exec("ROLLBACK");
      if (!this.#failing) console.error(`room log: cannot write to the database, will retry: ${error}`);
      this.#failing = true;
      return false;
    }
    if (this.#failing) console.error("room log: writing again");
    this.#failing = false;
    this.#queue = [];
    this.#durableId = batch.at(-1)!.id;
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
      if (!this.#pruneFailing) console.error(`room log: cannot prune old events, will retry: ${error}`);
      this.#pruneFailing = true;
      return false;
    }
    this.#pruneFailing = false;
    this.#prunedThrough = through;
    return true;
  }
}
