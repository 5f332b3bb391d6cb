/**
 * room.listen, in-process over the memory store: each reader gets its history or what it missed, then
 * live events, each once and in order, only what it may see, with bounded memory however long the gap.
 */
import assert from "node:assert/strict";
import type { RoomEvent } from "../../server/room/events.ts";
import { HOLD_BYTES } from "../../server/room/fanout.ts";
import { PAGE } from "../../server/room/listen.ts";
import type { From, Reader } from "../../server/room/reader.ts";
import type { Round } from "../../server/room/round.ts";
import { MemoryStore } from "../../server/store/memory.ts";
import { testRoom } from "../helpers/room.ts";

/** A reader that records what it gets; `blocked` holds its replay at the next page until unblocked. */
class Recorder implements Reader {
  got: { text: string; replayed: boolean }[] = [];
  resets: { texts: string[]; position: string }[] = [];
  caughtUpAt: number | undefined;
  open = true;
  readyCalls = 0;
  #blocked: Promise<void> | undefined;
  #unblock: (() => void) | undefined;
  #caughtUp!: () => void;
  readonly live = new Promise<void>((resolve) => this.#caughtUp = resolve);

  constructor(readonly memberId: string | undefined = undefined) {}

  deliver(event: RoomEvent, replayed: boolean): void {
    this.got.push({ text: label(event), replayed });
  }
  deliverRound(round: Round): void {
    for (const event of round.public) this.deliver(event, false);
  }
  reset(events: RoomEvent[], position: string): void {
    this.resets.push({ texts: events.map(label), position });
  }
  caughtUp(): void {
    this.caughtUpAt = this.got.length;
    this.#caughtUp();
  }
  ready(): Promise<void> {
    this.readyCalls++;
    return this.#blocked ?? Promise.resolve();
  }
  block(): void {
    this.#blocked = new Promise((resolve) => this.#unblock = resolve);
  }
  unblock(): void {
    this.#blocked = undefined;
    this.#unblock?.();
  }
  texts(): string[] {
    return this.got.map((entry) => entry.text);
  }
}

const label = (event: RoomEvent) => event.text ?? `${event.kind} ${event.from}`;
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

async function system(room: ReturnType<typeof testRoom>["room"], count: number, prefix = "s"): Promise<void> {
  for (let i = 1; i <= count; i++) await room.announce(`${prefix}${i}`);
}

Deno.test("a newcomer gets its history as replayed events, then live events as they happen", async () => {
  const { room } = testRoom();
  await system(room, 5);
  const reader = new Recorder("me");
  room.listen(reader, { history: 3 });
  await reader.live;
  await room.announce("live");
  assert.deepEqual(reader.got, [
    { text: "s3", replayed: true },
    { text: "s4", replayed: true },
    { text: "s5", replayed: true },
    { text: "live", replayed: false },
  ]);
  assert.equal(reader.caughtUpAt, 3);
});

Deno.test("a resume gets exactly the events after its id, then live ones, none twice", async () => {
  const { room, events } = testRoom();
  await system(room, 10);
  const reader = new Recorder();
  room.listen(reader, { after: events[3].id });
  await room.announce("during");
  await reader.live;
  await room.announce("after");
  assert.deepEqual(reader.texts(), ["s5", "s6", "s7", "s8", "s9", "s10", "during", "after"]);
});

Deno.test("a long gap is replayed at the reader's pace: nothing goes out while it has no room", async () => {
  const { room, events } = testRoom({}, new MemoryStore(10_000));
  await system(room, PAGE * 5);
  const reader = new Recorder();
  reader.block();
  room.listen(reader, { after: events[0].id });
  await tick();
  assert.equal(reader.got.length, 0, "it waits for room");
  reader.unblock();
  await reader.live;
  assert.equal(reader.got.length, PAGE * 5 - 1);
  assert.ok(reader.readyCalls >= PAGE * 5 - 1);
});

Deno.test("events that pile up past the hold during a replay are caught up from the store, in order, once", async () => {
  const { room, events } = testRoom({}, new MemoryStore(100_000));
  await system(room, PAGE * 2);
  const reader = new Recorder();
  reader.block();
  room.listen(reader, { after: events[0].id });
  await tick();
  // Far more than a hold keeps, while the reader is still replaying.
  const flood = Math.ceil(HOLD_BYTES / 100) * 3;
  for (let i = 1; i <= flood; i++) await room.announce(`f${i}`);
  reader.unblock();
  await reader.live;
  await room.announce("end");
  const expected = [
    ...Array.from({ length: PAGE * 2 - 1 }, (_, i) => `s${i + 2}`),
    ...Array.from({ length: flood }, (_, i) => `f${i + 1}`),
    "end",
  ];
  assert.deepEqual(reader.texts(), expected);
});

Deno.test("an id from another store, a malformed one, or one older than what is kept gets a reset", async () => {
  const { room, events } = testRoom({ history: 3 }, new MemoryStore(10));
  await system(room, 20);
  for (const after of ["ffffffffffff-3", "garbage", events[0].id]) {
    const reader = new Recorder();
    room.listen(reader, { after });
    await reader.live;
    assert.deepEqual(reader.resets, [{ texts: ["s18", "s19", "s20"], position: events.at(-1)!.id }], after);
    assert.deepEqual(reader.got, [], after);
  }
});

Deno.test("a reader that leaves mid-replay stops its replay and gets nothing more", async () => {
  const { room, events } = testRoom({}, new MemoryStore(10_000));
  await system(room, PAGE * 3);
  const reader = new Recorder();
  const stop = room.listen(reader, { after: events[0].id });
  reader.block();
  await tick();
  const got = reader.got.length;
  assert.ok(got < PAGE * 3 - 1);
  reader.open = false;
  stop();
  reader.unblock();
  await tick();
  await room.announce("later");
  assert.equal(reader.got.length, got);
  assert.equal(reader.caughtUpAt, undefined);
});

Deno.test("a private message reaches its two members live and in replay, and no one else", async () => {
  const { room, events, present } = testRoom({ maxMessageBytes: 100 });
  const ana = await present("Ana");
  const bob = await present("Bob");
  const readers = {
    ana: new Recorder(ana.id),
    bob: new Recorder(bob.id),
    eve: new Recorder("eve"),
    page: new Recorder(),
  };
  for (const reader of Object.values(readers)) room.listen(reader, { now: true });
  await Promise.all(Object.values(readers).map((reader) => reader.live));
  const start = events.at(-1)!.id;
  await room.input(ana, "/msg Bob psst");
  await room.input(ana, "public");
  assert.deepEqual(readers.ana.texts(), ["psst", "public"]);
  assert.deepEqual(readers.bob.texts(), ["psst", "public"]);
  assert.deepEqual(readers.eve.texts(), ["public"]);
  assert.deepEqual(readers.page.texts(), ["public"]);
  const replays = { ana: new Recorder(ana.id), eve: new Recorder("eve") };
  for (const reader of Object.values(replays)) room.listen(reader, { after: start });
  await Promise.all(Object.values(replays).map((reader) => reader.live));
  assert.deepEqual(replays.ana.texts(), ["psst", "public"]);
  assert.deepEqual(replays.eve.texts(), ["public"]);
  assert.deepEqual((await room.history(10)).events.map(label).filter((t) => t === "psst"), []);
});

Deno.test("whoever takes a name later sees nothing of the private messages of its earlier holder", async () => {
  const { room, present } = testRoom({ maxMessageBytes: 100 });
  const ana = await present("Ana");
  const bob = await present("Bob");
  await room.input(ana, "/msg Bob for the first Bob only");
  await room.leave(bob, "quit");
  const newBob = await present("Bob");
  const reader = new Recorder(newBob.id);
  room.listen(reader, { history: 20 });
  await reader.live;
  assert.ok(!reader.texts().includes("for the first Bob only"), reader.texts().join(" | "));
});

Deno.test("each of several readers that start while events arrive gets every event once, in order", async () => {
  const { room } = testRoom();
  await system(room, 3, "old");
  const readers = Array.from({ length: 5 }, () => new Recorder());
  const starts: From[] = [{ now: true }, { history: 2 }, { history: 0 }, { now: true }, { history: 5 }];
  readers.forEach((reader, i) => room.listen(reader, starts[i]));
  await system(room, 50, "new");
  await Promise.all(readers.map((reader) => reader.live));
  const news = Array.from({ length: 50 }, (_, i) => `new${i + 1}`);
  for (const reader of readers) assert.deepEqual(reader.texts().filter((t) => t.startsWith("new")), news);
  assert.deepEqual(readers[1].texts().slice(0, 2), ["old2", "old3"]);
});
