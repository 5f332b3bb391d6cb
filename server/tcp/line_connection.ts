/**
 * What every line door's connection shares, whatever its protocol (the `nc` chat, IRC): it reads lines over
 * a {@link LineTransport}, pauses (never drops) on flood and on the server's own overload, reads the room
 * as a {@link Reader} through its own bounded {@link Outbox}, and ends one way: counted, logged once, the
 * member leaving the room with its reason, the last words given a moment to go out. A protocol is a
 * subclass that says what a line means ({@link LineConnection.line}), how a line is framed, and what it
 * says when it starts and when it is cut off.
 *
 * @example
 * ```ts
 * import { LineConnection } from "./line_connection.ts";
 * // An echo protocol: each line comes back; no member, no room.
 * export abstract class Echo extends LineConnection {
 *   protected readonly tooSlowLine = "! too slow\n";
 *   send(line: string): void {
 *     this.queue(line + "\n");
 *   }
 *   protected line(item: { line: string } | { tooLong: true }): number {
 *     this.send("line" in item ? item.line : "! too long");
 *     return 0;
 *   }
 * }
 * ```
 */
import type { PortLabel } from "../../common/doors.ts";
import { sleep, within } from "../async/deadline.ts";
import { concat } from "../io/bytes.ts";
import type { Flusher } from "../io/flusher.ts";
import { Outbox } from "../io/outbox.ts";
import type { Counters, DoorCounters } from "../ops/counters.ts";
import { log } from "../ops/log.ts";
import type { LeaveReason, RoomEvent } from "../room/events.ts";
import type { From, Reader } from "../room/reader.ts";
import type { Round } from "../room/round.ts";
import type { Member, Room } from "../room/room.ts";
import type { LineItem } from "./line_reader.ts";
import type { LineTransport } from "./transport.ts";

/** How long a last line (goodbye, "too slow") may take to reach a client before the socket closes. */
export const LAST_WORDS_MS = 500;

/** Why a connection ended, as the log says it: a member's leave reason, the server shutting down, a failed TLS. */
export type EndReason = LeaveReason | "shutdown" | "handshake";

/** What a connection needs from its door. */
export interface LineHost {
  readonly room: Room;
  readonly flusher: Flusher;
  readonly counters: Counters;
  readonly options: { readonly sendq: number };
  /** The connection is gone; stop counting it. */
  forget(connection: LineConnection): void;
}

const encoder = new TextEncoder();

export abstract class LineConnection implements Reader {
  member: Member | undefined;
  readonly address: string;
  readonly port: number;
  protected readonly meter: DoorCounters;
  protected readonly outbox: Outbox;
  /** Stops the room's delivery to this reader, once it listens. */
  protected stopListening: (() => void) | undefined;
  /** Resolves the wait for the history hand-over (called at the hand-over, or at the end). */
  protected handedOver: (() => void) | undefined;
  readonly #started = performance.now();
  #ended = false;

  constructor(readonly transport: LineTransport, protected readonly lineHost: LineHost, readonly label: PortLabel) {
    this.meter = lineHost.counters[label];
    this.outbox = new Outbox(
      transport,
      lineHost.flusher,
      lineHost.options.sendq,
      () => this.#tooSlow(),
      () => this.close("lost"),
      this.meter,
    );
    ({ address: this.address, port: this.port } = transport);
    this.meter.accepted++;
    this.meter.open++;
    log.info(`${label}.connect`, { address: this.address, port: this.port });
  }

  /** Queues one line, framed as the protocol frames it. */
  abstract send(line: string): void;

  /**
   * What one line read means: returns ms to wait before the same line is tried again (flood: reading
   * pauses, nothing is dropped), or 0; a promise when the line waits for an answer.
   */
  protected abstract line(item: LineItem): number | Promise<number>;

  /** The last line a reader cut off for not reading gets, framed. */
  protected abstract readonly tooSlowLine: string;

  /** Runs before the handshake: start the connection's timers. */
  protected starting(): void {}

  /** Runs once the transport is up: the greeting, for a protocol that greets. */
  protected greet(): void {}

  /** Runs once per line read, before it is handled. */
  protected heard(): void {}

  /** What must go out before the client leaves at its EOF: the outcome of its last lines. */
  protected lastLines(): Promise<unknown> | undefined {
    return undefined;
  }

  /** The name the log gives the client when it ends. */
  protected nameForLog(): string | undefined {
    return this.member?.name;
  }

  /** Runs once, when the session ends: clear the connection's timers. */
  protected ending(): void {}

  get ended(): boolean {
    return this.#ended;
  }

  /** Has the room deliver to this reader from `from`; resolves at the hand-over from history to live. */
  protected async listenToRoom(from: From): Promise<void> {
    const handedOver = new Promise<void>((resolve) => this.handedOver = resolve);
    this.stopListening = this.lineHost.room.listen(this, from);
    await handedOver;
    // An idle member holds only what it needs: the spent timer and resolver are ~0.3 KiB a member.
    this.handedOver = undefined;
  }

