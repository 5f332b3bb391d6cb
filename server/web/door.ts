/**
 * The web door: sessions, presence and SSE streams for browser members. It subscribes to the room log
 * once, encodes each event into its SSE frame once, and queues those same bytes to every stream allowed
 * to see the event; each stream writes through its own bounded outbox, so a slow browser never slows the
 * room. Names, cleaning, commands and flood limits stay the room's: the door only carries them. The
 * connection limits are the door's own (see {@link ConnectionCaps}).
 *
 * @example
 * ```ts
 * const web = new WebDoor(room, { sendq: 262_144, history: 20, graceMs: 5000, heartbeatMs: 15_000,
 *   registrationTimeoutMs: 60_000, maxPerAddress: 16, maxConnections: 10_000, exempt: "loopback" }, flusher);
 * const result = web.signIn("Ana", undefined, "203.0.113.7"); // { session, created: true }
 * // GET /api/events, unless web.streamRefusal(session, address) says no:
 * // return streamSSE(c, (sse) => web.serve(sse, session, lastEventId, address));
 * await web.shutdown(); // every stream gets `event: shutdown` and ends; nobody leaves the room
 * ```
 */
import type { SSEStreamingApi } from "hono/streaming";
import type { Flusher } from "../io/flusher.ts";
import { isVisibleTo, type RoomEvent } from "../room/events.ts";
import type { Outcome, Room } from "../room/room.ts";
import { type CapsOptions, ConnectionCaps, type Refusal } from "../io/caps.ts";
import { planReplay } from "./replay.ts";
import { type Session, Sessions, type SignIn } from "./sessions.ts";
import { EventStream } from "./sse.ts";
import { eventFrame, membersFrame, PING_FRAME, resetFrame, RETRY_FRAME, SHUTDOWN_FRAME } from "./wire.ts";

/** How long shutdown waits for each stream to take its `shutdown` event before cutting it off. */
const SHUTDOWN_FLUSH_MS = 500;

export interface WebDoorOptions extends CapsOptions {
  /** Bytes queued for one stream before it is cut off. */
  sendq: number;
  /** Events a `reset` carries. */
  history: number;
  /** How long a member stays after its last stream closes. */
  graceMs: number;
  /** Between heartbeat comments; 0: none. */
  heartbeatMs: number;
  /** How long a signed-in session may go without opening a stream before it is dropped. */
  registrationTimeoutMs: number;
}

export class WebDoor {
  readonly sessions: Sessions;
  readonly caps: ConnectionCaps;
  #streams = new Set<EventStream>();
  #unsubscribe: () => void;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #closed = false;

  constructor(
    readonly room: Room,
    readonly options: WebDoorOptions,
    readonly flusher: Flusher,
  ) {
    this.caps = new ConnectionCaps(options);
    this.sessions = new Sessions(room, options, this.caps);
    this.#unsubscribe = room.log.subscribe((event) => this.#broadcast(event));
    if (options.heartbeatMs > 0) {
      this.#heartbeat = setInterval(() => this.#ping(), options.heartbeatMs);
    }
  }

  /** True once {@link WebDoor.shutdown} began: no new streams. */
  get closed(): boolean {
    return this.#closed;
  }

  /** The live session a cookie token names. */
  session(token: string | undefined): Session | undefined {
    return this.sessions.find(token);
  }

  /** Claims `name` for a web member signing in from `address` (see {@link Sessions.signIn}). */
  signIn(name: string, current: Session | undefined, address: string): SignIn {
    return this.sessions.signIn(name, current, address);
  }

  /**
   * Why a new stream of `session` from `address` is refused (too many from the address, or in all), or
   * undefined. A session's first stream takes over the slot its sign-in holds.
   */
  streamRefusal(session: Session, address: string): Refusal | undefined {
    return this.caps.refusal(address, session.pending);
  }

  /** Ends the session at once; the room sees the member quit. */
  signOut(session: Session): void {
    this.sessions.end(session, "quit");
  }

