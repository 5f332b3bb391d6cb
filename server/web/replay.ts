/**
 * What a (re)connecting SSE stream gets before live events, from the `Last-Event-ID` it names.
 *
 * - no id: nothing (the page already shows the history it was rendered with);
 * - an id of this log's epoch whose successors are all still kept: exactly the events after it;
 * - anything else (another epoch, never issued, older than what is kept, malformed): a reset carrying
 *   the recent history, so the page replaces what it shows instead of trusting a partial replay.
 *
 * @example
 * ```ts
 * const replay = await planReplay(room.log, request.headers.get("last-event-id"), 20);
 * if (replay.kind === "reset") console.log(`reset with ${replay.events.length} events`);
 * ```
 */
import { parseEventId } from "../../common/wire.ts";
import type { RoomLog } from "../log/log.ts";
import type { RoomEvent } from "../room/events.ts";

export type Replay =
  | { kind: "none" }
  | { kind: "missed"; events: RoomEvent[]; after: number }
  | { kind: "reset"; events: RoomEvent[] };

export async function planReplay(
  log: RoomLog,
  lastEventId: string | null | undefined,
  history: number,
): Promise<Replay> {
  if (lastEventId === null || lastEventId === undefined || lastEventId === "") return { kind: "none" };
  const after = parseEventId(lastEventId, log.epoch);
  const events = after === undefined ? null : await log.since(after);
  if (events !== null) return { kind: "missed", events, after: after! };
  return { kind: "reset", events: await log.recent(history) };
}
