/**
 * One TCP client, from greeting to goodbye: reads lines (paced by the member's flood bucket), turns them
 * into room input, and reads the room as a {@link Reader}: its history, then live events, written through
 * its own bounded {@link Outbox}.
 *
 * A read's lines go to the room one after another without waiting for the store (they become one batch
 * with everyone else's lines of that turn); what the room answers is written in the order the lines came,
 * after the member's own earlier lines were delivered to it.
 */
import type { PORTS } from "../../common/doors.ts";
import type { Flusher } from "../io/flusher.ts";
import type { Counters, DoorCounters } from "../ops/counters.ts";
import { log } from "../ops/log.ts";
import { concat } from "../io/bytes.ts";
import { Outbox } from "../io/outbox.ts";
import { sleep, within } from "../async/deadline.ts";
import type { LeaveReason, RoomEvent } from "../room/events.ts";
import type { Reader } from "../room/reader.ts";
import type { Round } from "../room/round.ts";
import { type Member, type Outcome, type Room, Sending } from "../room/room.ts";
import type { LineItem } from "./line_reader.ts";
import { type LineCache, outcomeLines, roundLines } from "./render.ts";
import type { LineTransport } from "./transport.ts";

export const PROMPT = "Enter your name:";
export const WELCOME = `Welcome to the chatroom! ${PROMPT}`;
export const HISTORY_HEADER = "--- recent history ---";
const MAX_NAMES_IN_GREETING = 20;
/** How long a last line (goodbye, "too slow") may take to reach a client before the socket closes. */
const LAST_WORDS_MS = 500;

export interface ConnectionOptions {
  maxLine: number;
  sendq: number;
  history: number;
  registrationTimeoutMs: number;
}

/** The TCP door's two ports, as logs and metrics name them. */
export type TcpLabel = typeof PORTS.tcp[number];

/** Why a connection ended, as the log says it: a member's leave reason, or the server shutting down. */
type EndReason = LeaveReason | "shutdown" | "handshake";

/** What a connection needs from its door. */
export interface ConnectionHost {
  readonly room: Room;
  readonly flusher: Flusher;
  readonly lines: LineCache;
  readonly options: ConnectionOptions;
  readonly counters: Counters;
  /** The connection is gone; stop counting it. */
  forget(connection: Connection): void;
}

const encoder = new TextEncoder();
const TOO_SLOW = encoder.encode("! too slow, disconnected\n");

export class Connection implements Reader {
  member: Member | undefined;
  readonly address: string;
  readonly port: number;
  #meter: DoorCounters;
  #started = performance.now();
  #outbox: Outbox;
  #ended = false;
  #registrationTimer: ReturnType<typeof setTimeout> | undefined;
  #stopListening: (() => void) | undefined;
  #historyShown = false;
  /** Resolves once the member's history is out and live events flow (or the connection ends). */
  #caughtUp: (() => void) | undefined;
  /** The newest batch the member's lines are in, and those lines: its outcome is rendered for each. */
  #sending: { batch: Sending; lines: string[] } | undefined;

