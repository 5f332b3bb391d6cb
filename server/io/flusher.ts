/**
 * Schedules socket writes in rounds: every outbox with queued bytes gets one coalesced write per round,
 * and the next round starts when that round's writes finish (or after {@link ROUND_WAIT_MS}, so one slow
 * socket holds nobody up). Starting a writer per event instead collapses at ~1,000 sockets: the writes
 * then run one tiny chunk at a time and the event loop spends itself on promise bookkeeping.
 *
 * A round starts its writes {@link WRITES_PER_TURN} at a time, one event-loop turn apart, so that each write
 * is made on its socket when it is started (see there).
 *
 * It also keeps the server's {@link Backlog}, and watches writes in flight: one that a socket has not
 * completed for {@link STALL_MS} means that socket is refusing bytes (see Outbox). Those times are counted
 * on the server's own clock ({@link Flusher.serverTime}): while the event loop is held up, a write that
 * completed cannot be seen to, and the socket must not be blamed for it.
 */
import { Backlog } from "../async/backlog.ts";
import { concat } from "./bytes.ts";
import { nextTurn, within } from "../async/deadline.ts";

/** What the flusher drives: something that can start one write of all it has queued. */
export interface Flushable {
  /**
   * Starts one write of everything queued, at server time `now` (ms, when its slice of the round starts);
   * undefined when there is nothing to do or a write is in flight.
   */
  flush(now: number): Promise<void> | undefined;
  /** Looks at a write in flight at server time `now` (ms): too old, and the socket is refusing. */
  check(now: number): void;
}

export const ROUND_WAIT_MS = 50;
/** A write a socket has not completed for this long means the socket is not taking bytes. */
export const STALL_MS = 2000;
/** The server backlog at which input pauses, by default (see Backlog). */
export const BACKLOG_HIGH = 16 * 1024 * 1024;
/** The most one reading of the server clock may move on: a longer gap is the event loop held up. */
export const MAX_TICK_MS = 1000;
/**
 * Writes started in one event-loop turn, at most. Deno makes at most 128 socket operations a turn (tokio's
 * cooperative budget), spent on starting writes and on completing earlier ones. A write started beyond the
 * budget waits for a later turn, where the writes started then go first; under load such writes waited up to
 * 44 s with their sockets empty, and their readers were cut off as too slow (the bench's idle run: 3,000–4,600
 * of 5,000 TCP members while 5,000 browsers joined). Started this many at a time, no write waits for the
 * runtime behind more than one slice, so its age is its socket's doing; a room of 100 is still written in one
 * turn. It is faster too: 5,000 writes on loopback took 70 ms instead of 164.
 */
export const WRITES_PER_TURN = 100;

export interface FlusherOptions {
  backlogHigh?: number;
  /** The clock, in ms (injected by tests). */
  now?: () => number;
  /** How often writes in flight are checked for stalls; 0: only when {@link Flusher.check} is called. */
  watchMs?: number;
  /** Lets the event loop take a turn (injected by tests); by default, `setImmediate`. */
  nextTurn?: () => Promise<void>;
}

export class Flusher {
  readonly backlog: Backlog;
  readonly now: () => number;
  #watchMs: number;
  #nextTurn: () => Promise<void>;
  #dirty = new Set<Flushable>();
  #writing = new Set<Flushable>();
  #watch: ReturnType<typeof setInterval> | undefined;
  #running = false;
  #lastParts: Uint8Array[] = [];
  #lastJoined: Uint8Array | undefined;
  #lastReal: number;
  #serverTime = 0;

  constructor(options: FlusherOptions = {}) {
    this.backlog = new Backlog(options.backlogHigh ?? BACKLOG_HIGH);
    this.now = options.now ?? (() => performance.now());
    this.#watchMs = options.watchMs ?? STALL_MS / 4;
    this.#nextTurn = options.nextTurn ?? nextTurn;
    this.#lastReal = this.now();
  }

  /**
   * Milliseconds of the server's own running time, for judging sockets: it moves with the clock, but by at
   * most {@link MAX_TICK_MS} between two readings (the watch reads it every {@link STALL_MS}/4), so an event
   * loop held up (once 16 s, with 5,000 TCP and 5,000 SSE members joining) is not charged to the sockets
   * whose completed writes it could not see. (Those TCP members were cut off for another reason: see
   * {@link WRITES_PER_TURN}.)
   */
  serverTime(): number {
    const real = this.now();
    this.#serverTime += Math.min(Math.max(real - this.#lastReal, 0), MAX_TICK_MS);
    this.#lastReal = real;
    return this.#serverTime;
  }

  /**
   * Joins `parts` (whose total length is `size`) into one buffer, sharing the result with the previous
   * caller that queued the very same chunks: in a round where every reader has the same events queued,
   * they are joined once and the same bytes go to every socket.
   */
  join(parts: Uint8Array[], size: number): Uint8Array {
    const last = this.#lastParts;
    if (this.#lastJoined?.length === size && last.length === parts.length && parts.every((p, i) => p === last[i])) {
      return this.#lastJoined;
    }
    this.#lastParts = parts;
    this.#lastJoined = concat(parts, size);
    return this.#lastJoined;
  }

  /** Asks for `outbox` to be written in the next round. */
  mark(outbox: Flushable): void {
    this.#dirty.add(outbox);
    if (!this.#running) {
      this.#running = true;
      queueMicrotask(() => this.#rounds());
    }
  }

  /** A write of `outbox` started (true) or completed (false): writes in flight are watched for stalls. */
  writing(outbox: Flushable, inFlight: boolean): void {
    if (inFlight) {
      this.#writing.add(outbox);
      if (this.#watchMs > 0) this.#watch ??= setInterval(() => this.check(), this.#watchMs);
    } else {
      this.#writing.delete(outbox);
      if (this.#writing.size === 0) {
        clearInterval(this.#watch);
        this.#watch = undefined;
      }
    }
  }

  /** Looks at every write in flight now (the watch timer calls this; tests call it with their clock). */
  check(): void {
    const now = this.serverTime();
    for (const outbox of [...this.#writing]) outbox.check(now);
  }

  async #rounds(): Promise<void> {
    while (this.#dirty.size > 0) {
      const writes: Promise<void>[] = [];
      // One clock read per turn: reading it per write cost a third of the server's CPU under load.
      let now = this.serverTime();
      // Those marked during the turns given up below wait for the next round, which keeps rounds in step:
      // outboxes written together mostly hold the same events, joined once.
      const due = [...this.#dirty];
      this.#dirty.clear();
      for (const outbox of due) {
        const write = outbox.flush(now);
        if (!write) continue;
        if (writes.push(write) % WRITES_PER_TURN === 0) {
          await this.#nextTurn();
          now = this.serverTime();
        }
      }
      this.#lastParts = [];
      this.#lastJoined = undefined;
      if (writes.length > 0) await within(Promise.all(writes), ROUND_WAIT_MS);
    }
    this.#running = false;
  }
}
