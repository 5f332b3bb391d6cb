import assert from "node:assert/strict";
import { MAX_NAMES_IN_WHO } from "../../server/room/outcome.ts";
import type { Member } from "../../server/room/room.ts";
import type { RoomEvent } from "../../server/room/events.ts";
import { MemoryStore } from "../../server/store/memory.ts";
import type { EventStore } from "../../server/store/store.ts";
import { testRoom } from "../helpers/room.ts";

Deno.test("claiming a name tells nobody; entering announces the join with the door", async () => {
  const { room, events } = testRoom();
  const ana = await room.claim("Ana", "web");
  assert.ok(!("error" in ana));
  assert.equal(events.length, 0);
  assert.equal(room.members().length, 0);
  await room.enter(ana);
  await room.enter(ana);
  assert.deepEqual(events.map((e) => [e.kind, e.from, e.door, e.fromId]), [["join", "Ana", "web", ana.id]]);
  assert.deepEqual(room.members().map((m) => m.name), ["Ana"]);
});

Deno.test("a claimed name is taken in any case until its holder leaves", async () => {
  const { room, present } = testRoom();
  const ana = await present("Ana");
  assert.deepEqual(await room.claim("aNA", "web"), { error: 'the name "Ana" is taken, choose another' });
  await room.leave(ana, "quit");
  assert.ok(!("error" in await room.claim("aNA", "web")));
});

Deno.test("member ids are never reused, even for the same name", async () => {
  const { room, present } = testRoom();
  const first = await present("Ana");
  await room.leave(first, "quit");
  const second = await present("Ana");
  assert.notEqual(first.id, second.id);
  assert.match(second.id, /^[0-9a-f-]{36}$/);
});

Deno.test("leaving is announced with its reason once; a member who never entered leaves silently", async () => {
  const { room, events, present } = testRoom();
  const ana = await present("Ana");
  await room.leave(ana, "lost");
  await room.leave(ana, "lost");
  const ghost = await room.claim("Ghost", "tcp") as Member;
  await room.leave(ghost, "timeout");
  assert.deepEqual(events.map((e) => [e.kind, e.from, e.reason]), [["join", "Ana", undefined], [
    "leave",
    "Ana",
    "lost",
  ]]);
  assert.deepEqual(room.members(), []);
});

Deno.test("a message is cleaned and reaches the store; blank ones are ignored", async () => {
  const { room, events, present } = testRoom();
  const ana = await present("Ana");
  assert.deepEqual(await room.input(ana, "\x1b[1mhi\x1b[0m\tall"), { type: "sent" });
  assert.deepEqual(await room.input(ana, " \t "), { type: "ignored" });
  assert.deepEqual(await room.input(ana, "\x1b[2J"), { type: "ignored" });
  assert.deepEqual(events.slice(1).map((e) => [e.kind, e.text, e.fromId]), [["message", "hi all", ana.id]]);
});

Deno.test("a message over the byte limit is refused whole, never truncated", async () => {
  const { room, events, present } = testRoom();
  const ana = await present("Ana");
  const outcome = await room.input(ana, "é".repeat(11));
  assert.equal(outcome.type === "error" && outcome.code, "too_long");
  assert.deepEqual(await room.input(ana, "é".repeat(10)), { type: "sent" });
  assert.equal(events.length, 2);
});

Deno.test("commands: /me is an action, // escapes a slash, unknown commands send nothing", async () => {
  const { room, events, present } = testRoom();
  const ana = await present("Ana");
  await room.input(ana, "/me waves");
  await room.input(ana, "//not a command");
  const unknown = await room.input(ana, "/nope");
  assert.equal(unknown.type === "error" && unknown.code, "unknown_command");
  const empty = await room.input(ana, "/me  ");
  assert.equal(empty.type === "error" && empty.message, "usage: /me does something");
  assert.deepEqual(events.slice(1).map((e) => [e.kind, e.text]), [["action", "waves"], ["message", "/not a command"]]);
});

Deno.test("/quit, /QUIT and {close} ask to quit; /quitter is an unknown command", async () => {
  const { room, present } = testRoom();
  const ana = await present("Ana");
  for (const line of ["/quit", "/QUIT", "/quit now", "{close}", " {close} "]) {
    assert.deepEqual(await room.input(ana, line), { type: "quit" });
  }
  assert.equal((await room.input(ana, "/quitter")).type, "error");
});

Deno.test("/who lists present members with their doors; /help lists the commands, /msg among them", async () => {
  const { room, present } = testRoom();
  const ana = await present("Ana");
  await present("Bob", "web");
  await room.claim("Pending", "tcp");
  assert.deepEqual(await room.input(ana, "/who"), {
    type: "reply",
    lines: ["2 online:", "  Ana (tcp)", "  Bob (web)"],
  });
  const help = await room.input(ana, "/HELP");
  assert.ok(help.type === "reply" && help.lines[0] === "Commands:");
  assert.ok(help.lines.some((line) => line.includes("/msg NAME text")));
});

