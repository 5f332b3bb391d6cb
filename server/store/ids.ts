/**
 * Event ids: `<epoch>-<position>`. The epoch names the store's id space (a store that may have lost events
 * a reader saw takes a new one); the position orders events within it: one decimal number, counting from 1
 * (0: before the first). An id is opaque everywhere but here: readers only hand it back to the store, or
 * compare two ids of one epoch.
 *
 * @example
 * ```ts
 * import { compareIds, eventId, positionOf } from "./ids.ts";
 * eventId("a1b2", 42); // "a1b2-42"
 * positionOf("a1b2-42", "a1b2"); // 42
 * positionOf("ffff-42", "a1b2"); // undefined: another store's id
 * compareIds("a1b2-3", "a1b2-12"); // negative
 * ```
 */

const POSITION = /^\d{1,15}$/;

export function eventId(epoch: string, position: number): string {
  return `${epoch}-${position}`;
}

/** The position of `id` when it is a well-formed id of `epoch`, else undefined. */
export function positionOf(id: string | null | undefined, epoch: string): number | undefined {
  if (!id || !id.startsWith(epoch + "-")) return undefined;
  const position = id.slice(epoch.length + 1);
  return POSITION.test(position) ? Number(position) : undefined;
}

/** Orders two ids of the same epoch: negative, zero or positive, like a sort comparator. */
export function compareIds(a: string, b: string): number {
  // The epoch holds no `-`: the position is everything after the first one.
  return Number(a.slice(a.indexOf("-") + 1)) - Number(b.slice(b.indexOf("-") + 1));
}

/** A new random epoch: 12 hex digits, no `-`. */
export function newEpoch(): string {
  return crypto.randomUUID().replaceAll("-", "").slice(0, 12);
}
