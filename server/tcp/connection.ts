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
import type { RoomEvent } from "../room/events.ts";
import type { Round } from "../room/round.ts";
import { type Outcome, Sending } from "../room/room.ts";
import { LineConnection, type LineHost } from "./line_connection.ts";
import type { LineItem } from "./line_reader.ts";
import { type LineCache, outcomeLines, roundLines } from "./render.ts";
import type { LineTransport } from "./transport.ts";

export const PROMPT = "Enter your name:";
export const WELCOME = `Welcome to the chatroom! ${PROMPT}`;
export const HISTORY_HEADER = "--- recent history ---";
const MAX_NAMES_IN_GREETING = 20;

export interface ConnectionOptions {
  maxLine: number;
  sendq: number;
  history: number;
  registrationTimeoutMs: number;
}

/** The TCP door's two ports, as logs and metrics name them. */
export type TcpLabel = typeof PORTS.tcp[number];

/** What a connection needs from its door. */
export interface ConnectionHost extends LineHost {
  readonly lines: LineCache;
  readonly options: ConnectionOptions;
}

export class Connection extends LineConnection {
  protected readonly tooSlowLine = "! too slow, disconnected\n";
  #registrationTimer: ReturnType<typeof setTimeout> | undefined;
  #historyShown = false;
  /** The newest batch the member's lines are in, and those lines: its outcome is rendered for each. */
  #sending: { batch: Sending; lines: string[] } | undefined;

  constructor(transport: LineTransport, private readonly host: ConnectionHost, label: TcpLabel = "tcp") {
    super(transport, host, label);
  }

  protected override starting(): void {
    this.#registrationTimer = setTimeout(() => this.#timedOut(), this.host.options.registrationTimeoutMs);
  }

  protected override greet(): void {
    this.send(WELCOME);
  }

  protected override lastLines(): Promise<unknown> | undefined {
    return this.#sending?.batch.done;
  }

  protected override ending(): void {
    clearTimeout(this.#registrationTimer);
  }

  /** Queues one line for this client. */
  send(line: string): void {
    this.queue(line + "\n");
  }

  // Reader: how the room reaches this client.

  deliver(event: RoomEvent, replayed: boolean): void {
    this.meter.deliveries++;
    if (replayed && !this.#historyShown) {
      this.#historyShown = true;
      this.send(HISTORY_HEADER);
    }
    this.outbox.push(this.host.lines.bytes(event, this.member?.id));
  }

  deliverRound(round: Round): void {
    this.meter.deliveries += round.public.length;
    this.outbox.push(round.encoded(roundLines));
  }

  /** The live stream fell behind what the store keeps (a newcomer's history never needs a reset). */
  reset(events: RoomEvent[]): void {
    this.send("! this server fell behind the room: some messages were missed; the recent ones follow");
    this.send(HISTORY_HEADER);
    for (const event of events) this.outbox.push(this.host.lines.bytes(event, this.member?.id));
  }

  protected line(item: LineItem): number | Promise<number> {
    return this.member ? this.#chat(item) : this.#name(item);
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
    if (outcome.type === "sent") this.meter.messagesIn++;
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
    if (this.ended) {
      await this.host.room.leave(claim, "lost");
      return 0;
    }
    clearTimeout(this.#registrationTimer);
    // Dropped, as the hand-over's resolver is (see listenToRoom).
    this.#registrationTimer = undefined;
    this.member = claim;
    this.send(this.#greeting());
    // Lines typed meanwhile wait: the member speaks once it is in the room.
    await this.listenToRoom({ history: this.host.options.history });
    if (!this.ended) await this.host.room.enter(claim);
    return 0;
  }

  #greeting(): string {
    const names = [...this.host.room.members().map((m) => m.name), this.member!.name];
    const shown = names.slice(0, MAX_NAMES_IN_GREETING).join(", ");
    const more = names.length > MAX_NAMES_IN_GREETING ? ` and ${names.length - MAX_NAMES_IN_GREETING} more` : "";
    return `Hello, ${this.member!.name}! Online (${names.length}): ${shown}${more}. Type /help for commands.`;
  }

  #timedOut(): void {
    if (this.member || this.ended) return;
    this.closeWith(`! timed out (no name given within ${this.host.options.registrationTimeoutMs / 1000} s)`, "timeout");
  }
}
