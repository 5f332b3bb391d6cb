/** The room's older history for one member: full pages of what it may see, however many private messages are not its own. */
import assert from "node:assert/strict";
import { HISTORY_SCAN_MAX } from "../../server/room/room.ts";
import { MemoryStore } from "../../server/store/memory.ts";
import { testRoom } from "../helpers/room.ts";

Deno.test("a page of older history holds public events and the member's own private ones, and is full", async () => {
  const { room, store, present } = testRoom({ floodBurst: 1000 });
  const ana = await present("Ana");
  const bob = await present("Bob");
  const cy = await present("Cy");
  for (let n = 1; n <= 5; n++) await room.input(bob, `public ${n}`);
  for (let n = 1; n <= 250; n++) await room.input(bob, `/msg Cy secret ${n}`);
  await room.input(cy, "/msg Ana to Ana");
  await room.input(ana, "/msg Bob from Ana");
  await room.input(bob, "newest");
  const newest = store.lastId();

  const page = await room.historyBefore(ana.id, newest, 4);
  assert.deepEqual(page?.events.map((event) => event.text), ["public 4", "public 5", "to Ana", "from Ana"]);
  assert.equal(page?.more, true);
  const rest = await room.historyBefore(ana.id, page!.events[0].id, 100);
  assert.deepEqual(rest?.events.map((event) => event.text ?? event.kind), [
    "join",
    "join",
    "join",
    "public 1",
    "public 2",
    "public 3",
  ]);
  assert.equal(rest?.more, false, "the start is reached");
  const none = await room.historyBefore(ana.id, rest!.events[0].id, 10);
  assert.deepEqual([none?.events, none?.more], [[], false]);

  const exact = await room.historyBefore(ana.id, page!.events[0].id, 6);
  assert.equal(exact?.events.length, 6);
  assert.equal(exact?.more, false, "a page that ends exactly at the start says so");
  const cys = await room.historyBefore(cy.id, newest, 300);
  assert.equal(cys?.events.filter((event) => event.text?.startsWith("secret")).length, 250);
  assert.ok(!cys?.events.some((event) => event.text === "from Ana"));
  assert.equal(await room.historyBefore(ana.id, "nonsense", 10), null);
});

Deno.test("a request looks at HISTORY_SCAN_MAX events at most; the member pages on from where it stopped", async () => {
  const { room, store, present } = testRoom({ floodBurst: 100_000 }, new MemoryStore(10_000));
  const ana = await present("Ana");
  const bob = await present("Bob");
  await present("Cy");
  await room.input(bob, "old public");
  for (let n = 1; n <= HISTORY_SCAN_MAX + 500; n++) await room.input(bob, `/msg Cy secret ${n}`);
  const first = await room.historyBefore(ana.id, store.lastId(), 10);
  assert.deepEqual(first?.events, [], "nothing Ana may see among the newest it looked at");
  assert.equal(first?.more, true);
  const second = await room.historyBefore(ana.id, first!.next, 10);
  assert.ok(second?.events.some((event) => event.text === "old public"), "found from where the first stopped");
});
