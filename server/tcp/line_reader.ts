/**
 * Splits a byte stream into lines without ever holding more than one line's limit.
 *
 * Lines end with `\n` (a `\r\n` is accepted). Lines are cut at byte level, so a UTF-8 character split
 * across two reads is joined before decoding; invalid bytes decode to U+FFFD. A line longer than
 * `maxBytes` yields `{ tooLong: true }` once, and the rest of it is skipped up to its newline.
 *
 * @example
 * ```ts
 * const reader = new LineReader(2048);
 * reader.push(new TextEncoder().encode("hi\nthe")); // [{ line: "hi" }]
 * reader.push(new TextEncoder().encode("re\n"));    // [{ line: "there" }]
 * ```
 */

import { concat } from "../io/bytes.ts";

export type LineItem = { line: string } | { tooLong: true };

const NEWLINE = 0x0a;
const CR = 0x0d;
const decoder = new TextDecoder();

export class LineReader {
  #parts: Uint8Array[] = [];
  #size = 0;
  #skipping = false;

  constructor(readonly maxBytes: number) {}

  /** Feeds one read; `chunk` may be reused by the caller afterwards. */
  push(chunk: Uint8Array): LineItem[] {
    const items: LineItem[] = [];
    let start = 0;
    while (start < chunk.length) {
      const end = chunk.indexOf(NEWLINE, start);
      if (end === -1) {
        this.#keep(chunk.subarray(start), items);
        break;
      }
      this.#keep(chunk.subarray(start, end), items);
      this.#finish(items);
      start = end + 1;
    }
    return items;
  }

  /** The connection ended: a last line without a newline still counts. */
  end(): LineItem[] {
    const items: LineItem[] = [];
    if (this.#size > 0) this.#finish(items);
    this.#skipping = false;
    return items;
  }

  // Room for one more byte than the limit, so a `\r` before the newline does not count against it.
  #keep(bytes: Uint8Array, items: LineItem[]): void {
    if (this.#skipping || bytes.length === 0) return;
    if (this.#size + bytes.length > this.maxBytes + 1) {
      this.#parts = [];
      this.#size = 0;
      this.#skipping = true;
      items.push({ tooLong: true });
      return;
    }
    this.#parts.push(bytes.slice());
    this.#size += bytes.length;
  }

  #finish(items: LineItem[]): void {
    if (this.#skipping) {
      this.#skipping = false;
      return;
    }
    let bytes = this.#parts.length === 1 ? this.#parts[0] : concat(this.#parts, this.#size);
    this.#parts = [];
    this.#size = 0;
    if (bytes.length > 0 && bytes[bytes.length - 1] === CR) {
      bytes = bytes.subarray(0, bytes.length - 1);
    }
    if (bytes.length > this.maxBytes) items.push({ tooLong: true });
    else items.push({ line: decoder.decode(bytes) });
  }
}
