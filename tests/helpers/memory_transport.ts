/**
 * A {@link LineTransport} in memory, for driving a line door's connection with no socket: the test types
 * lines (each call one read), and what the connection writes is kept as text.
 *
 * @example
 * ```ts
 * import { MemoryTransport } from "./memory_transport.ts";
 * const transport = new MemoryTransport();
 * transport.type("NICK Ana", "USER ana 0 * :Ana"); // one read of two lines
 * transport.end(); // the peer ends its side
 * ```
 */
import type { LineItem } from "../../server/tcp/line_reader.ts";
import type { LineTransport } from "../../server/tcp/transport.ts";

export class MemoryTransport implements LineTransport {
  written = "";
  closed = false;
  #typed: (LineItem[] | null)[] = [];
  #waiting: ((items: LineItem[] | null) => void) | undefined;

  constructor(readonly address = "192.0.2.1", readonly port = 4242) {}

  handshake(): Promise<void> {
    return Promise.resolve();
  }

  readLines(): Promise<LineItem[] | null> {
    const next = this.#typed.shift();
    if (next !== undefined) return Promise.resolve(next);
    return new Promise((resolve) => this.#waiting = resolve);
  }

  endLines(): LineItem[] {
    return [];
  }

  write(bytes: Uint8Array): Promise<number> {
    this.written += new TextDecoder().decode(bytes);
    return Promise.resolve(bytes.length);
  }

  close(): void {
    this.closed = true;
    this.end();
  }

  /** The peer sends `lines` in one read. */
  type(...lines: string[]): void {
    this.#push(lines.map((line) => ({ line })));
  }

  /** The peer ends its side. */
  end(): void {
    this.#push(null);
  }

  /** What was written, line by line (`\n` or `\r\n`). */
  get lines(): string[] {
    return this.written.split(/\r?\n/).filter((line) => line !== "");
  }

  /**
   * Waits (briefly, in real time: writes go through the flusher) until the text was written, or a line
   * matches; resolves to that line (or the text).
   */
  async until(match: string | RegExp): Promise<string> {
    for (let i = 0; i < 400; i++) {
      if (typeof match === "string" ? this.written.includes(match) : this.lines.some((line) => match.test(line))) {
        return typeof match === "string" ? match : this.lines.find((line) => match.test(line))!;
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    throw new Error(`nothing matching ${match} in:\n${this.written}`);
  }

  #push(items: LineItem[] | null): void {
    if (this.#waiting) {
      const resolve = this.#waiting;
      this.#waiting = undefined;
      resolve(items);
    } else {
      this.#typed.push(items);
    }
  }
}
