/**
 * Splits the bytes a server sends into lines, as the chat's TCP door speaks them: UTF-8, one line per `\n`
 * (a `\r\n` is accepted). Bytes are split at `\n` before decoding, so a character cut between two reads
 * arrives whole. A line is held to `max` bytes: past them what came of it is dropped, a {@link TooLong}
 * takes its place, and the rest of it is skipped up to the next `\n`. Each byte is looked at once and the
 * bytes of a line copied a bounded number of times, so a server sending megabytes without a newline costs
 * the client at most `max` bytes and linear time.
 *
 * @example
 * ```ts
 * import { LineSplitter } from "./line_splitter.ts";
 * const lines = new LineSplitter(16);
 * const bytes = new TextEncoder().encode("Ana: hi\r\nBob: this is far too long\nAna: ");
 * lines.push(bytes); // ["Ana: hi", TooLong { max: 16 }]
 * lines.push(new TextEncoder().encode("ok\n")); // ["Ana: ok"]
 * ```
 */

/** In place of a line longer than the client takes: what came of it was dropped, the rest is skipped. */
export class TooLong {
  constructor(readonly max: number) {}
}

/** A line from the server, or the mark of one that was too long. */
export type ServerLine = string | TooLong;

const NEWLINE = 0x0a;
/** Room for a line at first; it grows to `max` only for a line that long. */
const INITIAL_BYTES = 16 * 1024;

export class LineSplitter {
  #pending: Uint8Array;
  #length = 0;
  /** Inside a line found too long: everything up to its `\n` is dropped. */
  #skipping = false;
  #decoder = new TextDecoder();

  constructor(readonly max: number) {
    this.#pending = new Uint8Array(Math.min(max, INITIAL_BYTES));
  }

  /** The lines `bytes` completes (and the marks of those too long), in order; the rest waits for more. */
  push(bytes: Uint8Array): ServerLine[] {
    const lines: ServerLine[] = [];
    for (let start = 0; start < bytes.length;) {
      const newline = bytes.indexOf(NEWLINE, start);
      const end = newline === -1 ? bytes.length : newline;
      if (this.#skipping) {
        this.#skipping = newline === -1;
      } else if (this.#length + end - start > this.max) {
        this.#length = 0;
        this.#skipping = newline === -1;
        lines.push(new TooLong(this.max));
      } else {
        this.#append(bytes.subarray(start, end));
        if (newline !== -1) lines.push(this.#take().replace(/\r$/, ""));
      }
      if (newline === -1) break;
      start = newline + 1;
    }
    return lines;
  }

  /** The server closed: a last line without its `\n`, if one was coming. */
  end(): ServerLine[] {
    const rest = !this.#skipping && this.#length > 0 ? [this.#take()] : [];
    this.#skipping = false;
    return rest;
  }

  /** Doubling the room when it runs out keeps the copying linear in all, the room at most `max`. */
  #append(part: Uint8Array): void {
    const needed = this.#length + part.length;
    if (needed > this.#pending.length) {
      const grown = new Uint8Array(Math.min(this.max, Math.max(needed, 2 * this.#pending.length)));
      grown.set(this.#pending.subarray(0, this.#length));
      this.#pending = grown;
    }
    this.#pending.set(part, this.#length);
    this.#length = needed;
  }

  #take(): string {
    const line = this.#decoder.decode(this.#pending.subarray(0, this.#length));
    this.#length = 0;
    return line;
  }
}
