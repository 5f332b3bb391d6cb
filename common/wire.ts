/**
 * What the browser and the server both know: the JSON shape of an event on the wire, and the names of
 * the SSE events. Type-light and dependency-free: this file ships to the browser.
 */
import type { Door } from "./doors.ts";

/**
 * A room event as the browser sees it. `id` is opaque (it carries the store's epoch, so an id from another
 * run is never mistaken for a current one): the browser only hands it back as `Last-Event-ID`.
 */
export interface WireEvent {
  id: string;
  at: number;
  kind: "message" | "action" | "join" | "leave" | "system";
  from?: string;
  text?: string;
  door?: Door;
  reason?: string;
  /** A private message: the recipient's name (only the sender and the recipient ever get it). */
  to?: string;
}

/** A present member as the browser sees it. */
export interface WireMember {
  name: string;
  door: Door;
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

/** The data of `event: reset`: the page's transcript is replaced by these (the newest kept). */
export interface WireReset {
  events: WireEvent[];
}

/** The most members a snapshot lists; the rest are only counted in `total`. */
export const MEMBERS_LISTED = 200;

/** Names of the SSE events besides the unnamed room events. */
export const SSE_RESET = "reset";
export const SSE_MEMBERS = "members";
/** The server is going away: the last event of every stream; the page reconnects as usual. */
export const SSE_SHUTDOWN = "shutdown";
