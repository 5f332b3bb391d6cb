/** The event types: what happened in the room, in the order the store assigned. */

import type { Door } from "../../common/doors.ts";

export type { Door };

export type EventKind = "message" | "action" | "join" | "leave" | "system";

/** Why a member left. `lost`: the connection dropped; `slow`: its reader fell too far behind. */
export type LeaveReason = "quit" | "lost" | "timeout" | "slow";

/** An event before the store has given it an id. */
export interface NewEvent {
  at: number;
  kind: EventKind;
  /** The member's display name (message, action, join, leave). */
  from?: string;
  /** The member's id (message, action, join, leave): never reused, so never someone else's. */
  fromId?: string;
  /** Cleaned text (message, action, system). */
  text?: string;
  /** The door the member came through (join). */
  door?: Door;
  reason?: LeaveReason;
  /**
   * A private message: the recipient's member id. Delivered and replayed only to the sender and the
   * recipient, never by name (see {@link isVisibleTo}).
   */
  to?: string;
  /** A private message: the recipient's name when it was sent. */
  toName?: string;
}

export interface RoomEvent extends NewEvent {
  /** `<epoch>-<position>`, assigned by the store (see server/store/ids.ts). */
  id: string;
}

/** Whether a reader holding member id `memberId` (or none, for the public page) may see `event`. */
export function isVisibleTo(event: NewEvent, memberId: string | undefined): boolean {
  return event.to === undefined ||
    (memberId !== undefined && (event.to === memberId || event.fromId === memberId));
}
