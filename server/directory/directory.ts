/**
 * Directory: who holds which name. A name is held from the moment a member claims it (before it enters
 * the room) until it is released, by the keys two names that look alike share (see
 * server/room/names.ts): a claim takes all of its keys or none. Who is *present* is told by the room's
 * own join and leave events.
 */
import type { Door } from "../room/events.ts";

/** A member as everyone may know it. `id` is never reused: not after a restart, not on another instance. */
export interface MemberInfo {
  readonly id: string;
  readonly name: string;
  readonly door: Door;
}

export interface Directory {
  /** Reserves every one of `keys` for `member`: undefined when they are had, else the name of a holder. */
  claim(keys: readonly string[], member: MemberInfo): Promise<string | undefined>;
  /** Frees those of `keys` that `member` still holds. */
  release(keys: readonly string[], member: MemberInfo): Promise<void>;
  close(): Promise<void>;
}
