/**
 * The web door: sessions, presence and SSE streams for browser members. Each stream is a reader of the
 * room (which decides what it sees, replay and live); the door encodes each event into its SSE frame once
 * for all streams, and each stream writes through its own bounded outbox, so a slow browser never slows
 * the room. Names, cleaning, commands and flood limits stay the room's: the door only carries them.
 * Connections are counted by the HTTP server (see http.ts) in the limits both doors share; a session with
 * no stream open (before its first, or in its grace period) holds its name in the same limits (see
 * sessions.ts), so one address cannot squat names.
 *
 * @example
 * ```ts
 * import type { ConnectionCaps } from "../io/caps.ts";
 * import type { Flusher } from "../io/flusher.ts";
 * import type { Room } from "../room/room.ts";
 * import { WebDoor } from "./door.ts";
 * export async function signInAna(room: Room, flusher: Flusher, caps: ConnectionCaps): Promise<void> {
 *   const web = new WebDoor(room, {
 *     sendq: 262_144, graceMs: 5000, heartbeatMs: 15_000, registrationTimeoutMs: 60_000,
 *   }, flusher, caps);
 *   const result = await web.signIn("Ana", undefined, "203.0.113.7"); // { session, created: true }
 *   // GET /api/events: await web.serve(openEventStream(res), session, lastEventId, address);
 *   await web.shutdown(); // every stream gets `event: shutdown` and ends; nobody leaves the room
 * }
 * ```
 */
import type { ConnectionCaps } from "../io/caps.ts";
import { within } from "../async/deadline.ts";
import type { Flusher } from "../io/flusher.ts";
import { Counters } from "../ops/counters.ts";
import { log } from "../ops/log.ts";
import type { Outcome, Room } from "../room/room.ts";
import { type Session, Sessions, type SignIn } from "./sessions.ts";
import { LOCAL_SESSIONS, type SessionStore } from "./session_store.ts";
import { EventStream, type StreamSink } from "./sse.ts";
import { FrameCache, membersFrame, PING_FRAME, RETRY_FRAME, SHUTDOWN_FRAME } from "./wire.ts";

/** How long shutdown waits for each stream to take its `shutdown` event before cutting it off. */
const SHUTDOWN_FLUSH_MS = 500;
/** How long a send waits for the server to catch up with its backlog before it is refused as busy. */
export const BUSY_WAIT_MS = 1000;

/** What became of a web send: the room's outcome, or `busy` when the server was too far behind to take it. */
export type Said = Outcome | { type: "busy"; retryAfterMs: number };

export interface WebDoorOptions {
  /** Bytes queued for one stream before it is cut off. */
  sendq: number;
  /** How long a member stays after its last stream closes. */
  graceMs: number;
  /** Between heartbeat comments; 0: none. */
  heartbeatMs: number;
  /** How long a signed-in session may go without opening a stream before it is dropped. */
  registrationTimeoutMs: number;
}

export class WebDoor {
  readonly sessions: Sessions;
  #frames = new FrameCache();
  #streams = new Set<EventStream>();
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #closed = false;

  constructor(
    readonly room: Room,
    readonly options: WebDoorOptions,
    readonly flusher: Flusher,
    /** The connection limits both doors share: sessions without a stream hold their names in them. */
    caps: ConnectionCaps,
    /** Where other instances find this one's sessions (see session_store.ts). */
    shared: SessionStore = LOCAL_SESSIONS,
    readonly counters: Counters = new Counters(),
  ) {
    this.sessions = new Sessions(room, options, caps, shared);
    if (options.heartbeatMs > 0) {
      this.#heartbeat = setInterval(() => this.#ping(), options.heartbeatMs);
    }
  }

  /** True once {@link WebDoor.shutdown} began: no new streams. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Why the room cannot take messages through this door now (see Room.ready), or undefined when it can. */
  ready(): string | undefined {
    return this.#closed ? "shutting down" : this.room.ready();
  }

