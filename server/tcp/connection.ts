/**
 * One TCP client, from greeting to goodbye: reads lines (paced by the member's flood bucket), turns
 * them into room input, and writes through its own bounded {@link Outbox}.
 */
import type { LeaveReason, RoomEvent } from "../room/events.ts";
import { isVisibleTo } from "../room/events.ts";
import type { Member, Outcome, Room } from "../room/room.ts";
import type { Flusher } from "../io/flusher.ts";
import { type LineItem, LineReader } from "./line_reader.ts";
import { Outbox } from "../io/outbox.ts";
import { countWithin } from "../io/bytes.ts";
import { renderLine } from "./render.ts";

export const PROMPT = "Enter your name:";
export const WELCOME = `Welcome to the chatroom! ${PROMPT}`;
/**
 * Idle members (most of them) read into a small buffer; each read that fills it doubles it, up to the busy
 * size, for good. Doubling keeps it within twice the biggest read: 512 B sent once no longer holds 16 KiB.
 */
const IDLE_READ_BYTES = 512;
const BUSY_READ_BYTES = 16384;
const MAX_NAMES_IN_GREETING = 20;
/** How long a last line (goodbye, "too slow") may take to reach a client before the socket closes. */
const LAST_WORDS_MS = 500;

export interface ConnectionOptions {
  maxLine: number;
  sendq: number;
  history: number;
  registrationTimeoutMs: number;
}

/** What a connection needs from its door. */
export interface ConnectionHost {
  readonly room: Room;
  readonly flusher: Flusher;
  readonly options: ConnectionOptions;
  /** Starts delivering live events to the connection. */
  listen(connection: Connection): void;
  /** The connection is gone; stop delivering to it and stop counting it. */
  forget(connection: Connection): void;
}

const encoder = new TextEncoder();

export class Connection {
  member: Member | undefined;
  #outbox: Outbox;
  #reader: LineReader;
  #closed = false;
  #registrationTimer: ReturnType<typeof setTimeout> | undefined;
  /** Live events that arrived while history was being loaded, delivered after it. */
  #held: { event: RoomEvent; bytes: Uint8Array }[] | null = null;

  constructor(readonly conn: Deno.Conn, private readonly host: ConnectionHost) {
    const { sendq, maxLine } = host.options;
    this.#outbox = new Outbox(
      conn,
      host.flusher,
      sendq,
      () => this.#tooSlow(),
      () => this.close("lost"),
    );
    this.#reader = new LineReader(maxLine);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Greets the client and serves it until it leaves. */
  async run(): Promise<void> {
    this.send(WELCOME);
    this.#registrationTimer = setTimeout(
      () => this.#timedOut(),
      this.host.options.registrationTimeoutMs,
    );
    let buffer = new Uint8Array(IDLE_READ_BYTES);
    try {
      while (!this.#closed) {
        const n = await this.conn.read(buffer);
        if (n === null) break;
        await this.#handleAll(this.#reader.push(buffer.subarray(0, n)));
        if (n === buffer.length && n < BUSY_READ_BYTES) buffer = new Uint8Array(n * 2);
      }
      await this.#handleAll(this.#reader.end());
    } catch {
      // reset or closed under us: the same as a dropped connection
      this.close("lost");
      return;
    }
    // Whoever ended the session (quit, timeout, too slow, shutdown) also closes the socket, after its last line.
    if (this.#closed) return;
    // The client ended its side: it leaves now, but it may still be reading what was queued for it.
    this.#end("lost");
    await this.#closeWhenDrained();
  }

  /** Queues one line for this client. */
  send(line: string): void {
    this.#outbox.push(encoder.encode(line + "\n"));
  }

