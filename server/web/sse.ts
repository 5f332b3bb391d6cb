/**
 * One open SSE stream of a web session. Bytes go out through the stream's own bounded {@link Outbox}
 * (written by the shared Flusher through Hono's SSE stream), so a slow browser never slows the room and
 * is cut off alone once more than the limit is queued; the page then reconnects and resumes.
 *
 * A new stream starts by holding live events: while its replay is being fetched and written, events that
 * arrive are kept, and {@link EventStream.goLive} releases those the replay did not already contain.
 *
 * @example
 * ```ts
 * return streamSSE(c, async (sse) => {
 *   const stream = new EventStream(sse, member.id, flusher, sendq, () => door.forget(stream));
 *   stream.send(RETRY_FRAME);
 *   stream.goLive(room.log.lastId());
 *   await stream.ended;
 * });
 * ```
 */
import type { SSEStreamingApi } from "hono/streaming";
import type { Flusher } from "../io/flusher.ts";
import { Outbox } from "../io/outbox.ts";

export class EventStream {
  /** Resolves when the stream has ended, whoever ended it (browser, overflow, session end, shutdown). */
  readonly ended: Promise<void>;
  #sse: SSEStreamingApi;
  #outbox: Outbox;
  #held: { id: number; bytes: Uint8Array }[] | null = [];
  #heldBytes = 0;
  #isEnded = false;
  /** Set by {@link EventStream.finish}: its last frame is queued, nothing may follow it. */
  #finishing = false;
  #resolveEnded!: () => void;

  constructor(
    sse: SSEStreamingApi,
    /** Whose stream this is, for private events. */
    readonly memberId: string,
    flusher: Flusher,
    limit: number,
    private readonly onEnd: (stream: EventStream) => void,
  ) {
    this.#sse = sse;
    this.ended = new Promise((resolve) => this.#resolveEnded = resolve);
    const writer = {
      write: async (bytes: Uint8Array) => {
        await sse.write(bytes);
        return bytes.length;
      },
    };
    this.#outbox = new Outbox(writer, flusher, limit, () => this.close(), () => this.close());
    // Runs when the browser goes away (Hono cancels the response) and when close() aborts it.
    sse.onAbort(() => this.#end());
    if (sse.aborted) this.#end();
  }

  get isEnded(): boolean {
    return this.#isEnded;
  }

  /** True once held events are released and live events go straight out. */
  get live(): boolean {
    return this.#held === null && !this.#isEnded;
  }

  /** Queues bytes now, ahead of any held live events (retry, replay, members, heartbeats). */
  send(bytes: Uint8Array): void {
    if (!this.#finishing) this.#outbox.push(bytes);
  }

  /**
   * Queues bytes, first letting the queue drain when it is more than half full, so a long replay streams
   * out at the browser's pace instead of overflowing the queue.
   */
  async sendPaced(bytes: Uint8Array): Promise<void> {
    const queued = this.#outbox.queued;
    if (queued > 0 && queued + bytes.length > this.#outbox.limit / 2) await this.#outbox.drained();
    this.send(bytes);
  }

  /** A live room event, already encoded for everyone. */
  deliver(id: number, bytes: Uint8Array): void {
    if (this.#isEnded || this.#finishing) return;
    if (this.#held === null) {
      this.#outbox.push(bytes);
      return;
    }
    this.#heldBytes += bytes.length;
    if (this.#heldBytes > this.#outbox.limit) {
      this.close();
      return;
    }
    this.#held.push({ id, bytes });
  }

  /** Sends the held events with ids after `position` (the replay covered the rest), then goes live. */
  goLive(position: number): void {
    const held = this.#held ?? [];
    this.#held = null;
    this.#heldBytes = 0;
    for (const { id, bytes } of held) {
      if (id > position) this.send(bytes);
    }
  }

  /**
   * Sends `bytes` as the stream's last frame and ends the response cleanly once it is written; a browser
   * that has not taken it within `timeoutMs` is cut off instead. Resolves when the stream has ended.
   */
  async finish(bytes: Uint8Array, timeoutMs: number): Promise<void> {
    if (this.#isEnded || this.#finishing) return await this.ended;
    this.send(bytes);
    this.#finishing = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const written = await Promise.race([
      this.#outbox.drained().then(() => true),
      new Promise<boolean>((resolve) => timer = setTimeout(() => resolve(false), timeoutMs)),
    ]);
    clearTimeout(timer);
    if (this.#isEnded) return;
    if (!written) return this.close();
    // Closing (not aborting) lets the response end after what was written; abort() would drop it.
    void this.#sse.close();
    this.#end();
  }

  /** Ends the response now, dropping anything queued. */
  close(): void {
    this.#sse.abort();
  }

  #end(): void {
    if (this.#isEnded) return;
    this.#isEnded = true;
    this.#held = null;
    this.#outbox.close();
    this.#resolveEnded();
    this.onEnd(this);
  }
}
