/**
 * Server-side wire encoding: room events → the JSON shape of common/wire.ts, and the SSE frames the web
 * door writes. A live event is encoded into its frame once and the same bytes go to every stream.
 *
 * @example
 * ```ts
 * import { eventFrame } from "./wire.ts";
 * eventFrame({ id: "3f2a9c1e-42", at: 0, kind: "system", text: "hi" });
 * // "id: 3f2a9c1e-42\ndata: {\"id\":\"3f2a9c1e-42\",\"at\":0,\"kind\":\"system\",\"text\":\"hi\"}\n\n"
 * ```
 */
import {
  MEMBERS_LISTED,
  SSE_MEMBERS,
  SSE_RESET,
  SSE_SHUTDOWN,
  type WireEvent,
  type WireMember,
  type WireMembers,
} from "../../common/wire.ts";
import type { MemberInfo } from "../room/room.ts";
import { countWithin } from "../io/bytes.ts";
import type { RoomEvent } from "../room/events.ts";
import type { RoundEncoder } from "../room/round.ts";
import { stripIrcFormatting } from "../../common/sanitize.ts";

/** How soon (ms) a browser reconnects after a stream ends; sent as `retry:` on every connect. */
export const RETRY_MS = 2000;

const encoder = new TextEncoder();

/** `retry:` frame, sent first on every stream. */
export const RETRY_FRAME: Uint8Array = encoder.encode(`retry: ${RETRY_MS}\n\n`);
/** The heartbeat: an SSE comment, ignored by EventSource but enough to keep proxies and sockets honest. */
export const PING_FRAME: Uint8Array = encoder.encode(": ping\n\n");
/** `event: shutdown`, the last frame of every stream when the server stops (no id: it is not a room event). */
export const SHUTDOWN_FRAME: Uint8Array = encoder.encode(`event: ${SSE_SHUTDOWN}\ndata: {}\n\n`);

/** The browser's view of one room event (member ids stay on the server). */
export function toWire(event: RoomEvent): WireEvent {
  const wire: WireEvent = { id: event.id, at: event.at, kind: event.kind };
  if (event.from !== undefined) wire.from = event.from;
  // An IRC member's formatting codes are for IRC readers: the page shows the text.
  if (event.text !== undefined) wire.text = stripIrcFormatting(event.text);
  if (event.door !== undefined) wire.door = event.door;
  if (event.reason !== undefined) wire.reason = event.reason;
  if (event.to !== undefined) wire.to = event.toName ?? "";
  return wire;
}

/** The browser's view of the present members. */
export function toWireMembers(members: readonly MemberInfo[]): WireMember[] {
  return members.map(({ name, door }) => ({ name, door }));
}

/**
 * Who is present as the browser gets it: the first `limit` members listed, and how many there are in all.
 *
 * @example
 * ```ts
 * import { membersSnapshot } from "./wire.ts";
 * membersSnapshot([{ id: "m1", name: "Ana", door: "tcp" }]); // { members: [{ name: "Ana", door: "tcp" }], total: 1 }
 * ```
 */
export function membersSnapshot(members: readonly MemberInfo[], limit = MEMBERS_LISTED): WireMembers {
  return { members: toWireMembers(members.slice(0, limit)), total: members.length };
}

/** A room event as an unnamed SSE event (so `EventSource.onmessage` gets it), with its id. */
export function eventFrame(event: RoomEvent): Uint8Array {
  return encoder.encode(frameText(event));
}

/** A round's public events as the frames every stream gets: one chunk, encoded once per round. */
export const roundFrames: RoundEncoder = (events) => {
  let text = "";
  for (const event of events) text += frameText(event);
  return encoder.encode(text);
};

function frameText(event: RoomEvent): string {
  const wire = toWire(event);
  // JSON.stringify escapes CR and LF, so the data always fits on one `data:` line.
  return `id: ${wire.id}\ndata: ${JSON.stringify(wire)}\n\n`;
}

/**
 * Each event's frame, encoded once however many streams get it: streams are handed the same event one
 * after another, so remembering the last one is enough.
 */
export class FrameCache {
  #event: RoomEvent | undefined;
  #bytes: Uint8Array | undefined;

  bytes(event: RoomEvent): Uint8Array {
    if (event !== this.#event) {
      this.#event = event;
      this.#bytes = eventFrame(event);
    }
    return this.#bytes!;
  }
}

/**
 * `event: reset` carrying the recent history, or as much of its newest end as fits in `maxBytes` (a frame
 * larger than the stream's queue would get the stream cut off on every reconnect); its id is the position
 * the stream continues from.
 */
export function resetFrame(events: readonly RoomEvent[], position: string, maxBytes = Infinity): Uint8Array {
  const head = `event: ${SSE_RESET}\nid: ${position}\ndata: {"events":[`;
  const tail = "]}\n\n";
  const newestFirst = events.map((event) => JSON.stringify(toWire(event))).reverse();
  const kept = newestFirst.slice(0, countWithin(newestFirst, commaListBudget(maxBytes, head + tail), 1));
  return encoder.encode(head + kept.reverse().join(",") + tail);
}

/**
 * `event: members`: who is present, as of the last event sent before it (see {@link membersSnapshot}). The
 * list is bounded ({@link MEMBERS_LISTED}), and cut shorter if the frame would outgrow `maxBytes` (a frame
 * larger than the stream's queue would get the stream cut off on every connect); `total` always counts all.
 */
export function membersFrame(members: readonly MemberInfo[], maxBytes = Infinity): Uint8Array {
  const head = `event: ${SSE_MEMBERS}\ndata: {"members":[`;
  const tail = `],"total":${members.length}}\n\n`;
  const listed = toWireMembers(members.slice(0, MEMBERS_LISTED)).map((member) => JSON.stringify(member));
  const kept = listed.slice(0, countWithin(listed, commaListBudget(maxBytes, head + tail), 1));
  return encoder.encode(head + kept.join(",") + tail);
}

/**
 * The budget for the items of a comma-separated list inside `frame` (its fixed part) of at most `maxBytes`,
 * counting one comma per item: k items need k − 1 commas, hence the one byte back.
 */
function commaListBudget(maxBytes: number, frame: string): number {
  return maxBytes - encoder.encode(frame).length + 1;
}
