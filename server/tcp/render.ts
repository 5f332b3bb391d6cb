/**
 * Event → the one line a terminal user sees (without its newline). A private message reads differently
 * for its two members: `[private] FROM: text` for the recipient, `[private to NAME] text` for the sender.
 */
import { action, ACTION_MARK, notice, NOTICE_MARK } from "../../common/sentences.ts";
import type { RoomEvent } from "../room/events.ts";
import type { RoundEncoder } from "../room/round.ts";

export function renderLine(event: RoomEvent, memberId?: string): string {
  switch (event.kind) {
    case "message":
      if (event.to === undefined) return `${event.from}: ${event.text}`;
      if (event.fromId === memberId) return `[private to ${event.toName}] ${event.text}`;
      return `[private] ${event.from}: ${event.text}`;
    case "action":
      return `${ACTION_MARK} ${action(event)}`;
    default:
      return `${NOTICE_MARK} ${notice(event)}`;
  }
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
