/**
 * Directory: who holds which name and who is present on every instance. The receipts of keyed sends
 * ({@link SendReceipts}) are a concern of their own beside it, and web sessions are the web door's.
 * A name is held from the moment a member claims it (before it enters the room) until it is released, by
 * the keys two names that look alike share (see server/room/names.ts): a claim takes all of its keys or
 * none. Every instance learns joins and leaves from the room's events; the directory is what outlives an
 * instance: the members of one that died are reported lost, so the room can write their leave.
 */
import type { Door } from "../room/events.ts";

/** A member as everyone may know it. `id` is never reused: not after a restart, not on another instance. */
export interface MemberInfo {
  readonly id: string;
  readonly name: string;
  readonly door: Door;
}

/** A member as the directory keeps it: with the name keys it holds. */
export interface Holder extends MemberInfo {
  readonly keys: readonly string[];
}

export interface Directory {
  /**
   * Reserves every one of the member's keys: undefined when they are had, else the name of a holder. The
   * same member claiming again (a web session picked up by another instance) gets them.
   */
  claim(member: Holder): Promise<string | undefined>;
  /**
   * Frees the member's keys and its presence, if this instance still has it: false when another instance
   * took the member over meanwhile (then it has not left, and nothing is freed).
   */
  release(member: Holder): Promise<boolean>;
  /** The member is in the room (kept so while this instance lives). */
  enter(member: Holder): Promise<void>;
  /** Who is present on every instance now (read once at start; then the room follows its events). */
  present(): Promise<MemberInfo[]>;
  /** Calls `listener` for each member whose instance died, once, on one instance: the room writes its leave. */
  onLost(listener: (member: MemberInfo) => void): void;
  /**
   * Shared directories (Redis) keep one flood bucket per member for every instance: takes one of its
   * tokens (`burst` at most, `rate` more per second) and resolves to 0, or to the ms until one is there.
   * Absent in-process, where the member's own bucket is the only one.
   */
  flood?(memberId: string, burst: number, rate: number): Promise<number>;
  close(): Promise<void>;
}

/** The receipts of keyed sends: in-process (receipts.ts) or on Redis (redis_receipts.ts). */
export interface SendReceipts {
  /**
   * Runs `send` once for `key` (per member): a retry with the same key gets the first result and sends
   * nothing, while the first is running and, if the room took it (outcome `sent`), for {@link RECEIPT_MS}
   * after, among the member's last {@link RECEIPTS_PER_MEMBER} sends. A refused send leaves nothing behind:
   * its retry is judged afresh. Without a key, just runs it.
   */
  once<T>(memberId: string, key: string | undefined, send: () => Promise<T>): Promise<T>;
  /** The member left: none of its sends can come again, its receipts may go. */
  forget(memberId: string): void;
}

/** How long a send's key is remembered. */
export const RECEIPT_MS = 120_000;
/**
 * Receipts kept per member, the oldest dropped first: at the flood limit's default pace (5/s) about 20 s of
 * sends, far more than a page takes to retry one whose answer never came.
 */
export const RECEIPTS_PER_MEMBER = 100;
/** Receipts one process keeps in all (the in-process directory): a few MB at most. */
export const MAX_RECEIPTS = 50_000;

/** Whether a send's result is one the room took (outcome `sent`): only those leave a receipt. */
export function wasTaken(result: unknown): boolean {
  return typeof result === "object" && result !== null && (result as { type?: unknown }).type === "sent";
}
