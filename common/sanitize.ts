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

// The same, less IRC's formatting codes: bold, colour (\x03, \x04 hex), reset, monospace, reverse, italic,
// strikethrough, underline.
// deno-lint-ignore no-control-regex -- control characters are what this matches
const CONTROL_BUT_IRC = /[\x00\x01\x05-\x08\x0a-\x0e\x10\x12-\x15\x17-\x1c\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;
const IRC_FORMATTING =
  // deno-lint-ignore no-control-regex -- control characters are what this matches
  /\x03(?:\d{1,2}(?:,\d{1,2})?)?|\x04(?:[0-9a-fA-F]{6}(?:,[0-9a-fA-F]{6})?)?|[\x02\x0f\x11\x16\x1d\x1e\x1f]/g;
// deno-lint-ignore no-control-regex -- control characters are what this matches
const HAS_IRC_FORMATTING = /[\x02-\x04\x0f\x11\x16\x1d-\x1f]/;

/**
 * `keepIrcFormatting`: IRC's formatting codes stay (text from an IRC member, for IRC readers); every door
 * but IRC shows such text through {@link stripIrcFormatting}.
 */
export function sanitize(text: string, keepIrcFormatting = false): string {
  return text.replace(ESCAPE_SEQUENCE, "").replaceAll("\t", " ").replace(
    keepIrcFormatting ? CONTROL_BUT_IRC : CONTROL,
    "",
  );
}

/**
 * Text without IRC's formatting codes (and a colour code's digits), for readers that are not IRC clients.
 *
 * @example
 * ```ts
 * stripIrcFormatting("\x02bold\x02 and \x0304,01red\x03"); // "bold and red"
 * ```
 */
export function stripIrcFormatting(text: string): string {
  return HAS_IRC_FORMATTING.test(text) ? text.replace(IRC_FORMATTING, "") : text;
}
