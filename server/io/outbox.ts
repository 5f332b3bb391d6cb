/**
 * One socket's bounded outgoing queue. Pushing never waits: bytes are queued and the shared
 * {@link Flusher} writes them, coalesced, in its next round. A reader that lets more than `limit` bytes
 * pile up is reported through `onOverflow` and gets nothing more.
 */
import type { Flushable, Flusher } from "./flusher.ts";

export interface ByteWriter {
  write(bytes: Uint8Array): Promise<number>;
}

export class Outbox implements Flushable {
  #chunks: Uint8Array[] = [];
  #queued = 0;
  #writing = false;
  #closed = false;
  #partial = false;
  #inFlight: Promise<void> | undefined;
  #drainWaiters: (() => void)[] = [];

  constructor(
    private readonly writer: ByteWriter,
    private readonly flusher: Flusher,
    readonly limit: number,
    private readonly onOverflow: () => void,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Bytes queued, including those of a write in flight. */
  get queued(): number {
    return this.#queued;
  }

  /** Queues bytes; false if the outbox is closed or just overflowed (and was closed). */
  push(bytes: Uint8Array): boolean {
    if (this.#closed) return false;
    // Only bytes piling up count: one chunk larger than the limit (a big members list, say) still goes
    // into an empty queue.
    if (this.#queued > 0 && this.#queued + bytes.length > this.limit) {
      this.close();
      this.onOverflow();
      return false;
    }
    this.#chunks.push(bytes);
    this.#queued += bytes.length;
    if (!this.#writing) this.flusher.mark(this);
    return true;
  }

  flush(): Promise<void> | undefined {
    if (this.#writing || this.#closed || this.#chunks.length === 0) {
      return undefined;
    }
    const bytes = this.#chunks.length === 1 ? this.#chunks[0] : this.flusher.join(this.#chunks, this.#queued);
    this.#chunks = [];
    this.#writing = true;
    this.#inFlight = this.writer.write(bytes).then(
      (written) => this.#wrote(bytes, written),
      (error) => {
        this.#writing = false;
        if (this.#closed) return;
        this.close();
        this.onError(error);
      },
    );
    return this.#inFlight;
  }

  /** Resolves when no write is in flight (at once if none is). Never rejects. */
  settled(): Promise<void> {
    return this.#writing && this.#inFlight ? this.#inFlight : Promise.resolve();
  }

  /** Resolves once everything queued so far has been written (or the outbox closed). */
  drained(): Promise<void> {
    if (this.#queued === 0 || this.#closed) return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  /** Drops anything queued; later pushes are ignored. */
  close(): void {
    this.#closed = true;
    this.#chunks = [];
    this.#queued = 0;
    this.#wake();
  }

  /**
   * True when every byte handed to the socket so far was part of a write that completed whole: what was
   * pushed (whole lines, whole frames) is then not cut in the middle, so a last line may follow directly.
   */
  get atBoundary(): boolean {
    return !this.#writing && !this.#partial;
  }

  #wrote(bytes: Uint8Array, written: number): void {
    this.#writing = false;
    this.#partial = written < bytes.length;
    if (this.#closed) return;
    this.#queued -= written;
    if (this.#partial) this.#chunks.unshift(bytes.subarray(written));
    if (this.#chunks.length > 0) this.flusher.mark(this);
    else this.#wake();
  }

  #wake(): void {
    for (const resolve of this.#drainWaiters.splice(0)) resolve();
  }
}
