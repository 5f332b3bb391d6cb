/**
 * The web door: sessions, presence and SSE streams for browser members. It subscribes to the room log
 * once, encodes each event into its SSE frame once, and queues those same bytes to every stream allowed
 * to see the event; each stream writes through its own bounded outbox, so a slow browser never slows the
 * room. Names, cleaning, commands and flood limits stay the room's: the door only carries them.
 *
 * @example
 * ```ts
 * const web = new WebDoor(room, { sendq: 262_144, history: 20, graceMs: 5000, heartbeatMs: 15_000,
 *   registrationTimeoutMs: 60_000 }, flusher);
 * const result = web.signIn("Ana", undefined); // { session, created: true }
 * // GET /api/events: return streamSSE(c, (sse) => web.serve(sse, session, lastEventId));
 * await web.shutdown(); // every stream ends; nobody leaves the room
 * ```
 */
import type { SSEStreamingApi } from "hono/streaming";
import type { Flusher } from "../io/flusher.ts";
import { isVisibleTo, type RoomEvent } from "../room/events.ts";
import type { Outcome, Room } from "../room/room.ts";
import { planReplay } from "./replay.ts";
import { type Session, Sessions, type SignIn } from "./sessions.ts";
import { EventStream } from "./sse.ts";
import { eventFrame, membersFrame, PING_FRAME, resetFrame, RETRY_FRAME } from "./wire.ts";

export interface WebDoorOptions {
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
  #streams = new Set<EventStream>();
  #unsubscribe: () => void;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #closed = false;

  constructor(
    readonly room: Room,
    readonly options: WebDoorOptions,
    readonly flusher: Flusher,
  ) {
    this.sessions = new Sessions(room, options);
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

  /** Claims `name` for a web member (see {@link Sessions.signIn}). */
  signIn(name: string, current: Session | undefined): SignIn {
    return this.sessions.signIn(name, current);
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
   * calls for, then `members`, then live events and heartbeats. The first stream makes the member present.
   */
  async serve(sse: SSEStreamingApi, session: Session, lastEventId: string | undefined): Promise<void> {
    const stream = new EventStream(
      sse,
      session.member.id,
      this.flusher,
      this.options.sendq,
      (ended) => this.#forget(session, ended),
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
      // Taken after the held events went out, so the list matches every event the stream has seen.
      stream.send(membersFrame(this.room.members()));
    } catch (error) {
      console.error("web stream: replay failed:", error);
      stream.close();
    }
    await stream.ended;
  }

  /** Ends every stream so the HTTP server can stop. Members do not leave: the room is going away. */
  shutdown(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#unsubscribe();
      clearInterval(this.#heartbeat);
      this.sessions.stop();
      for (const stream of [...this.#streams]) stream.close();
    }
    return Promise.resolve();
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