  /** The live session a cookie token names (picked up from another instance if need be). */
  session(token: string | undefined): Promise<Session | undefined> {
    return this.sessions.resolve(token);
  }

  /** Claims `name` for a web member signing in from `address` (see {@link Sessions.signIn}). */
  signIn(name: string, current: Session | undefined, address: string): Promise<SignIn> {
    return this.sessions.signIn(name, current, address);
  }

  /** Ends the session at once; the room sees the member quit. */
  signOut(session: Session): void {
    this.sessions.end(session, "quit");
  }

  /**
   * One line from the session's member, through the room (cleaning, commands, flood; a retry with the
   * same `key` is answered, not sent again); `/quit` ends the session. While the server is behind (on its
   * own writes, or on reading back what it stored) the line waits up to {@link BUSY_WAIT_MS}, then is
   * refused as `busy` (nothing was sent; try again).
   */
  async say(session: Session, text: string, key?: string): Promise<Said> {
    // Behind on its own writes, or on reading back what it stored.
    for (const behind of [this.flusher.backlog, this.room.pending]) {
      if (behind.paused && !await within(behind.ready(), BUSY_WAIT_MS)) {
        return { type: "busy", retryAfterMs: BUSY_WAIT_MS };
      }
    }
    const outcome = await this.room.input(session.member, text, key);
    if (outcome.type === "sent") this.counters.web.messagesIn++;
    else if (outcome.type === "error" && outcome.code === "flood") this.counters.web.floodPauses++;
    else if (outcome.type === "quit") this.sessions.end(session, "quit");
    return outcome;
  }

  /**
   * Serves one SSE stream of `session` on `sink` until it ends: `retry:`, then what `lastEventId` calls
   * for (the missed events, or a reset), then `members` (a bounded list and the total), then live events
   * and heartbeats. The first stream makes the member present. Resolves when the stream has ended.
   * `address` is for the logs; `reconnect`: the browser came back with `Last-Event-ID`.
   */
  async serve(
    sink: StreamSink,
    session: Session,
    lastEventId: string | undefined,
    address: string,
    reconnect = false,
  ): Promise<void> {
    const started = performance.now();
    const name = session.member.name;
    this.counters.web.open++;
    if (reconnect) this.counters.sseResumes++;
    log.info("web.connect", { address, name, resume: reconnect || undefined });
    const stream = new EventStream(sink, {
      memberId: session.member.id,
      flusher: this.flusher,
      limit: this.options.sendq,
      frames: this.#frames,
      counters: this.counters,
      // Taken as the stream goes live, so the list matches every event the stream has seen. A quarter of
      // the queue at most, so with a reset (half at most) it never gets the stream cut off.
      onLive: (live) => live.send(membersFrame(this.room.members(), this.options.sendq / 4)),
      onEnd: (ended) => {
        this.counters.web.open--;
        const seconds = Math.round(performance.now() - started) / 1000;
        log.info("web.disconnect", { address, name, reason: ended.reason, seconds });
        this.#streams.delete(ended);
        this.sessions.detach(session, ended);
      },
    });
    if (this.#closed || stream.isEnded) {
      stream.close();
      return;
    }
    this.#streams.add(stream);
    stream.send(RETRY_FRAME);
    // From where the stream stands before the member enters, so its own join is among what it gets.
    const from = lastEventId || this.room.position();
    if (!await this.sessions.attach(session, stream)) {
      stream.close();
      return;
    }
    const stop = this.room.listen(stream, { after: from });
    await stream.ended;
    stop();
  }

  /**
   * Tells every stream the server is shutting down (`event: shutdown`) and ends it, so the HTTP server can
   * stop. Members do not leave: the room is going away, and the pages reconnect once it is back.
   */
  async shutdown(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#heartbeat);
    this.sessions.stop();
    await Promise.all([...this.#streams].map((stream) => stream.finish(SHUTDOWN_FRAME, SHUTDOWN_FLUSH_MS)));
  }

  #ping(): void {
    for (const stream of this.#streams) {
      if (stream.live) stream.send(PING_FRAME);
    }
  }
}
