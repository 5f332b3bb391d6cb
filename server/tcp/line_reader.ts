/**
 * Splits a byte stream into lines without ever holding more than one line's limit.
 *
 * Lines end with `\n` (a `\r\n` is accepted). Lines are cut at byte level, so a UTF-8 character split
 * across two reads is joined before decoding; invalid bytes decode to U+FFFD. A line longer than
 * `maxBytes` yields `{ tooLong: true }` once, and the rest of it is skipped up to its newline.
 *
 * A partial line lives in one buffer that grows by doubling, so what it costs follows its bytes, not how
 * they were split: 2,048 reads of one byte each hold one buffer of at most `maxBytes + 1`, where a copy
 * per read held 2,048 ArrayBuffers (~400 B each in V8 heap and malloc, ~800 KiB for a 2 KiB line).
 *
 * @example
 * ```ts
 * const reader = new LineReader(2048);
 * reader.push(new TextEncoder().encode("hi\nthe")); // [{ line: "hi" }]
 * reader.push(new TextEncoder().encode("re\n"));    // [{ line: "there" }]
 * ```
 */

export type LineItem = { line: string } | { tooLong: true };

const NEWLINE = 0x0a;
const CR = 0x0d;
/** The first buffer for a partial line; it doubles from here up to the limit. */
const FIRST_CAPACITY = 64;
const NOTHING = new Uint8Array(0);
const decoder = new TextDecoder();

export class LineReader {
  /** Holds the partial line in `[0, #size)`; released once the line is done, so an idle reader holds nothing. */
  #buffer = NOTHING;
  #size = 0;
  #skipping = false;

  constructor(readonly maxBytes: number) {}

  /** Bytes held for the partial line, used or not (at most `maxBytes + 1`). */
  get capacity(): number {
    return this.#buffer.length;
  }

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
      if (this.#size === 0 && !this.#skipping) {
        this.#emit(chunk.subarray(start, end), items); // a whole line in one read: no copy
      } else {
        this.#keep(chunk.subarray(start, end), items);
        this.#finish(items);
      }
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
    const size = this.#size + bytes.length;
    if (size > this.maxBytes + 1) {
      this.#release();
      this.#skipping = true;
      items.push({ tooLong: true });
      return;
    }
    if (size > this.#buffer.length) this.#grow(size);
    this.#buffer.set(bytes, this.#size);
    this.#size = size;
  }

  #grow(needed: number): void {
    let capacity = Math.max(this.#buffer.length, FIRST_CAPACITY);
    while (capacity < needed) capacity *= 2;
    const buffer = new Uint8Array(Math.min(capacity, this.maxBytes + 1));
    buffer.set(this.#buffer.subarray(0, this.#size));
    this.#buffer = buffer;
  }

  #finish(items: LineItem[]): void {
    if (this.#skipping) {
      this.#skipping = false;
      return;
    }
    const bytes = this.#buffer.subarray(0, this.#size);
    this.#release();
    this.#emit(bytes, items);
  }

  #release(): void {
    this.#buffer = NOTHING;
    this.#size = 0;
  }

  #emit(bytes: Uint8Array, items: LineItem[]): void {
    if (bytes.length > 0 && bytes[bytes.length - 1] === CR) {
      bytes = bytes.subarray(0, bytes.length - 1);
    }
    if (bytes.length > this.maxBytes) items.push({ tooLong: true });
    else items.push({ line: decoder.decode(bytes) });
  }
}
