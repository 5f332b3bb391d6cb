/**
 * What the browser and the server both know: the JSON shape of an event on the wire, and the SSE
 * event id that carries the log's epoch so ids from another run are never mistaken for current ones.
 * Type-light and dependency-free: this file ships to the browser.
 */

/** A room event as the browser sees it. `id` is `${epoch}-${sequence}`. */
export interface WireEvent {
  id: string;
  at: number;
  kind: "message" | "action" | "join" | "leave" | "system";
  from?: string;
  text?: string;
  door?: "tcp" | "web";
  reason?: string;
}

/** A present member as the browser sees it. */
export interface WireMember {
  name: string;
  door: "tcp" | "web";
}

/**
 * Who is present, as sent in `event: members` and rendered into the page: the first
 * {@link MEMBERS_LISTED} present members (in the order they arrived) and how many are present in all.
 * The list is bounded so the snapshot stays small however big the room is.
 */
export interface WireMembers {
  members: WireMember[];
  total: number;
}

/** The most members a snapshot lists; the rest are only counted in `total`. */
export const MEMBERS_LISTED = 200;

/** Names of the SSE events besides the unnamed room events. */
export const SSE_RESET = "reset";
export const SSE_MEMBERS = "members";
/** The server is going away: the last event of every stream; the page reconnects as usual. */
export const SSE_SHUTDOWN = "shutdown";

export function eventId(epoch: string, sequence: number): string {
  return `${epoch}-${sequence}`;
}

/** The sequence number in `id` if it belongs to `epoch`, else undefined (unknown, foreign or malformed). */
export function parseEventId(
  id: string | null | undefined,
  epoch: string,
): number | undefined {
  if (!id) return undefined;
  const dash = id.lastIndexOf("-");
  if (dash <= 0 || id.slice(0, dash) !== epoch) return undefined;
  const tail = id.slice(dash + 1);
  if (!/^\d{1,15}$/.test(tail)) return undefined;
  return Number(tail);
}
