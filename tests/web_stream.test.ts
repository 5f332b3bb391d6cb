/** The web door's event stream, `/api/events`: live events in room order, resume, reset, heartbeats. */
import assert from "node:assert/strict";
import type { WireEvent, WireMembers } from "../common/wire.ts";
import { parseEvent, WebClient, webMember } from "./helpers/http.ts";
import { startServer } from "./helpers/server.ts";
import type { SseEvent } from "./helpers/sse_client.ts";
import { join } from "./helpers/tcp_client.ts";

const isMembers = (event: SseEvent) => event.event === "members";
const isRoomEvent = (event: SseEvent) => event.event === "message";
/** A room event as a TCP user sees it, to compare both doors' views. */
const asLine = (event: WireEvent) => event.kind === "message" ? `${event.from}: ${event.text}` : `* ${event.kind}`;
const saying = (text: string) => (event: SseEvent) => isRoomEvent(event) && parseEvent(event.data).text === text;

Deno.test("a stream starts with retry, the member's own join, then who is present on both doors", async () => {
  await using server = await startServer();
  await using ana = await join(server.tcpPort, "Ana");
  const bob = new WebClient(server.httpUrl);
  await bob.signIn("Bob");

  await using events = await bob.events();

  const first = await events.next();
  assert.equal(events.retry, 2000);
  assert.equal(first?.event, "message");
  const joined = parseEvent(first!.data);
  assert.deepEqual({ ...joined, at: 0 }, { id: first!.id, at: 0, kind: "join", from: "Bob", door: "web" });
  const members = await events.next();
  assert.equal(members?.event, "members");
  assert.deepEqual(JSON.parse(members!.data) as WireMembers, {
    members: [{ name: "Ana", door: "tcp" }, { name: "Bob", door: "web" }],
    total: 2,
  });
  await ana.expectLine("* Bob joined the chat");
});

Deno.test("GET /api/events without a session is 401", async () => {
  await using server = await startServer();
  const response = await fetch(`${server.httpUrl}/api/events`);
  assert.equal(response.status, 401);
  assert.deepEqual(await response.json(), { error: "not signed in" });
});

Deno.test("a TCP user and a web user see each other's messages, in one and the same order", async () => {
  await using server = await startServer();
  await using ana = await join(server.tcpPort, "Ana");
  const { client: bob, events } = await webMember(server.httpUrl, "Bob");
  await using _ = events;
  await ana.expectLine("* Bob joined the chat");

  const rounds = [1, 2, 3, 4, 5];
  await Promise.all([
    (async () => {
      for (const round of rounds) await ana.send(`from tcp ${round}`);
    })(),
    (async () => {
      for (const round of rounds) assert.equal((await bob.say(`from web ${round}`)).status, 202);
    })(),
  ]);
  const done = (line: string) => line === "Ana: from tcp 5" || line === "Bob: from web 5";
  const tcpSaw: string[] = [];
  const webSaw: string[] = [];
  const ids: number[] = [];
  while (tcpSaw.filter(done).length < 2) tcpSaw.push(await ana.expectLine(/^(Ana|Bob): from /));
  while (webSaw.filter(done).length < 2) {
    const event = await events.expect(isRoomEvent);
    const wire = parseEvent(event.data);
    assert.equal(event.id, wire.id);
    ids.push(Number(wire.id.slice(wire.id.lastIndexOf("-") + 1)));
    webSaw.push(asLine(wire));
  }
  assert.deepEqual(webSaw, tcpSaw);
  assert.equal(tcpSaw.length, 10);
  assert.deepEqual(ids, [...ids].sort((a, b) => a - b), "ids increase");
});

Deno.test("reconnecting with Last-Event-ID gets exactly the events missed, then who is present", async () => {
  await using server = await startServer(["--grace", "600"]);
  await using ana = await join(server.tcpPort, "Ana");
  const bob = new WebClient(server.httpUrl);
  await bob.signIn("Bob");
  const first = await bob.events();
  await first.until(isMembers);
  await ana.send("before");
  await first.expect(saying("before"));
  const resumeFrom = first.lastEventId;
  await first.close();

  for (const text of ["missed 1", "missed 2", "missed 3"]) await ana.send(text);
  await ana.expectLine("Ana: missed 3");
  await using second = await bob.events(resumeFrom);

  const replayed = await second.until(isMembers);
  assert.deepEqual(
    replayed.map((event) => event.event === "members" ? "members" : asLine(parseEvent(event.data))),
    ["Ana: missed 1", "Ana: missed 2", "Ana: missed 3", "members"],
  );
  await ana.send("live");
  await second.expect(saying("live"));
});

Deno.test("?lastEventId= resumes a first connect, and a Last-Event-ID header wins over it", async () => {
  await using server = await startServer(["--grace", "600"]);
  await using ana = await join(server.tcpPort, "Ana");
  const bob = new WebClient(server.httpUrl);
  await bob.signIn("Bob");
  const ids: string[] = [];
  {
    await using events = await bob.events();
    for (const text of ["one", "two", "three"]) {
      await ana.send(text);
      ids.push((await events.expect(saying(text))).id!);
    }
  }

  {
    await using fromQuery = await bob.events(undefined, `?lastEventId=${encodeURIComponent(ids[0])}`);
    const replayed = await fromQuery.until(isMembers);
    assert.deepEqual(replayed.slice(0, -1).map((event) => parseEvent(event.data).text), ["two", "three"]);
  }
  await using both = await bob.events(ids[1], `?lastEventId=${encodeURIComponent(ids[0])}`);
  const replayed = await both.until(isMembers);
  assert.deepEqual(replayed.slice(0, -1).map((event) => parseEvent(event.data).text), ["three"]);
});