Deno.test("/who in a big room counts everyone but lists only the first names, then how many more", async () => {
  const { room, present } = testRoom();
  const crowd: Member[] = [];
  for (let i = 0; i < MAX_NAMES_IN_WHO + 50; i++) crowd.push(await present(`m${i}`));
  const who = await room.input(crowd[0], "/who");
  assert.ok(who.type === "reply");
  assert.equal(who.lines.length, 1 + MAX_NAMES_IN_WHO + 1);
  assert.equal(who.lines[0], `${MAX_NAMES_IN_WHO + 50} online:`);
  assert.deepEqual(who.lines.slice(1, -1), crowd.slice(0, MAX_NAMES_IN_WHO).map((m) => `  ${m.name} (tcp)`));
  assert.equal(who.lines.at(-1), "  … and 50 more");
  await room.leave(crowd.at(-1)!, "quit");
  const fewer = await room.input(crowd[0], "/who");
  assert.ok(fewer.type === "reply" && fewer.lines.at(-1) === "  … and 49 more");
});

Deno.test("past the burst a member is told to wait, and nothing is sent", async () => {
  const { room, events, present } = testRoom({ maxMessageBytes: 100, floodBurst: 2, floodRate: 1 });
  const ana = await present("Ana");
  await room.input(ana, "one");
  await room.input(ana, "two");
  const third = await room.input(ana, "three");
  assert.ok(third.type === "error" && third.code === "flood" && third.retryAfterMs! > 0);
  assert.equal(events.filter((e) => e.kind === "message").length, 2);
  const bob = await present("Bob");
  assert.deepEqual(await room.input(bob, "unaffected"), { type: "sent" });
});

Deno.test("a member who is not present cannot speak", async () => {
  const { room } = testRoom();
  const ana = await room.claim("Ana", "tcp") as Member;
  const outcome = await room.input(ana, "hello");
  assert.equal(outcome.type === "error" && outcome.code, "not_present");
});

Deno.test("announcements reach the store as system events", async () => {
  const { room, events } = testRoom();
  await room.announce("server shutting down");
  assert.deepEqual(events.map((e) => [e.kind, e.text]), [["system", "server shutting down"]]);
});

Deno.test("/msg NAME text is a private event for that member's id, whatever case the name is typed in", async () => {
  const { room, events, present } = testRoom({ maxMessageBytes: 100 });
  const ana = await present("Ana");
  const bob = await present("Bob");
  assert.deepEqual(await room.input(ana, "/msg bOB  hi  there"), { type: "sent" });
  const sent = events.at(-1)!;
  assert.deepEqual([sent.kind, sent.from, sent.fromId, sent.to, sent.toName, sent.text], [
    "message",
    "Ana",
    ana.id,
    bob.id,
    "Bob",
    "hi  there",
  ]);
});

Deno.test("/msg to someone absent, or without text, sends nothing and says why", async () => {
  const { room, events, present } = testRoom({ maxMessageBytes: 100 });
  const ana = await present("Ana");
  const bob = await present("Bob");
  await room.leave(bob, "quit");
  const before = events.length;
  const absent = await room.input(ana, "/msg Bob hello?");
  assert.deepEqual(absent, { type: "error", code: "no_such_member", message: "no one called Bob is here" });
  for (const line of ["/msg", "/msg Ana", "/msg Ana   "]) {
    const usage = await room.input(ana, line);
    assert.equal(usage.type === "error" && usage.message, "usage: /msg NAME text", line);
  }
  assert.equal(events.length, before);
});

Deno.test("private messages count against the flood limit like any message", async () => {
  const { room, present } = testRoom({ maxMessageBytes: 100, floodBurst: 1, floodRate: 0.001 });
  const ana = await present("Ana");
  await present("Bob");
  assert.deepEqual(await room.input(ana, "/msg Bob one"), { type: "sent" });
  assert.equal((await room.input(ana, "/msg Bob two")).type, "error");
});

Deno.test("with a store that delivers after append resolves, the room answers only once its readers have the event", async () => {
  const inner = new MemoryStore();
  // Like Redis: append resolves first, subscribers get the event a moment later.
  const late: EventStore = {
    get epoch() {
      return inner.epoch;
    },
    append: async (event) => (await late.appendAll([event]))[0],
    appendAll: async (events) => {
      const stored = events.map((event) => ({ ...event, id: `${inner.epoch}-${++count}` }));
      setTimeout(() => listeners.forEach((listener) => listener(stored)), 20);
      return await Promise.resolve(stored);
    },
    since: (id, limit) => inner.since(id, limit),
    recent: (limit) => inner.recent(limit),
    before: (id, limit) => inner.before(id, limit),
    lastId: () => inner.lastId(),
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    ready: () => undefined,
    close: () => Promise.resolve(),
  };
  let count = 0;
  const listeners = new Set<(events: readonly RoomEvent[]) => void>();
  const { room, present } = testRoom({}, late);
  const seen: string[] = [];
  late.subscribe((events) => seen.push(...events.map((event) => event.kind)));
  const ana = await present("Ana");
  assert.deepEqual(seen, ["join"], "enter resolved after the join reached the room's readers");
  await room.input(ana, "hello");
  assert.deepEqual(seen, ["join", "message"]);
});
