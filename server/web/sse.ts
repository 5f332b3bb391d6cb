/**
 * One open SSE stream of a web session, and a {@link Reader} of the room: bytes go out through the
 * stream's own bounded {@link Outbox} (written by the shared Flusher to the HTTP response), so a slow
 * browser never slows the room and is cut off alone once more than the limit is queued; the page then
 * reconnects and resumes. The response is a {@link StreamSink}: the stream needs nothing else of the
 * request it answers.
 *
 * @example
 * ```ts
 * import type { Flusher } from "../io/flusher.ts";
 * import { Counters } from "../ops/counters.ts";
 * import type { Room } from "../room/room.ts";
 * import { EventStream, type StreamSink } from "./sse.ts";
 * import { FrameCache, RETRY_FRAME } from "./wire.ts";
 * export async function serve(sink: StreamSink, room: Room, flusher: Flusher, memberId: string): Promise<void> {
 *   const stream = new EventStream(sink, {
 *     memberId, flusher, limit: 262_144, frames: new FrameCache(), counters: new Counters(),
 *     onLive: () => {}, onEnd: () => {},
 *   });
 *   stream.send(RETRY_FRAME);
 *   const stop = room.listen(stream, { after: room.position() });
 *   await stream.ended;
 *   stop();
 * }
 * ```
 */
import type { Flusher } from "../io/flusher.ts";
import { Outbox } from "../io/outbox.ts";
import { within } from "../async/deadline.ts";
import type { Counters } from "../ops/counters.ts";
import type { RoomEvent } from "../room/events.ts";
import type { Reader } from "../room/reader.ts";
import type { Round } from "../room/round.ts";
import { type FrameCache, resetFrame, roundFrames } from "./wire.ts";

/** Where a stream's bytes go: an HTTP response whose head is already written. */
export interface StreamSink {
  /**
   * Writes `bytes`; resolves to their length once the connection took them: at once, or when its buffer
   * drains (a browser that stops reading leaves the write in flight, which the Outbox counts against it).
   * Rejects once the connection is closed.
   */
  write(bytes: Uint8Array): Promise<number>;
  /** Ends the response cleanly after what was written. */
  end(): void;
  /** Closes the connection now, dropping anything unwritten. */
  destroy(): void;
  /** Calls `listener` once the response is over, whoever ended it (at once if it already is). */
  onClose(listener: () => void): void;
}

export interface EventStreamOptions {
  /** Whose stream this is, for private events. */
  memberId: string;
  flusher: Flusher;
  /** Bytes queued before the stream is cut off. */
  limit: number;
  frames: FrameCache;
  /** Where the web door's numbers are kept. */
  counters: Counters;
  /** The stream caught up and is live (the door sends who is present). */
  onLive: (stream: EventStream) => void;
  onEnd: (stream: EventStream) => void;
}

export class EventStream implements Reader {
  /** Resolves when the stream has ended, whoever ended it (browser, overflow, session end, shutdown). */
  readonly ended: Promise<void>;
  readonly memberId: string;
  #sink: StreamSink;
  #outbox: Outbox;
  #options: EventStreamOptions;
  #live = false;
  #isEnded = false;
  /** Why it ended, once someone ended it on purpose; a stream the browser dropped says "closed". */
  #reason: string | undefined;
  /** Set by {@link EventStream.finish}: its last frame is queued, nothing may follow it. */
  #finishing = false;
  #resolveEnded!: () => void;

  constructor(sink: StreamSink, options: EventStreamOptions) {
    this.#sink = sink;
    this.#options = options;
    this.memberId = options.memberId;
    this.ended = new Promise((resolve) => this.#resolveEnded = resolve);
    const tooSlow = () => {
      options.counters.web.slowCutoffs++;
      this.close("slow");
    };
    this.#outbox = new Outbox(
      sink,
      options.flusher,
      options.limit,
      tooSlow,
      () => this.close("lost"),
      options.counters.web,
    );
    // Runs when the browser goes away, and when close() or finish() end the response.
    sink.onClose(() => this.#end());
  }

  get isEnded(): boolean {
    return this.#isEnded;
  }

  /** Why the stream ended (for the log): closed (by the browser), slow, lost, shutdown, or the session's end. */
  get reason(): string {
    return this.#reason ?? "closed";
  }

  /** True once the stream has caught up and live events go straight out. */
  get live(): boolean {
    return this.#live && !this.#isEnded;
  }

  /** Queues bytes (retry, members, heartbeats). */
  send(bytes: Uint8Array): void {
    if (!this.#finishing) this.#outbox.push(bytes);
  }

  // Reader: how the room reaches this stream.

  get open(): boolean {
    return !this.#isEnded && !this.#finishing;
  }

  deliver(event: RoomEvent): void {
    this.#options.counters.web.deliveries++;
    this.send(this.#options.frames.bytes(event));
  }

  deliverRound(round: Round): void {
    this.#options.counters.web.deliveries += round.public.length;
    this.send(round.encoded(roundFrames));
  }

  reset(events: RoomEvent[], position: string): void {
    this.#options.counters.sseResets++;
    // Half the queue at most, so the members list that follows never gets the stream cut off.
    this.send(resetFrame(events, position, this.#outbox.limit / 2));
  }

  caughtUp(): void {
    this.#live = true;
    this.#options.onLive(this);
  }

  ready(): Promise<void> {
    return this.#outbox.drained(this.#outbox.limit / 2);
  }

  /**
   * Sends `bytes` as the stream's last frame and ends the response cleanly once it is written; a browser
   * that has not taken it within `timeoutMs` is cut off instead. Resolves when the stream has ended.
   */
  async finish(bytes: Uint8Array, timeoutMs: number): Promise<void> {
    if (this.#isEnded || this.#finishing) return await this.ended;
    this.send(bytes);
    this.#finishing = true;
    this.#reason ??= "shutdown";
    const written = await within(this.#outbox.drained(), timeoutMs);
    if (this.#isEnded) return;
    if (!written) return this.close();
    // Ending (not destroying) lets the response end after what was written; destroy() would drop it.
    this.#sink.end();
    this.#end();
  }

  /** Ends the response now, dropping anything queued; `reason` is what the log says. */
  close(reason = "ended"): void {
    this.#reason ??= reason;
    this.#sink.destroy();
    this.#end();
  }

  #end(): void {
    if (this.#isEnded) return;
    this.#isEnded = true;
    this.#outbox.close();
    this.#resolveEnded();
    this.#options.onEnd(this);
  }
}
