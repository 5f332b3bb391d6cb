/** The event types: what happened in the room, in the order the log assigned. */

export type Door = "tcp" | "web";

export type EventKind = "message" | "action" | "join" | "leave" | "system";

/** Why a member left. `lost`: the connection dropped; `slow`: its reader fell too far behind. */
export type LeaveReason = "quit" | "lost" | "timeout" | "kicked" | "slow";

/** An event before the log has given it an id. */
export interface NewEvent {
  at: number;
  kind: EventKind;
  /** The member's display name (message, action, join, leave). */
  from?: string;
  /** Cleaned text (message, action, system). */
  text?: string;
  /** The door the member came through (join). */
  door?: Door;
  reason?: LeaveReason;
  /**
   * Private events (planned): the recipient's member id. Delivered and replayed only to the sender's and
   * the recipient's sessions, never by name. See {@link isVisibleTo}.
   */
  to?: string;
  /** The sender's member id, kept with private events so replay can find them. */
  fromId?: string;
}

export interface RoomEvent extends NewEvent {
  /** Strictly increasing within one log; see RoomLog.epoch for telling logs apart. */
  id: number;
}

/** Whether a reader holding member id `memberId` (or none, for the public page) may see `event`. */
export function isVisibleTo(
  event: NewEvent,
  memberId: string | undefined,
): boolean {
  return event.to === undefined ||
    (memberId !== undefined &&
      (event.to === memberId || event.fromId === memberId));
}
