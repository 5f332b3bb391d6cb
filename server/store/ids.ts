/**
 * Event ids: `<epoch>-<position>`. The epoch names the store's id space (a store that may have lost events
 * a reader saw takes a new one); the position orders events within it: one decimal number (`42`, SQLite and
 * memory) or several joined by `-` (`1700000000000-3`, a Redis stream id). An id is opaque everywhere but
 * here: readers only hand it back to the store, or compare two ids of one epoch.
 *
 * @example
 * ```ts
 * import { compareIds, eventId, positionOf } from "./ids.ts";
 * eventId("a1b2", "42"); // "a1b2-42"
 * positionOf("a1b2-42", "a1b2"); // "42"
 * positionOf("ffff-42", "a1b2"); // undefined: another store's id
 * compareIds("a1b2-1700-3", "a1b2-1700-12"); // negative
 * ```
 */

const POSITION = /^\d{1,16}(?:-\d{1,16})?$/;

export function eventId(epoch: string, position: string | number): string {
  return `${epoch}-${position}`;
}

/** The position part of `id` when it is a well-formed id of `epoch`, else undefined. */
export function positionOf(id: string | null | undefined, epoch: string): string | undefined {
  if (!id || !id.startsWith(epoch + "-")) return undefined;
  const position = id.slice(epoch.length + 1);
  return POSITION.test(position) ? position : undefined;
}

/** Orders two ids of the same epoch: negative, zero or positive, like a sort comparator. */
export function compareIds(a: string, b: string): number {
  // The epoch holds no `-`: the position is everything after the first one.
  return comparePositions(a.slice(a.indexOf("-") + 1), b.slice(b.indexOf("-") + 1));
}

/** Orders two positions (`42`, `1700000000000-3`) part by part. */
export function comparePositions(a: string, b: string): number {
  const pa = a.split("-").map(Number);
  const pb = b.split("-").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** A new random epoch: 12 hex digits, no `-`. */
export function newEpoch(): string {
  return crypto.randomUUID().replaceAll("-", "").slice(0, 12);
}
