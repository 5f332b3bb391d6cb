/**
 * Directory: who holds which name. A name is held from the moment a member claims it (before it enters
 * the room) until it is released, by the folded key two names that look alike share (see
 * server/room/names.ts). Who is *present* is told by the room's own join and leave events.
 */
import type { Door } from "../room/events.ts";

/** A member as everyone may know it. `id` is never reused: not after a restart, not on another instance. */
export interface MemberInfo {
  readonly id: string;
  readonly name: string;
  readonly door: Door;
}

export interface Directory {
  /** Reserves `key` for `member`: undefined when it is had, else the name of whoever holds it. */
  claim(key: string, member: MemberInfo): Promise<string | undefined>;
  /** Frees `key` if `member` still holds it. */
  release(key: string, member: MemberInfo): Promise<void>;
  close(): Promise<void>;
}