  /** A live event, rendered once by the door for everyone. */
  deliver(event: RoomEvent, bytes: Uint8Array): void {
    if (!isVisibleTo(event, this.member?.id)) return;
    if (this.#held) this.#held.push({ event, bytes });
    else this.#outbox.push(bytes);
  }

  /** Closes the socket now; a present member leaves the room with `reason`. */
  close(reason?: LeaveReason): void {
    this.#end(reason);
    this.#outbox.close();
    this.#closeSocket();
  }

  /** Ends the session at once, then gives `line` (and anything queued) up to {@link LAST_WORDS_MS} to go out. */
  async closeWith(line: string, reason?: LeaveReason): Promise<void> {
    this.#end(reason);
    this.send(line);
    await this.#closeWhenDrained();
  }

  /** Gives what is queued up to {@link LAST_WORDS_MS} to go out, then closes the socket. */
  async #closeWhenDrained(): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      this.#outbox.drained(),
      new Promise((resolve) => timer = setTimeout(resolve, LAST_WORDS_MS)),
    ]);
    clearTimeout(timer);
    this.#outbox.close();
    this.#closeSocket();
  }

  #end(reason: LeaveReason | undefined): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#registrationTimer);
    this.host.forget(this);
    if (this.member && reason) this.host.room.leave(this.member, reason);
  }

  #closeSocket(): void {
    try {
      this.conn.close();
    } catch {
      // already closed
    }
  }

  async #handleAll(items: LineItem[]): Promise<void> {
    for (const item of items) {
      if (this.#closed) return;
      for (;;) {
        const wait = this.member ? this.#chat(item) : await this.#name(item);
        if (wait === 0 || this.#closed) break;
        await new Promise((resolve) => setTimeout(resolve, wait)); // flood: stop reading, drop nothing
      }
    }
  }

  /** Returns ms to wait before retrying the same line (flood), or 0. */
  #chat(item: LineItem): number {
    if ("tooLong" in item) {
      this.send(
        `! line too long (max ${this.host.options.maxLine} bytes), not sent`,
      );
      return 0;
    }
    const outcome: Outcome = this.host.room.input(this.member!, item.line);
    switch (outcome.type) {
      case "error":
        if (outcome.code === "flood") return outcome.retryAfterMs ?? 100;
        this.send(`! ${outcome.message}`);
        return 0;
      case "reply":
        for (const line of outcome.lines) this.send(line);
        return 0;
      case "quit":
        this.#quit();
        return 0;
      default:
        return 0;
    }
  }

  async #name(item: LineItem): Promise<number> {
    if ("tooLong" in item) {
      this.send(`! line too long (max ${this.host.options.maxLine} bytes), not a name\n${PROMPT}`);
      return 0;
    }
    if (item.line.trim() === "{close}") {
      this.closeWith("Goodbye!");
      return 0;
    }
    const claim = this.host.room.claim(item.line, "tcp");
    if ("error" in claim) {
      this.send(`! ${claim.error}\n${PROMPT}`);
      return 0;
    }
    clearTimeout(this.#registrationTimer);
    this.member = claim;
    this.#held = [];
    this.host.listen(this);
    const history = await this.host.room.log.recent(this.host.options.history);
    if (this.#closed) return 0;
    this.send(this.#greeting());
    const lines = fitHistory(history.filter((event) => isVisibleTo(event, claim.id)), this.host.options.sendq / 2);
    if (lines.length > 0) this.send("--- recent history ---");
    for (const line of lines) this.send(line);
    const last = history.at(-1)?.id ?? 0;
    for (const { event, bytes } of this.#held) {
      if (event.id > last) this.#outbox.push(bytes);
    }
    this.#held = null;
    this.host.room.enter(claim);
    return 0;
  }

  #greeting(): string {
    const names = [
      ...this.host.room.members().map((m) => m.name),
      this.member!.name,
    ];
    const shown = names.slice(0, MAX_NAMES_IN_GREETING).join(", ");
    const more = names.length > MAX_NAMES_IN_GREETING ? ` and ${names.length - MAX_NAMES_IN_GREETING} more` : "";
    return `Hello, ${this.member!.name}! Online (${names.length}): ${shown}${more}. Type /help for commands.`;
  }

  #quit(): void {
    this.closeWith("Goodbye!", "quit");
  }

  #tooSlow(): void {
    if (this.#closed) return;
    this.#end("slow");
    // The outbox overflowed and is closed. A write already in flight may finish (within the deadline), so
    // the reader's last line arrives whole; then "too slow" goes straight to the socket, unless the socket
    // is mid-line (a write cut short), where it would land inside another line.
    const lastWords = this.#outbox.settled().then(() =>
      this.#outbox.atBoundary ? this.conn.write(encoder.encode("! too slow, disconnected\n")) : 0
    ).catch(() => {});
    let timer: ReturnType<typeof setTimeout> | undefined;
    Promise.race([lastWords, new Promise((resolve) => timer = setTimeout(resolve, LAST_WORDS_MS))])
      .then(() => {
        clearTimeout(timer);
        this.#closeSocket();
      });
  }

  #timedOut(): void {
    if (this.member || this.#closed) return;
    this.closeWith(
      `! timed out (no name given within ${this.host.options.registrationTimeoutMs / 1000} s)`,
    );
  }
}

/**
 * The newest events' lines that fit in `budget` bytes, oldest first: a long `--history` of long lines
 * must not overflow a newcomer's queue before it has read a byte.
 */
function fitHistory(events: RoomEvent[], budget: number): string[] {
  const newestFirst = events.map(renderLine).reverse();
  return newestFirst.slice(0, countWithin(newestFirst, budget, 1)).reverse();
}