Deno.test("an id from another run of the server, or a malformed one, gets a reset with the recent history", async () => {
  await using server = await startServer(["--history", "3", "--grace", "600"]);
  await using ana = await join(server.tcpPort, "Ana");
  for (const text of ["a", "b", "c", "d"]) await ana.send(text);
  await ana.expectLine("Ana: d");
  const bob = new WebClient(server.httpUrl);
  await bob.signIn("Bob");
  const epoch = await currentEpoch(bob);

  for (const stale of ["0badc0de-3", "garbage", `${epoch}-99999`]) {
    await using events = await bob.events(stale);
    const [reset, ...rest] = await events.until(isMembers);
    assert.equal(reset.event, "reset", stale);
    const history = (JSON.parse(reset.data) as { events: WireEvent[] }).events;
    assert.deepEqual(history.map(asLine), ["Ana: c", "Ana: d", "* join"]);
    assert.ok(history.every((event) => event.id.startsWith(`${epoch}-`)));
    assert.equal(reset.id, history.at(-1)!.id, "the reset names the position the stream continues from");
    assert.deepEqual(rest.map((event) => event.event), ["members"]);
  }
});

Deno.test("a reset whose history would not fit in the stream's queue carries the newest part of it", async () => {
  const args = ["--history", "50", "--max-line", "8192", "--sendq", "65536", "--flood-burst", "100", "--grace", "600"];
  await using server = await startServer(args);
  await using ana = await join(server.tcpPort, "Ana");
  for (let n = 1; n <= 50; n++) await ana.send(`${n} ${"x".repeat(4000)}`); // 200 KB of history
  await ana.expectLine((line) => line.startsWith("Ana: 50 "));
  const bob = new WebClient(server.httpUrl);
  await bob.signIn("Bob");

  await using events = await bob.events("0badc0de-3");
  const [reset, ...rest] = await events.until(isMembers);
  assert.equal(reset.event, "reset");
  const history = (JSON.parse(reset.data) as { events: WireEvent[] }).events;
  assert.deepEqual([history.at(-1)?.kind, history.at(-1)?.from], ["join", "Bob"]);
  const messages = history.slice(0, -1).map((event) => event.text!);
  const numbers = messages.map((text) => Number(text.slice(0, text.indexOf(" "))));
  assert.ok(numbers.length > 0 && numbers.length < 50, `${numbers.length} of 50 messages in the reset`);
  assert.deepEqual(numbers, numbers.map((_, i) => 51 - numbers.length + i), "the newest ones, in order");
  assert.deepEqual(rest.map((event) => event.event), ["members"]);
  await ana.send("still listening");
  await events.expect(saying("still listening"));
});

Deno.test("a gap past the memory ring is replayed from the store; a gap past what is kept gets a reset", async () => {
  const args = ["--retain", "1100", "--history", "5", "--flood-burst", "5000", "--grace", "600"];
  await using server = await startServer(args);
  await using ana = await join(server.tcpPort, "Ana");
  const bob = new WebClient(server.httpUrl);
  await bob.signIn("Bob");
  const resumeFrom = await bob.streamPosition();

  await ana.sendRaw(Array.from({ length: 1050 }, (_, i) => `backlog ${i + 1}\n`).join(""));
  await ana.expectLine("Ana: backlog 1050");
  {
    await using events = await bob.events(resumeFrom);
    const replayed = await events.until(isMembers);
    const texts = replayed.slice(0, -1).map((event) => parseEvent(event.data).text);
    assert.deepEqual(texts, Array.from({ length: 1050 }, (_, i) => `backlog ${i + 1}`));
  }

  await ana.sendRaw(Array.from({ length: 100 }, (_, i) => `more ${i + 1}\n`).join(""));
  await ana.expectLine("Ana: more 100");
  await using events = await bob.events(resumeFrom);
  const [reset, members] = await events.until(isMembers);
  assert.equal(reset.event, "reset");
  assert.equal(members.event, "members");
  const history = (JSON.parse(reset.data) as { events: WireEvent[] }).events;
  assert.deepEqual(history.map(asLine), [
    "Ana: more 96",
    "Ana: more 97",
    "Ana: more 98",
    "Ana: more 99",
    "Ana: more 100",
  ]);
});

Deno.test("an idle stream gets heartbeat comments", async () => {
  await using server = await startServer(["--heartbeat", "0.2"]);
  const { events } = await webMember(server.httpUrl, "Bob");
  await using _ = events;
  await events.expectComment("ping");
});

/** The log's epoch, read from the id of the member's own join. */
async function currentEpoch(client: WebClient): Promise<string> {
  await using events = await client.events();
  const { id } = await events.expect(isRoomEvent);
  return id!.slice(0, id!.lastIndexOf("-"));
}
