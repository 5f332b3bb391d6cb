/**
 * The line being typed at the bottom of a terminal, kept intact while the conversation scrolls above it: an
 * arriving line erases the input line, prints itself, and redraws the input with the cursor where it was.
 * Pure: it turns keystrokes into edits and returns the escape codes to write, so it is tested without a terminal.
 *
 * Keys: Enter, Backspace, Delete, ←/→, Home/End (and Ctrl-A/E/B/F), Ctrl-U/K/W to cut, Ctrl-C to quit, Ctrl-D
 * to quit on an empty line. A line wider than the terminal scrolls sideways. Every character counts as one
 * column (wide CJK characters and emoji make the cursor drift; the text itself is right).
 *
 * @example
 * ```ts
 * import { LineEditor } from "./line_editor.ts";
 * const editor = new LineEditor(() => 80);
 * editor.feed("hi\r").events; // [{ line: "hi" }]
 * ```
 */

export type EditorEvent = { line: string } | { end: true } | { interrupt: true };

export interface Fed {
  /** Escape codes and text to write to the terminal. */
  output: string;
  events: EditorEvent[];
}

const CLEAR_LINE = "\r\x1b[2K";
/** What follows ESC: CSI parameters and one final byte, or SS3 and one byte (what some terminals send for arrows). */
const ESCAPE = /^(\[[0-?]*[ -/]*[@-~]|O.)/;
const INCOMPLETE_ESCAPE = /^(\[[0-?]*[ -/]*|O)?$/;

export class LineEditor {
  #chars: string[] = [];
  #cursor = 0;
  /** The first character shown when the line is wider than the terminal. */
  #offset = 0;
  #carry = "";
  #prompt = "> ";

  constructor(private readonly columns: () => number) {}

  /** What has been typed so far. */
  get text(): string {
    return this.#chars.join("");
  }

  /** Applies keystrokes (a chunk of raw terminal input; an escape sequence may be cut across chunks). */
  feed(input: string): Fed {
    const events: EditorEvent[] = [];
    let rest = this.#carry + input;
    this.#carry = "";
    while (rest.length > 0) {
      if (rest[0] === "\x1b") {
        const sequence = rest.slice(1).match(ESCAPE)?.[0];
        if (!sequence && INCOMPLETE_ESCAPE.test(rest.slice(1))) {
          this.#carry = rest;
          break;
        }
        // A lone Escape (or Alt+key) is dropped, and the key after it is typed as usual.
        if (sequence) this.#escape(sequence);
        rest = rest.slice(1 + (sequence?.length ?? 0));
        continue;
      }
      const char = String.fromCodePoint(rest.codePointAt(0)!);
      rest = rest.slice(char.length);
      const event = this.#key(char);
      if (event) events.push(event);
    }
    return { output: this.redraw(), events };
  }

  /** Prints `line` above the input line, then redraws the input as it was. */
  printAbove(line: string): string {
    return `${CLEAR_LINE}${line}\r\n${this.redraw()}`;
  }

  setPrompt(prompt: string): string {
    this.#prompt = prompt;
    return this.redraw();
  }

  /** Erases the input line (before leaving). */
  clear(): string {
    return CLEAR_LINE;
  }

  /** The input line as it should look now, cursor included. */
  redraw(): string {
    const room = Math.max(1, this.columns() - 1 - this.#prompt.length);
    if (this.#cursor < this.#offset) this.#offset = this.#cursor;
    if (this.#cursor > this.#offset + room) this.#offset = this.#cursor - room;
    if (this.#chars.length <= room) this.#offset = 0;
    const shown = this.#chars.slice(this.#offset, this.#offset + room).join("");
    const column = this.#prompt.length + this.#cursor - this.#offset;
    return `${CLEAR_LINE}${this.#prompt}${shown}\r${column > 0 ? `\x1b[${column}C` : ""}`;
  }

  #key(char: string): EditorEvent | undefined {
    switch (char) {
      case "\r":
      case "\n": {
        const line = this.text;
        this.#chars = [];
        this.#cursor = 0;
        return { line };
      }
      case "\x03":
        return { interrupt: true };
      case "\x04":
        if (this.#chars.length === 0) return { end: true };
        this.#chars.splice(this.#cursor, 1);
        return;
      case "\x7f":
      case "\b":
        if (this.#cursor > 0) this.#chars.splice(--this.#cursor, 1);
        return;
      case "\x01":
        this.#cursor = 0;
        return;
      case "\x05":
        this.#cursor = this.#chars.length;
        return;
      case "\x02":
        this.#cursor = Math.max(0, this.#cursor - 1);
        return;
      case "\x06":
        this.#cursor = Math.min(this.#chars.length, this.#cursor + 1);
        return;
      case "\x15":
        this.#chars.splice(0, this.#cursor);
        this.#cursor = 0;
        return;
      case "\x0b":
        this.#chars.splice(this.#cursor);
        return;
      case "\x17":
        this.#deleteWord();
        return;
      case "\t":
        this.#insert(" ");
        return;
    }
    if (!/\p{Cc}/u.test(char)) this.#insert(char);
  }

  #escape(sequence: string): void {
    const key = sequence.replace(/^O/, "[");
    if (key === "[D") this.#key("\x02");
    else if (key === "[C") this.#key("\x06");
    else if (key === "[H" || key === "[1~" || key === "[7~") this.#key("\x01");
    else if (key === "[F" || key === "[4~" || key === "[8~") this.#key("\x05");
    else if (key === "[3~") this.#chars.splice(this.#cursor, 1);
  }

  #insert(char: string): void {
    this.#chars.splice(this.#cursor++, 0, char);
  }

  #deleteWord(): void {
    let start = this.#cursor;
    while (start > 0 && this.#chars[start - 1] === " ") start--;
    while (start > 0 && this.#chars[start - 1] !== " ") start--;
    this.#chars.splice(start, this.#cursor - start);
    this.#cursor = start;
  }
}
