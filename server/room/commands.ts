/**
 * One line of a member's input, read as what it asks for: a message, an action, a private message, or a
 * command. Pure parsing: the room decides what each does.
 *
 * @example
 * ```ts
 * import { parseInput } from "./commands.ts";
 * parseInput("/msg Bob hi there"); // { type: "private", to: "Bob", text: "hi there" }
 * parseInput("//etc");             // { type: "message", text: "/etc" }
 * ```
 */

export type Intent =
  | { type: "message"; text: string }
  | { type: "action"; text: string }
  | { type: "private"; to: string; text: string }
  | { type: "help" }
  | { type: "who" }
  | { type: "quit" }
  | { type: "usage"; message: string }
  | { type: "unknown"; command: string };

export const HELP_LINES: readonly string[] = [
  "Commands:",
  "  /help            this list",
  "  /who             who is online, and through which door",
  "  /me does this    an action: ~ NAME does this",
  "  /msg NAME text   a private message: only NAME and you see it",
  "  /quit or {close} leave the chat",
  "  //text           send a line that starts with /",
];

/** Reads a cleaned, non-blank line. */
export function parseInput(text: string): Intent {
  if (text.trim() === "{close}") return { type: "quit" };
  if (!text.startsWith("/")) return { type: "message", text };
  if (text.startsWith("//")) return { type: "message", text: text.slice(1) };
  const [, command, rest = ""] = text.match(/^\/(\S*)\s?(.*)$/s)!;
  switch (command.toLowerCase()) {
    case "quit":
      return { type: "quit" };
    case "help":
      return { type: "help" };
    case "who":
      return { type: "who" };
    case "me":
      return rest.trim() === ""
        ? { type: "usage", message: "usage: /me does something" }
        : { type: "action", text: rest };
    case "msg": {
      const [, to, body = ""] = rest.match(/^\s*(\S*)\s*(.*)$/s)!;
      if (to === "" || body.trim() === "") return { type: "usage", message: "usage: /msg NAME text" };
      return { type: "private", to, text: body };
    }
    default:
      return { type: "unknown", command };
  }
}
