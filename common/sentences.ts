/**
 * The sentences the room's events read as, written once for every door: the TCP renderer and the
 * browser island both import them. Dependency-free: this file ships to the browser.
 *
 * Server notices (joins, leaves, system news) and members' actions (`/me`) have different forms on every
 * door, so a member's action can never pass for a notice: on TCP a notice starts with `* ` and an action
 * with `~ ` (a name holds neither `*` nor `~`).
 *
 * @example
 * ```ts
 * import { notice } from "./sentences.ts";
 * notice({ kind: "leave", from: "Ana", reason: "lost" }); // "Ana left the chat (connection lost)"
 * ```
 */

/** What a sentence needs of an event, whichever side (server or browser) holds it. */
export interface Said {
  kind: string;
  from?: string;
  text?: string;
  reason?: string;
}

/** The suffix a leave carries for each reason (a plain quit has none). */
export const LEAVE_REASONS: Readonly<Record<string, string>> = {
  quit: "",
  lost: " (connection lost)",
  timeout: " (timed out)",
  slow: " (too slow)",
};

/** The sentence of a server notice: a join, a leave, or news from the server itself. */
export function notice(event: Said): string {
  switch (event.kind) {
    case "join":
      return `${event.from} joined the chat`;
    case "leave":
      return `${event.from} left the chat${LEAVE_REASONS[event.reason ?? "quit"] ?? ""}`;
    default:
      return event.text ?? "";
  }
}

/** The sentence of a member's action: `Ana waves`. */
export function action(event: Said): string {
  return `${event.from} ${event.text ?? ""}`;
}

/** The TCP door's markers: a notice line starts with {@link NOTICE_MARK}, an action with {@link ACTION_MARK}. */
export const NOTICE_MARK = "*";
export const ACTION_MARK = "~";