  /** Queues already framed text. */
  protected queue(text: string): void {
    this.outbox.push(encoder.encode(text));
  }

  /** Serves the client until it leaves. */
  async run(): Promise<void> {
    this.starting();
    try {
      await this.transport.handshake();
    } catch (error) {
      this.end(undefined, "handshake", error instanceof Error ? error.message : String(error));
      this.transport.close();
      return;
    }
    this.greet();
    try {
      while (!this.#ended) {
        const items = await this.transport.readLines();
        if (items === null) break;
        await this.handleAll(items);
      }
      await this.handleAll(this.transport.endLines());
      // The member's last lines may still be on their way: it gets them (and their outcome) before it leaves.
      await this.lastLines();
    } catch {
      // reset or closed under us: the same as a dropped connection
      this.close("lost");
      return;
    }
    // Whoever ended the session (quit, timeout, too slow, shutdown) also closes the socket, after its last line.
    if (this.#ended) return;
    // The client ended its side: it leaves now, but it may still be reading what was queued for it.
    this.end("lost");
    await this.closeWhenDrained();
  }

  /** Handles the lines of one read, in order, pausing (never dropping) on flood and server overload. */
  async handleAll(items: LineItem[]): Promise<void> {
    const { backlog } = this.lineHost.flusher;
    const { pending } = this.lineHost.room;
    for (const item of items) {
      // The server is behind on its own writes, or on reading back what it stored: take no more input until
      // it caught up (the kernel then pushes back on the sender). Nothing is dropped, nobody is cut off.
      if (backlog.paused) await backlog.ready();
      if (pending.paused) await pending.ready();
      if (this.#ended) return;
      this.heard();
      for (let paused = false;; paused = true) {
        let wait = this.line(item);
        if (typeof wait !== "number") wait = await wait;
        if (wait === 0 || this.#ended) break;
        if (!paused) this.meter.floodPauses++;
        await sleep(wait); // flood: stop reading, drop nothing
      }
    }
  }

  // Reader: how the room reaches this client.

  get memberId(): string | undefined {
    return this.member?.id;
  }

  get open(): boolean {
    return !this.#ended;
  }

  abstract deliver(event: RoomEvent, replayed: boolean): void;
  abstract deliverRound(round: Round): void;
  abstract reset(events: RoomEvent[]): void;

  caughtUp(): void {
    this.handedOver?.();
  }

  ready(): Promise<void> {
    return this.outbox.drained(this.outbox.limit / 2);
  }

  /** Closes the socket now; a member in the room leaves it with `reason`. */
  close(reason?: LeaveReason): void {
    this.end(reason);
    this.outbox.close();
    this.transport.close();
  }

  /**
   * Ends the session at once, then gives `line` (and anything queued) up to {@link LAST_WORDS_MS} to go out.
   * Without a reason nobody leaves the room: the server is shutting down.
   */
  async closeWith(line: string, reason?: LeaveReason): Promise<void> {
    this.end(reason);
    this.send(line);
    await this.closeWhenDrained();
  }

  protected async closeWhenDrained(): Promise<void> {
    await within(this.outbox.drained(), LAST_WORDS_MS);
    this.outbox.close();
    this.transport.close();
  }

  /** Ends the session once: counted, logged, the member (if it entered) leaving with `reason`. */
  protected end(reason: LeaveReason | undefined, logged: EndReason = reason ?? "shutdown", error?: string): void {
    if (this.#ended) return;
    this.#ended = true;
    this.ending();
    this.stopListening?.();
    this.handedOver?.();
    this.lineHost.forget(this);
    this.meter.open--;
    log.info(`${this.label}.disconnect`, {
      address: this.address,
      port: this.port,
      name: this.nameForLog(),
      reason: logged,
      seconds: Math.round(performance.now() - this.#started) / 1000,
      error,
    });
    const member = this.member;
    // Without a reason the server is shutting down: nobody leaves.
    if (member && reason) {
      this.lineHost.room.leave(member, reason).catch((error) =>
        log.error(`${this.label}.leave_error`, { name: member.name, error: String(error) })
      );
    }
  }

  #tooSlow(): void {
    if (this.#ended) return;
    this.meter.slowCutoffs++;
    this.end("slow");
    // The outbox overflowed and is closed. A write already in flight may finish (within the deadline); then
    // the rest of a line it cut short, and the reason, go straight to the socket, so the reader's last line
    // arrives whole and says why.
    const lastWords = this.outbox.settled().then(async () => {
      let bytes = concat([this.outbox.unfinishedLine(), encoder.encode(this.tooSlowLine)]);
      while (bytes.length > 0) bytes = bytes.subarray(await this.transport.write(bytes));
    }).catch(() => {});
    within(lastWords, LAST_WORDS_MS).then(() => this.transport.close());
  }
}
