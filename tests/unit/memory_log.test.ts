import assert from "node:assert/strict";
import type { NewEvent, RoomEvent } from "../../server/room/events.ts";
import { MemoryLog } from "../../server/log/memory.ts";
import { EventRing } from "../../server/log/ring.ts";

const say = (text: string): NewEvent => ({ at: 0, kind: "message", from: "Ana", text });
const event = (id: number): RoomEvent => ({ id, ...say(`#${id}`) });
const ids = (events: RoomEvent[] | null) => events?.map((e) => e.id) ?? null;

Deno.test("an empty ring has nothing, and every id after 0 is 'nothing missed'", () => {
  const ring = new EventRing(4);
  assert.equal(ring.lastId, 0);
  assert.equal(ring.firstId, 1);
  assert.deepEqual(ring.newest(10), []);
  assert.deepEqual(ring.after(0), []);
  assert.equal(ring.after(1), null, "an id never issued");
});

Deno.test("the ring keeps the newest events up to its capacity", () => {
  const ring = new EventRing(3);
  for (let id = 1; id <= 5; id++) ring.push(event(id));
  assert.equal(ring.firstId, 3);
  assert.equal(ring.lastId, 5);
  assert.deepEqual(ids(ring.newest(10)), [3, 4, 5]);
  assert.deepEqual(ids(ring.newest(2)), [4, 5]);
  assert.deepEqual(ids(ring.newest(0)), []);
});

Deno.test("after(id) replays exactly what followed id, or null when part of it is gone", () => {
  const ring = new EventRing(3);
  for (let id = 1; id <= 5; id++) ring.push(event(id));
  assert.deepEqual(ids(ring.after(2)), [3, 4, 5], "the oldest kept event follows id 2");
  assert.deepEqual(ids(ring.after(4)), [5]);
  assert.deepEqual(ids(ring.after(5)), []);
  assert.equal(ring.after(1), null, "event 2 is gone");
  assert.equal(ring.after(6), null, "from the future");
});

Deno.test("the memory log assigns consecutive ids and tells subscribers in order", () => {
  const log = new MemoryLog(10);
  const heard: RoomEvent[] = [];
  const unsubscribe = log.subscribe((e) => heard.push(e));
  log.append(say("one"));
  log.append(say("two"));
  unsubscribe();
  log.append(say("three"));
  assert.deepEqual(heard.map((e) => [e.id, e.text]), [[1, "one"], [2, "two"]]);
  assert.equal(log.lastId(), 3);
});

Deno.test("a throwing subscriber does not stop the others", () => {
  const log = new MemoryLog(10);
  const heard: number[] = [];
  const original = console.error;
  console.error = () => {};
  try {
    log.subscribe(() => {
      throw new Error("broken listener");
    });
    log.subscribe((e) => heard.push(e.id));
    log.append(say("still delivered"));
  } finally {
    console.error = original;
  }
  assert.deepEqual(heard, [1]);
});

Deno.test("the memory log replays recent history and gaps like its ring", async () => {
  const log = new MemoryLog(3);
  for (let i = 1; i <= 5; i++) log.append(say(`m${i}`));
  assert.deepEqual((await log.recent(2)).map((e) => e.text), ["m4", "m5"]);
  assert.deepEqual(ids(await log.since(2)), [3, 4, 5]);
  assert.equal(await log.since(1), null);
});

Deno.test("each memory log has its own epoch", () => {
  assert.notEqual(new MemoryLog().epoch, new MemoryLog().epoch);
});
