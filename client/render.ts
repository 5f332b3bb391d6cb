/**
 * What kind of line the server sent, and how it is printed: the time it arrived, then the line, in colour when
 * the output is a terminal. Lines from the server are cleaned as the server cleans text (escape sequences,
 * control characters, bidirectional overrides and isolates; server/room/sanitize.ts) before they are printed:
 * the server cleans them already, but a terminal must not take orders from whatever answers on the port.
 *
 * @example
 * ```ts
 * import { classify, renderLine } from "./render.ts";
 * renderLine("Ana: hi", classify("Ana: hi"), new Date(2026, 0, 1, 9, 5), false); // "09:05 Ana: hi"
 * ```
 */

import { ACTION_MARK, NOTICE_MARK } from "../common/sentences.ts";
import { sanitize } from "../common/sanitize.ts";

export type LineKind =
  | "message" // NAME: text
  | "action" // ~ NAME does something
  | "presence" // * NAME joined the chat, * NAME left the chat (…)
  | "private" // [private] FROM: text, [private to NAME] text
  | "error" // ! why
  | "system" // * server shutting down, and any other notice of the server
  | "info" // greetings, /who and /help answers
  | "notice" // the client's own words: offline, reconnected…
  | "pending"; // a line typed while offline, not sent yet

export const SHUTDOWN_LINE = "* server shutting down";
/** Shown instead of a time for replayed lines: the protocol does not say when they were said. */
export const UNKNOWN_TIME = "--:--";

const PRESENCE = /^\* [^\s:]+ (joined the chat$|left the chat( \(.*\))?$)/;
/** Names have no spaces and no `:`, so `NAME: ` can only start a message. */
const MESSAGE = /^([^\s:]+): /;

export function classify(line: string): LineKind {
  if (line.startsWith("! ")) return "error";
  if (line.startsWith("[private")) return "private";
  if (line === SHUTDOWN_LINE) return "system";
  if (PRESENCE.test(line)) return "presence";
  if (line.startsWith(`${NOTICE_MARK} `)) return "system";
  if (line.startsWith(`${ACTION_MARK} `)) return "action";
  if (MESSAGE.test(line)) return "message";
  return "info";
}

/** Whether a line is part of the room's public log, the lines the server replays on join. */
export function isRoomLine(kind: LineKind): boolean {
  return kind === "message" || kind === "action" || kind === "presence";
}

const STYLE: Record<LineKind, string> = {
  message: "",
  action: "35",
  presence: "90",
  private: "1;33",
  error: "31",
  system: "1;36",
  info: "",
  notice: "36",
  pending: "2",
};
const NAME_COLOURS = ["32", "33", "34", "35", "36", "92", "93", "94", "95", "96"];

/** One printable line: `HH:MM text`, with ANSI colours when `colour` is set. `time` null: a replayed line. */
export function renderLine(line: string, kind: LineKind, time: Date | null, colour: boolean): string {
  const clean = sanitize(line);
  const stamp = time ? formatTime(time) : UNKNOWN_TIME;
  if (!colour) return `${stamp} ${clean}`;
  return `${paint("2", stamp)} ${kind === "message" ? paintMessage(clean) : paint(STYLE[kind], clean)}`;
}

export function formatTime(time: Date): string {
  return `${String(time.getHours()).padStart(2, "0")}:${String(time.getMinutes()).padStart(2, "0")}`;
}

function paintMessage(line: string): string {
  // Cleaning may have taken the name apart (a line classified before it was cleaned).
  const name = line.match(MESSAGE)?.[1];
  return name === undefined ? line : paint(nameColour(name), name) + line.slice(name.length);
}

/** The same name always gets the same colour, so a speaker is recognised at a glance. */
export function nameColour(name: string): string {
  let hash = 0;
  for (const char of name.toLowerCase()) hash = (hash * 31 + char.codePointAt(0)!) >>> 0;
  return NAME_COLOURS[hash % NAME_COLOURS.length];
}

function paint(style: string, text: string): string {
  return style ? `\x1b[${style}m${text}\x1b[0m` : text;
}