  /** One line from the session's member, through the room (cleaning, commands, flood); `/quit` ends the session. */
  say(session: Session, text: string): Outcome {
    const outcome = this.room.input(session.member, text);
    if (outcome.type === "quit") this.sessions.end(session, "quit");
    return outcome;
  }

  /**
   * Serves one SSE stream of `session` until it ends: `retry:`, then the replay or reset `lastEventId`
   * calls for, then `members` (a bounded list and the total), then live events and heartbeats. The first
   * stream makes the member present. The stream holds a connection slot from `address` while it is open:
   * ask {@link WebDoor.streamRefusal} first, in the same turn (Hono's `streamSSE` calls this at once).
   */
  async serve(sse: SSEStreamingApi, session: Session, lastEventId: string | undefined, address: string): Promise<void> {
    const slot = this.caps.take(address);
    const stream = new EventStream(
      sse,
      session.member.id,
      this.flusher,
      this.options.sendq,
      (ended) => {
        slot.release();
        this.#forget(session, ended);
      },
    );
    if (this.#closed || stream.isEnded) {
      stream.close();
      return;
    }
    // Registered (holding) before the replay is fetched, so nothing that happens meanwhile is lost.
    const startId = this.room.log.lastId();
    this.#streams.add(stream);
    if (!this.sessions.attach(session, stream)) {
      stream.close();
      return;
    }
    stream.send(RETRY_FRAME);
    try {
      const position = await this.#replay(stream, lastEventId, startId);
      if (stream.isEnded) return;
      stream.goLive(position);
      // Taken after the held events went out, so the list matches every event the stream has seen. A
      // quarter of the queue at most, so with a reset (half at most) it never gets the stream cut off.
      stream.send(membersFrame(this.room.members(), this.options.sendq / 4));
    } catch (error) {
      console.error("web stream: replay failed:", error);
      stream.close();
    }
    await stream.ended;
  }

  /**
   * Tells every stream the server is shutting down (`event: shutdown`) and ends it, so the HTTP server can
   * stop. Members do not leave: the room is going away, and the pages reconnect once it is back.
   */
  async shutdown(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#unsubscribe();
    clearInterval(this.#heartbeat);
    this.sessions.stop();
    await Promise.all([...this.#streams].map((stream) => stream.finish(SHUTDOWN_FRAME, SHUTDOWN_FLUSH_MS)));
  }

  /** Writes what the stream missed (or a reset); returns the log position the stream is now at. */
  async #replay(stream: EventStream, lastEventId: string | undefined, startId: number): Promise<number> {
    const { epoch } = this.room.log;
    const replay = await planReplay(this.room.log, lastEventId, this.options.history);
    switch (replay.kind) {
      case "none":
        return startId;
      case "reset": {
        const position = replay.events.at(-1)?.id ?? startId;
        const visible = replay.events.filter((event) => isVisibleTo(event, stream.memberId));
        stream.send(resetFrame(visible, epoch, position, this.options.sendq / 2));
        return position;
      }
      case "missed":
        for (const event of replay.events) {
          if (stream.isEnded) break;
          if (isVisibleTo(event, stream.memberId)) await stream.sendPaced(eventFrame(event, epoch));
        }
        return replay.events.at(-1)?.id ?? replay.after;
    }
  }

  #broadcast(event: RoomEvent): void {
    let bytes: Uint8Array | undefined;
    for (const stream of this.#streams) {
      if (!isVisibleTo(event, stream.memberId)) continue;
      bytes ??= eventFrame(event, this.room.log.epoch);
      stream.deliver(event.id, bytes);
    }
  }

  #ping(): void {
    for (const stream of this.#streams) {
      if (stream.live) stream.send(PING_FRAME);
    }
  }

  #forget(session: Session, stream: EventStream): void {
    this.#streams.delete(stream);
    this.sessions.detach(session, stream);
  }
}
