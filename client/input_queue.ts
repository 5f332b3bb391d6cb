/**
 * What the user typed, in order, waiting for the session to take it: lines, then the end of input (Ctrl-D or
 * the end of piped stdin). The session takes from it only when it can use a line, so a piped line is never
 * read as a message while a name is still to be given.
 *
 * @example
 * ```ts
 * import { InputQueue } from "./input_queue.ts";
 * const input = new InputQueue();
 * input.push({ line: "hello" });
 * await input.next(); // { line: "hello" }
 * ```
 */

export type InputItem = { line: string } | { end: true };

export class InputQueue {
  #items: InputItem[] = [];
  #waiting: ((item: InputItem) => void) | undefined;

  push(item: InputItem): void {
    const wake = this.#waiting;
    this.#waiting = undefined;
    if (wake) wake(item);
    else this.#items.push(item);
  }

  /** The next item; one taker at a time. */
  next(): Promise<InputItem> {
    const item = this.#items.shift();
    if (item) return Promise.resolve(item);
    return new Promise((resolve) => this.#waiting = resolve);
  }

  /** Lines typed but never taken (what a quit leaves unsent). */
  get untakenLines(): number {
    return this.#items.filter((item) => "line" in item).length;
  }
}
