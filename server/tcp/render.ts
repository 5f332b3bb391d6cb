/**
 * What a terminal user reads, without newlines: an event's one line, and what became of a line it typed.
 * A private message reads differently for its two members: `[private] FROM: text` for the recipient,
 * `[private to NAME] text` for the sender.
 */
import { action, ACTION_MARK, notice, NOTICE_MARK } from "../../common/sentences.ts";
import { sanitize, stripIrcFormatting } from "../../common/sanitize.ts";
import type { RoomEvent } from "../room/events.ts";
import type { Outcome } from "../room/room.ts";
import type { RoundEncoder } from "../room/round.ts";

export function renderLine(event: RoomEvent, memberId?: string): string {
  switch (event.kind) {
    case "message":
      if (event.to === undefined) return `${event.from}: ${plain(event.text)}`;
      if (event.fromId === memberId) return `[private to ${event.toName}] ${plain(event.text)}`;
      return `[private] ${event.from}: ${plain(event.text)}`;
    case "action":
      return `${ACTION_MARK} ${action({ ...event, text: plain(event.text) })}`;
    case "join":
    case "leave":
    case "system":
      return `${NOTICE_MARK} ${notice(event)}`;
    default:
      return unknownKind(event.kind);
  }
}

/** A member's text without IRC's formatting codes (an IRC member's bold or colours are for IRC readers). */
function plain(text: string | undefined): string {
  return stripIrcFormatting(text ?? "");
}

/** A new kind of event fails to compile here instead of being shown as something else. */
function unknownKind(kind: never): never {
  throw new Error(`no TCP rendering for events of kind ${kind}`);
}

/** How much of a refused line its error line repeats. */
const PREVIEW_CHARS = 40;

/**
 * What the member reads about one of its lines: nothing for a line that went out (it sees the line itself),
 * a reply's lines, `Goodbye!`, or one `! ` error line. `line`: the line, for an error that comes after the
 * member read on (its store gone), so it knows which of a burst to send again.
 *
 * @example
 * ```ts
 * import { outcomeLines } from "./render.ts";
 * outcomeLines({ type: "error", code: "unavailable", message: "room unavailable, not sent" }, "hello");
 * // ["! room unavailable, not sent: hello"]
 * ```
 */
export function outcomeLines(outcome: Outcome, line?: string): string[] {
  switch (outcome.type) {
    case "sent":
    case "ignored":
      return [];
    case "reply":
      return outcome.lines;
    case "quit":
      return ["Goodbye!"];
    case "error":
      return [line === undefined ? `! ${outcome.message}` : `! ${outcome.message}: ${preview(line)}`];
    default:
      return unknownOutcome(outcome);
  }
}

function preview(line: string): string {
  const shown = sanitize(line).trim();
  return shown.length <= PREVIEW_CHARS ? shown : `${shown.slice(0, PREVIEW_CHARS)}…`;
}

/** A new kind of outcome fails to compile here instead of being dropped. */
function unknownOutcome(outcome: never): never {
  throw new Error(`no TCP rendering for the outcome ${JSON.stringify(outcome)}`);
}

const encoder = new TextEncoder();

/** A round's public events as the lines every TCP reader gets: one chunk, encoded once per round. */
export const roundLines: RoundEncoder = (events) => {
  let text = "";
  for (const event of events) text += renderLine(event) + "\n";
  return encoder.encode(text);
};

/**
 * Each event's line, encoded once however many readers get it: readers are handed the same event one
 * after another, so remembering the last one is enough. Private lines differ per reader and are not kept.
 */
export class LineCache {
  #event: RoomEvent | undefined;
  #bytes: Uint8Array | undefined;

  bytes(event: RoomEvent, memberId: string | undefined): Uint8Array {
    if (event.to !== undefined) return encoder.encode(renderLine(event, memberId) + "\n");
    if (event !== this.#event) {
      this.#event = event;
      this.#bytes = encoder.encode(renderLine(event) + "\n");
    }
    return this.#bytes!;
  }
}
