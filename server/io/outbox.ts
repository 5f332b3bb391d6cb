/**
 * One socket's bounded outgoing queue. Pushing never waits: bytes are queued and the shared
 * {@link Flusher} writes them, coalesced, in its next round.
 *
 * A reader is cut off (`onOverflow`, then it gets nothing more) only for its own socket: when the socket
 * is refusing bytes (a write came back short, or has not completed for {@link STALL_MS}) and either more
 * than `limit` bytes are queued behind it, or it has taken none of them for {@link REFUSE_LIMIT_MS}. Bytes queued
 * for a socket that takes them are the server's own backlog (see Backlog): they make input wait, never
 * cost the reader its connection.
 */
import type { Flushable, Flusher } from "./flusher.ts";
import { STALL_MS } from "./flusher.ts";

/** A socket that takes none of its queued bytes for this long is cut off, however few they are. */
export const REFUSE_LIMIT_MS = 30_000;

export interface ByteWriter {
  /** Writes some of `bytes` (all of them, or a first part when the socket is full); resolves to how many. */
  write(bytes: Uint8Array): Promise<number>;
}

/** Where an outbox adds up the bytes its socket took (a plain field, so counting costs one addition). */
export interface ByteMeter {
  bytesOut: number;
}

export class Outbox implements Flushable {
  #chunks: Uint8Array[] = [];
  #queued = 0;
  #writing = false;
  #writeStarted = 0;
  #closed = false;
  #partial = false;
  /** What the last write left unwritten (when it was cut short), even once the outbox is closed. */
  #unwritten: Uint8Array | undefined;
  /** When the socket started refusing bytes; undefined while it takes them. */
  #refusingSince: number | undefined;
  #inFlight: Promise<void> | undefined;
  /** Who waits for the queue to shrink to at most `bytes`. */
  #waiters: { bytes: number; resolve: () => void }[] = [];

  constructor(
    private readonly writer: ByteWriter,
    private readonly flusher: Flusher,
    readonly limit: number,
    private readonly onOverflow: () => void,
    private readonly onError: (error: unknown) => void,
    private readonly meter: ByteMeter = { bytesOut: 0 },
  ) {}

  /** Bytes queued, including those of a write in flight. */
  get queued(): number {
    return this.#queued;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** True while the socket is not taking the bytes queued for it. */
  get refusing(): boolean {
    return this.#refusingSince !== undefined;
  }

  /** Queues bytes; false if the outbox is closed or just overflowed (and was closed). */
  push(bytes: Uint8Array): boolean {
    if (this.#closed) return false;
    // Whether the socket is refusing is kept up to date by the flusher's watch and by short writes, not
    // looked up here: a clock read per queued event cost a third of the server's CPU under load.
    // Only bytes piling up behind a refusing socket count: one chunk larger than the limit (a big members
    // list, say) still goes into an empty queue.
    if (this.refusing && this.#queued > 0 && this.#queued + bytes.length > this.limit) {
      this.#overflow();
      return false;
    }
    if (this.#closed) return false;
    this.#chunks.push(bytes);
    this.#queued += bytes.length;
    if (!this.refusing) this.flusher.backlog.add(bytes.length);
    if (!this.#writing) this.flusher.mark(this);
    return true;
  }

  flush(now: number): Promise<void> | undefined {
    if (this.#writing || this.#closed || this.#chunks.length === 0) return undefined;
    const bytes = this.#chunks.length === 1 ? this.#chunks[0] : this.flusher.join(this.#chunks, this.#queued);
    this.#chunks = [];
    this.#writing = true;
    this.#writeStarted = now;
    this.flusher.writing(this, true);
    this.#inFlight = this.writer.write(bytes).then(
      (written) => this.#wrote(bytes, written),
      (error) => {
        this.#writeDone();
        if (this.#closed) return;
        this.close();
        this.onError(error);
      },
    );
    return this.#inFlight;
  }

  /** A write in flight too long means the socket refuses; refusing too long, or with too much, cuts it off. */
  check(now: number): void {
    if (this.#closed) return;
    if (this.#writing && !this.refusing && now - this.#writeStarted >= STALL_MS) this.#refuse(this.#writeStarted);
    if (this.#refusingSince !== undefined && now - this.#refusingSince >= REFUSE_LIMIT_MS) this.#overflow();
  }

  /** Resolves when no write is in flight (at once if none is). Never rejects. */
  settled(): Promise<void> {
    return this.#writing && this.#inFlight ? this.#inFlight : Promise.resolve();
  }

  /** Resolves once at most `bytes` are queued (by default: everything was written), or the outbox closed. */
  drained(bytes = 0): Promise<void> {
    if (this.#queued <= bytes || this.#closed) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ bytes, resolve }));
  }

  /** Drops anything queued; later pushes are ignored. */
  close(): void {
    if (this.#closed) return;
    if (!this.refusing) this.flusher.backlog.remove(this.#queued);
    this.#closed = true;
    this.#chunks = [];
    this.#queued = 0;
    this.#wake();
  }

  /**
   * The rest of the line a write cut short (up to and with its newline), so a reader cut off mid-line can
   * be given that line whole before the reason; empty when the socket is at a line boundary.
   */
  unfinishedLine(): Uint8Array {
    if (this.#writing || !this.#partial || !this.#unwritten) return new Uint8Array(0);
    const end = this.#unwritten.indexOf(0x0a);
    return end === -1 ? this.#unwritten : this.#unwritten.subarray(0, end + 1);
  }

  #overflow(): void {
    this.close();
    this.onOverflow();
  }

  #refuse(since: number): void {
    this.#refusingSince = since;
    this.flusher.backlog.remove(this.#queued);
  }

  #writeDone(): void {
    this.#writing = false;
    this.#inFlight = undefined;
    this.flusher.writing(this, false);
  }

  #wrote(bytes: Uint8Array, written: number): void {
    this.#writeDone();
    this.meter.bytesOut += written;
    this.#partial = written < bytes.length;
    this.#unwritten = this.#partial ? bytes.subarray(written) : undefined;
    if (this.#closed) return;
    this.#queued -= written;
    if (!this.refusing) this.flusher.backlog.remove(written);
    if (this.#partial) {
      this.#chunks.unshift(bytes.subarray(written));
      // A socket that takes some is slow, not gone: the time limit counts from its last progress.
      if (this.refusing) this.#refusingSince = this.flusher.serverTime();
      else this.#refuse(this.flusher.serverTime());
    } else if (this.refusing) {
      // The socket took all it was handed: what waits now is the server's to write.
      this.#refusingSince = undefined;
      this.flusher.backlog.add(this.#queued);
    }
    if (this.#chunks.length > 0) this.flusher.mark(this);
    this.#wake();
  }

  #wake(): void {
    if (this.#waiters.length === 0) return;
    const waiting = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiting) {
      if (this.#closed || this.#queued <= waiter.bytes) waiter.resolve();
      else this.#waiters.push(waiter);
    }
  }
}
