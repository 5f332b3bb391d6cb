import assert from "node:assert/strict";
import type { RoomEvent } from "../../server/room/events.ts";
import { MemoryLog } from "../../server/log/memory.ts";
import { MAX_NAMES_IN_WHO, type Member, Room } from "../../server/room/room.ts";

function setup(limits = { maxMessageBytes: 20, floodBurst: 100, floodRate: 100 }) {
  const room = new Room(new MemoryLog(), limits);
  const events: RoomEvent[] = [];
  room.log.subscribe((event) => events.push(event));
  const present = (name: string): Member => {
    const member = room.claim(name, "tcp");
    if ("error" in member) throw new Error(member.error);
    room.enter(member);
    return member;
  };
  return { room, events, present };
}

Deno.test("claiming a name tells nobody; entering announces the join with the door", () => {
  const { room, events } = setup();
  const ana = room.claim("Ana", "web");
  assert.ok(!("error" in ana));
  assert.equal(events.length, 0);
  assert.equal(room.members().length, 0);
  room.enter(ana);
  room.enter(ana);
  assert.deepEqual(events.map((e) => [e.kind, e.from, e.door]), [["join", "Ana", "web"]]);
  assert.deepEqual(room.members().map((m) => m.name), ["Ana"]);
});

Deno.test("a claimed name is taken in any case until its holder leaves", () => {
  const { room, present } = setup();
  const ana = present("Ana");
  assert.deepEqual(room.claim("aNA", "web"), { error: 'the name "Ana" is taken, choose another' });
  room.leave(ana, "quit");
  assert.ok(!("error" in room.claim("aNA", "web")));
});

Deno.test("leaving is announced with its reason once; a member who never entered leaves silently", () => {
  const { room, events, present } = setup();
  const ana = present("Ana");
  room.leave(ana, "lost");
  room.leave(ana, "lost");
  const ghost = room.claim("Ghost", "tcp") as Member;
  room.leave(ghost, "timeout");
  assert.deepEqual(events.map((e) => [e.kind, e.from, e.reason]), [["join", "Ana", undefined], [
    "leave",
    "Ana",
    "lost",
  ]]);
});

Deno.test("a message is cleaned and reaches the log; blank ones are ignored", () => {
  const { room, events, present } = setup();
  const ana = present("Ana");
  assert.deepEqual(room.input(ana, "\x1b[1mhi\x1b[0m\tall"), { type: "sent" });
  assert.deepEqual(room.input(ana, " \t "), { type: "ignored" });
  assert.deepEqual(room.input(ana, "\x1b[2J"), { type: "ignored" });
  assert.deepEqual(events.slice(1).map((e) => [e.kind, e.text]), [["message", "hi all"]]);
});

Deno.test("a message over the byte limit is refused whole, never truncated", () => {
  const { room, events, present } = setup();
  const ana = present("Ana");
  const outcome = room.input(ana, "é".repeat(11));
  assert.equal(outcome.type, "error");
  assert.equal(outcome.type === "error" && outcome.code, "too_long");
  assert.deepEqual(room.input(ana, "é".repeat(10)), { type: "sent" });
  assert.equal(events.length, 2);
});

Deno.test("commands: /me is an action, // escapes a slash, unknown commands send nothing", () => {
  const { room, events, present } = setup();
  const ana = present("Ana");
  room.input(ana, "/me waves");
  room.input(ana, "//not a command");
  const unknown = room.input(ana, "/nope");
  assert.equal(unknown.type === "error" && unknown.code, "unknown_command");
  assert.deepEqual(events.slice(1).map((e) => [e.kind, e.text]), [["action", "waves"], [
    "message",
    "/not a command",
  ]]);
});

Deno.test("/quit, /QUIT and {close} ask to quit; /quitter is an unknown command", () => {
  const { room, present } = setup();
  const ana = present("Ana");
  for (const line of ["/quit", "/QUIT", "/quit now", "{close}", " {close} "]) {
    assert.deepEqual(room.input(ana, line), { type: "quit" });
  }
  assert.equal(room.input(ana, "/quitter").type, "error");
});

Deno.test("/who lists present members with their doors; /help lists the commands", () => {
  const { room, present } = setup();
  const ana = present("Ana");
  const bob = room.claim("Bob", "web") as Member;
  room.enter(bob);
  room.claim("Pending", "tcp");
  assert.deepEqual(room.input(ana, "/who"), { type: "reply", lines: ["2 online:", "  Ana (tcp)", "  Bob (web)"] });
  const help = room.input(ana, "/HELP");
  assert.ok(help.type === "reply" && help.lines[0] === "Commands:");
});

Deno.test("/who in a big room counts everyone but lists only the first names, then how many more", () => {
  const { room, present } = setup();
  const crowd = Array.from({ length: MAX_NAMES_IN_WHO + 50 }, (_, i) => present(`m${i}`));

  const who = room.input(crowd[0], "/who");

  assert.ok(who.type === "reply");
  assert.equal(who.lines.length, 1 + MAX_NAMES_IN_WHO + 1);
  assert.equal(who.lines[0], `${MAX_NAMES_IN_WHO + 50} online:`);
  assert.deepEqual(who.lines.slice(1, -1), crowd.slice(0, MAX_NAMES_IN_WHO).map((m) => `  ${m.name} (tcp)`));
  assert.equal(who.lines.at(-1), "  … and 50 more");
  room.leave(crowd.at(-1)!, "quit");
  const fewer = room.input(crowd[0], "/who");
  assert.ok(fewer.type === "reply" && fewer.lines.at(-1) === "  … and 49 more");
});

Deno.test("/who with exactly as many members as it lists names them all, with no more line", () => {
  const { room, present } = setup();
  const crowd = Array.from({ length: MAX_NAMES_IN_WHO }, (_, i) => present(`m${i}`));
  const who = room.input(crowd[0], "/who");
  assert.ok(who.type === "reply");
  assert.equal(who.lines.length, 1 + MAX_NAMES_IN_WHO);
  assert.equal(who.lines.at(-1), `  m${MAX_NAMES_IN_WHO - 1} (tcp)`);
});

Deno.test("past the burst a member is told to wait, and nothing is sent", () => {
  const { room, events, present } = setup({ maxMessageBytes: 100, floodBurst: 2, floodRate: 1 });
  const ana = present("Ana");
  room.input(ana, "one");
  room.input(ana, "two");
  const third = room.input(ana, "three");
  assert.ok(third.type === "error" && third.code === "flood" && third.retryAfterMs! > 0);
  assert.equal(events.filter((e) => e.kind === "message").length, 2);
  const bob = present("Bob");
  assert.deepEqual(room.input(bob, "unaffected"), { type: "sent" });
});

Deno.test("a member who is not present cannot speak", () => {
  const { room } = setup();
  const ana = room.claim("Ana", "tcp") as Member;
  const outcome = room.input(ana, "hello");
  assert.equal(outcome.type === "error" && outcome.code, "not_present");
});

Deno.test("announcements reach the log as system events", () => {
  const { room, events } = setup();
  room.announce("server shutting down");
  assert.deepEqual(events.map((e) => [e.kind, e.text]), [["system", "server shutting down"]]);
});
