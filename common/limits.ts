/** Limits the server and its clients agree on by default (each is configurable on the server). */

/** The longest line or message, in bytes of UTF-8: the server's `--max-line` default, the client's too. */
export const MAX_LINE_BYTES = 2048;
