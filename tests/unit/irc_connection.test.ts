/**
 * The IRC door's registration and liveness, in-process: an {@link IrcConnection} over a transport in memory,
 * a room with the memory store, and a clock the test moves by hand (no test sleeps for a timeout).
 */
import assert from "node:assert/strict";
import { IrcConnection } from "../../server/irc/connection.ts";
import { IrcDoor } from "../../server/irc/door.ts";
import { ManualClock } from "../helpers/clock.ts";
import { MemoryTransport } from "../helpers/memory_transport.ts";
import { testRoom } from "../helpers/room.ts";

const PING_MS = 90_000;
const REGISTRATION_MS = 60_000;

function setup() {
  const clock = new ManualClock();
  const { room, events } = testRoom({ floodBurst: 100, floodRate: 100 });
  const door = new IrcDoor(room, {
    sendq: 65_536,
    history: 20,
    registrationTimeoutMs: REGISTRATION_MS,
    pingMs: PING_MS,
    channel: "#chat",
    serverName: "chat.test",
    network: "test",
    floodBurst: 100,
    floodRate: 100,
    timers: clock,
    now: () => clock.now,
    maxPerAddress: 16,
    maxConnections: 100,
    exempt: "none",
  });
  const transport = new MemoryTransport("192.0.2.7", 6667);
  const connection = new IrcConnection(transport, door);
  const running = connection.run();
  return { clock, room, events, door, transport, connection, running };
}

Deno.test("NICK and USER register at once: 001 first, then the channel", async () => {
  const { transport, room, running, door } = setup();
  transport.type("NICK Ana", "USER ana 0 * :Ana");
  await transport.until(/ 366 Ana #chat /);
  const verbs = transport.lines.map((line) => line.split(" ")[1]);
  assert.equal(verbs[0], "001");
  assert.ok(verbs.indexOf("005") < verbs.indexOf("JOIN"));
  assert.ok(verbs.indexOf("JOIN") < verbs.indexOf("353"));
  for (let i = 0; i < 100 && room.members().length === 0; i++) await new Promise((r) => setTimeout(r, 5));
  assert.deepEqual(room.members().map((m) => [m.name, m.door]), [["Ana", "irc"]]);
  transport.type("QUIT");
  await transport.until(/^ERROR :Closing Link: Ana \(Quit: left the chat\)$/);
  await running;
  await door.shutdown();
});

Deno.test("CAP LS holds registration until CAP END; REQ is all or nothing; LIST and -cap", async () => {
  const { transport, running, door, connection } = setup();
  transport.type("CAP LS 302", "NICK Ana", "USER ana 0 * :Ana");
  await transport.until(/ CAP \* LS :server-time message-tags echo-message$/);
  transport.type("CAP REQ :server-time sasl");
  await transport.until(/ CAP Ana NAK :server-time sasl$/);
  assert.equal(connection.caps.size, 0);
  transport.type("CAP REQ :server-time echo-message", "CAP REQ :-echo-message", "CAP LIST");
  await transport.until(/ CAP Ana LIST :server-time$/);
  assert.ok(!transport.lines.some((line) => / 001 /.test(line)), "not registered while negotiating");
  transport.type("CAP END");
  await transport.until(/ 001 Ana /);
  transport.type("CAP END", "CAP LS");
  await transport.until(/ CAP Ana LS /);
  assert.equal(transport.lines.filter((line) => / 001 /.test(line)).length, 1, "registered once");
  transport.type("QUIT");
  await running;
  await door.shutdown();
});

Deno.test("before registration only CAP, PASS, NICK, USER, PING, PONG and QUIT are taken (451)", async () => {
  const { transport, running, door } = setup();
  transport.type("JOIN #chat", "PRIVMSG #chat :hi", "PING :x");
  await transport.until(/ PONG chat\.test :x$/);
  assert.equal(transport.lines.filter((line) => / 451 \* :You have not registered$/.test(line)).length, 2);
  transport.type("USER ana 0 * :Ana");
  transport.type("USER ana");
  await transport.until(/ 461 \* USER :/);
  transport.type("QUIT");
  await running;
  await door.shutdown();
});

Deno.test("no NICK within the registration timeout: ERROR, closed, and its held name is free again", async () => {
  const { clock, transport, running, room, events, door } = setup();
  transport.type("NICK Ana");
  await new Promise((r) => setTimeout(r, 20));
  await clock.advance(REGISTRATION_MS - 1);
  assert.equal(transport.closed, false);
  await clock.advance(1);
  await transport.until(/^ERROR :Closing Link: registration timed out \(no NICK and USER within 60 s\)$/);
  await running;
  for (let i = 0; i < 100 && !transport.closed; i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(transport.closed);
  assert.deepEqual(events.filter((e) => e.kind === "join" || e.kind === "leave"), [], "nobody saw it");
  const again = await room.claim("Ana", "tcp");
  assert.ok(!("error" in again), "the name is free");
  await door.shutdown();
});

Deno.test("an idle member is pinged after the interval and dropped as lost after as long again", async () => {
  const { clock, transport, running, events, door } = setup();
  transport.type("NICK Ana", "USER ana 0 * :Ana");
  await transport.until(/ 366 Ana #chat /);
  await clock.advance(PING_MS - 1);
  assert.ok(!transport.lines.includes("PING :chat.test"));
  await clock.advance(1);
  await transport.until(/^PING :chat\.test$/);
  transport.type("PONG :chat.test");
  await new Promise((r) => setTimeout(r, 20));
  await clock.advance(PING_MS - 1);
  assert.equal(transport.closed, false, "an answer counts as life");
  await clock.advance(1);
  await clock.advance(PING_MS);
  await transport.until(/^ERROR :Closing Link: Ana \(Ping timeout: 180 seconds\)$/);
  await running;
  for (let i = 0; i < 100 && !events.some((e) => e.kind === "leave"); i++) await new Promise((r) => setTimeout(r, 5));
  assert.equal(events.find((e) => e.kind === "leave")?.reason, "lost");
  await door.shutdown();
});