  constructor(
    readonly transport: LineTransport,
    private readonly host: ConnectionHost,
    readonly label: TcpLabel = "tcp",
  ) {
    const { sendq } = host.options;
    this.#meter = host.counters[label];
    this.#outbox = new Outbox(
      transport,
      host.flusher,
      sendq,
      () => this.#tooSlow(),
      () => this.close("lost"),
      this.#meter,
    );
    ({ address: this.address, port: this.port } = transport);
    this.#meter.accepted++;
    this.#meter.open++;
    log.info(`${label}.connect`, { address: this.address, port: this.port });
  }

  /** Greets the client and serves it until it leaves. */
  async run(): Promise<void> {
    this.#registrationTimer = setTimeout(() => this.#timedOut(), this.host.options.registrationTimeoutMs);
    try {
      await this.transport.handshake();
    } catch (error) {
      this.#end(undefined, "handshake", error instanceof Error ? error.message : String(error));
      this.transport.close();
      return;
    }
    this.send(WELCOME);
    try {
      while (!this.#ended) {
        const items = await this.transport.readLines();
        if (items === null) break;
        await this.#handleAll(items);
      }
      await this.#handleAll(this.transport.endLines());
      // The member's last lines may still be on their way: it gets them (and their outcome) before it leaves.
      await this.#sending?.batch.done;
    } catch {
      // reset or closed under us: the same as a dropped connection
      this.close("lost");
      return;
    }
    // Whoever ended the session (quit, timeout, too slow, shutdown) also closes the socket, after its last line.
    if (this.#ended) return;
    // The client ended its side: it leaves now, but it may still be reading what was queued for it.
    this.#end("lost");
    await this.#closeWhenDrained();
  }

  /** Queues one line for this client. */
  send(line: string): void {
    this.#outbox.push(encoder.encode(line + "\n"));
  }

  // Reader: how the room reaches this client.

  get memberId(): string | undefined {
    return this.member?.id;
  }

  get open(): boolean {
    return !this.#ended;
  }

  deliver(event: RoomEvent, replayed: boolean): void {
    this.#meter.deliveries++;
    if (replayed && !this.#historyShown) {
      this.#historyShown = true;
      this.send(HISTORY_HEADER);
    }
    this.#outbox.push(this.host.lines.bytes(event, this.member?.id));
  }

  deliverRound(round: Round): void {
    this.#meter.deliveries += round.public.length;
    this.#outbox.push(round.encoded(roundLines));
  }

  /** The live stream fell behind what the store keeps (a newcomer's history never needs a reset). */
  reset(events: RoomEvent[]): void {
    this.send("! this server fell behind the room: some messages were missed; the recent ones follow");
    this.send(HISTORY_HEADER);
    for (const event of events) this.#outbox.push(this.host.lines.bytes(event, this.member?.id));
  }

  caughtUp(): void {
    this.#caughtUp?.();
  }

  ready(): Promise<void> {
    return this.#outbox.drained(this.#outbox.limit / 2);
  }

  /** Closes the socket now; a present member leaves the room with `reason`. */
  close(reason?: LeaveReason): void {
    this.#end(reason);
    this.#outbox.close();
    this.transport.close();
  }

  /**
   * Ends the session at once, then gives `line` (and anything queued) up to {@link LAST_WORDS_MS} to go out.
   * Without a reason nobody leaves the room: the server is shutting down.
   */
  async closeWith(line: string, reason?: LeaveReason): Promise<void> {
    this.#end(reason);
    this.send(line);
    await this.#closeWhenDrained();
  }

  async #closeWhenDrained(): Promise<void> {
    await within(this.#outbox.drained(), LAST_WORDS_MS);
    this.#outbox.close();
    this.transport.close();
  }

  #end(reason: LeaveReason | undefined, logged: EndReason = reason ?? "shutdown", error?: string): void {
    if (this.#ended) return;
    this.#ended = true;
    clearTimeout(this.#registrationTimer);
    this.#stopListening?.();
    this.#caughtUp?.();
    this.host.forget(this);
    this.#meter.open--;
    log.info(`${this.label}.disconnect`, {
      address: this.address,
      port: this.port,
      name: this.member?.name,
      reason: logged,
      seconds: Math.round(performance.now() - this.#started) / 1000,
      error,
    });
    if (this.member && reason) {
      this.host.room.leave(this.member, reason).catch((error) =>
        log.error(`${this.label}.leave_error`, { name: this.member?.name, error: String(error) })
      );
    }
  }

  async #handleAll(items: LineItem[]): Promise<void> {
    const { backlog } = this.host.flusher;
    const { pending } = this.host.room;
    for (const item of items) {
      // The server is behind on its own writes, or on reading back what it stored: take no more input until
      // it caught up (the kernel then pushes back on the sender). Nothing is dropped, nobody is cut off.
      if (backlog.paused) await backlog.ready();
      if (pending.paused) await pending.ready();
      if (this.#ended) return;
      for (let paused = false;; paused = true) {
        let wait = this.member ? this.#chat(item) : this.#name(item);
        if (typeof wait !== "number") wait = await wait;
        if (wait === 0 || this.#ended) break;
        if (!paused) this.#meter.floodPauses++;
        await sleep(wait); // flood: stop reading, drop nothing
      }
    }
  }

  /** Returns ms to wait before retrying the same line (flood), or 0; waits only for answers, never for sends. */
  #chat(item: LineItem): number | Promise<number> {
    if ("tooLong" in item) {
      const tooLong = `! line too long (max ${this.host.options.maxLine} bytes), not sent`;
      const sending = this.#sending;
      if (sending) void sending.batch.done.then(() => this.send(tooLong));
      else this.send(tooLong);
      return 0;
    }
    const said = this.host.room.say(this.member!, item.line);
    if (said instanceof Sending) {
      if (this.#sending?.batch === said) {
        this.#sending.lines.push(item.line);
      } else {
        const sending = { batch: said, lines: [item.line] };
        this.#sending = sending;
        void said.done.then((outcome) => {
          if (this.#sending === sending) this.#sending = undefined;
          for (const line of sending.lines) this.#render(outcome, line);
        });
      }
      return 0;
    }
    if (said instanceof Promise) return said.then((outcome) => this.#render(outcome));
    return this.#render(said);
  }

  /**
   * Shows the member what became of one line (see {@link outcomeLines}); returns ms to wait before retrying
   * it (flood: reading pauses, nothing is said), or 0.
   */
  #render(outcome: Outcome, line?: string): number {
    if (outcome.type === "error" && outcome.code === "flood") return outcome.retryAfterMs ?? 100;
    if (outcome.type === "sent") this.#meter.messagesIn++;
    const lines = outcomeLines(outcome, line);
    if (outcome.type === "quit") this.closeWith(lines.join("\n"), "quit");
    else for (const text of lines) this.send(text);
    return 0;
  }

  async #name(item: LineItem): Promise<number> {
    if ("tooLong" in item) {
      this.send(`! line too long (max ${this.host.options.maxLine} bytes), not a name\n${PROMPT}`);
      return 0;
    }
    if (item.line.trim() === "{close}") {
      this.closeWith("Goodbye!", "quit");
      return 0;
    }
    const claim = await this.host.room.claim(item.line, "tcp");
    if ("error" in claim) {
      this.send(`! ${claim.error}\n${PROMPT}`);
      return 0;
    }
    if (this.#ended) {
      await this.host.room.leave(claim, "lost");
      return 0;
    }
    clearTimeout(this.#registrationTimer);
    // An idle member holds only what it needs: the spent timer and resolver are ~0.3 KiB a member.
    this.#registrationTimer = undefined;
    this.member = claim;
    this.send(this.#greeting());
    // Lines typed meanwhile wait: the member speaks once it is in the room.
    const caughtUp = new Promise<void>((resolve) => this.#caughtUp = resolve);
    this.#stopListening = this.host.room.listen(this, { history: this.host.options.history });
    await caughtUp;
    this.#caughtUp = undefined;
    if (!this.#ended) await this.host.room.enter(claim);
    return 0;
  }

  #greeting(): string {
    const names = [...this.host.room.members().map((m) => m.name), this.member!.name];
    const shown = names.slice(0, MAX_NAMES_IN_GREETING).join(", ");
    const more = names.length > MAX_NAMES_IN_GREETING ? ` and ${names.length - MAX_NAMES_IN_GREETING} more` : "";
    return `Hello, ${this.member!.name}! Online (${names.length}): ${shown}${more}. Type /help for commands.`;
  }

  #tooSlow(): void {
    if (this.#ended) return;
    this.#meter.slowCutoffs++;
    this.#end("slow");
    // The outbox overflowed and is closed. A write already in flight may finish (within the deadline); then
    // the rest of a line it cut short, and the reason, go straight to the socket, so the reader's last line
    // arrives whole and says why.
    const lastWords = this.#outbox.settled().then(async () => {
      let bytes = concat([this.#outbox.unfinishedLine(), TOO_SLOW]);
      while (bytes.length > 0) bytes = bytes.subarray(await this.transport.write(bytes));
    }).catch(() => {});
    within(lastWords, LAST_WORDS_MS).then(() => this.transport.close());
  }

  #timedOut(): void {
    if (this.member || this.#ended) return;
    this.closeWith(`! timed out (no name given within ${this.host.options.registrationTimeoutMs / 1000} s)`, "timeout");
  }
}
