/**
 * EventRing: the newest events by position, as the memory and SQLite stores keep them for replay. The
 * store-level behaviour (ids, subscribers, gaps) is the contract suite's: tests/store_contract.test.ts.
 */
import assert from "node:assert/strict";
import type { RoomEvent } from "../../server/room/events.ts";
import { EventRing } from "../../server/store/ring.ts";

const event = (position: number): RoomEvent => ({
  id: `e-${position}`,
  at: position,
  kind: "message",
  from: "Ana",
  text: `#${position}`,
});
const positions = (events: RoomEvent[] | null) => events?.map((e) => Number(e.id.slice(2))) ?? null;

/** A ring of `capacity` holding positions `last + 1` .. `last + count`. */
function filled(capacity: number, count: number, last = 0): EventRing {
  const ring = new EventRing(capacity, last);
  for (let p = last + 1; p <= last + count; p++) ring.push(event(p));
  return ring;
}

Deno.test("an empty ring has nothing, and after(0) is 'nothing missed'", () => {
  const ring = new EventRing(4);
  assert.equal(ring.lastPosition, 0);
  assert.equal(ring.firstPosition, 1);
  assert.deepEqual(ring.newest(10), []);
  assert.deepEqual(ring.after(0), []);
  assert.equal(ring.after(1), null, "a position never issued");
  assert.equal(ring.after(-1), null);
});

Deno.test("pushed events take the positions after the one the ring starts from", () => {
  const ring = filled(4, 2, 41);
  assert.equal(ring.firstPosition, 42);
  assert.equal(ring.lastPosition, 43);
  assert.deepEqual(positions(ring.after(41)), [42, 43]);
  assert.equal(ring.after(40), null, "position 41 came before the ring");
});

Deno.test("a ring starting after earlier positions, still empty, replays nothing from its start", () => {
  const ring = new EventRing(4, 41);
  assert.equal(ring.firstPosition, 42);
  assert.equal(ring.lastPosition, 41);
  assert.deepEqual(ring.after(41), []);
  assert.deepEqual(ring.newest(10), []);
  assert.equal(ring.after(40), null);
  assert.equal(ring.after(42), null);
});

Deno.test("the ring keeps the newest events up to its capacity", () => {
  const ring = filled(3, 5);
  assert.equal(ring.firstPosition, 3);
  assert.equal(ring.lastPosition, 5);
  assert.deepEqual(positions(ring.newest(10)), [3, 4, 5]);
  assert.deepEqual(positions(ring.newest(2)), [4, 5]);
  assert.deepEqual(ring.newest(0), []);
});

Deno.test("after(position) replays exactly what followed it, or null when part of it is gone", () => {
  const ring = filled(3, 5);
  assert.deepEqual(positions(ring.after(2)), [3, 4, 5], "the oldest kept event follows position 2");
  assert.deepEqual(positions(ring.after(4)), [5]);
  assert.deepEqual(ring.after(5), []);
  assert.equal(ring.after(1), null, "event 2 is gone");
  assert.equal(ring.after(6), null, "from the future");
});

Deno.test("after(position, limit) replays the oldest `limit` events that followed it", () => {
  const ring = filled(5, 12);
  assert.deepEqual(positions(ring.after(7, 2)), [8, 9]);
  assert.deepEqual(positions(ring.after(10, 5)), [11, 12]);
  assert.deepEqual(ring.after(7, 0), []);
  assert.equal(ring.after(6, 2), null, "a gap is a gap whatever the limit");
});

Deno.test("positions keep their events through many laps of the ring", () => {
  const ring = filled(7, 1000);
  assert.deepEqual(positions(ring.after(993)), [994, 995, 996, 997, 998, 999, 1000]);
  assert.deepEqual(ring.after(993)!.map((e) => e.text), ["#994", "#995", "#996", "#997", "#998", "#999", "#1000"]);
});

Deno.test("a ring of capacity 0 holds the newest event anyway", () => {
  const ring = filled(0, 3);
  assert.deepEqual(positions(ring.newest(5)), [3]);
  assert.deepEqual(positions(ring.after(2)), [3]);
  assert.equal(ring.after(1), null);
});
