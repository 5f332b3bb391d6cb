/**
 * Cleaning of text from any door, done once in the room (and by the terminal client, on what its server sends).
 *
 * Removes terminal escape sequences (CSI, OSC, DCS and two-byte ESC forms), C0 and C1 control
 * characters, DEL, bare carriage returns and bidirectional overrides/isolates. A tab becomes a space.
 *
 * @example
 * ```ts
 * sanitize("\x1b[31mred\x1b[0m\tok\r"); // "red ok"
 * ```
 */

// ESC [ params intermediates final | ESC ] … (BEL | ESC \) | ESC P/X/^/_ … ESC \ | ESC + one char.
// The 8-bit forms (U+009B CSI, U+009D OSC) are C1 controls and go with the rest below.
const ESCAPE_SEQUENCE =
  // deno-lint-ignore no-control-regex -- control characters are what this matches
  /\x1b\[[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[PX^_][^\x1b]*(?:\x1b\\)?|\x1b[\x20-\x7e]?/g;
// deno-lint-ignore no-control-regex -- control characters are what this matches
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;

export function sanitize(text: string): string {
  return text.replace(ESCAPE_SEQUENCE, "").replaceAll("\t", " ").replace(
    CONTROL,
    "",
  );
}
