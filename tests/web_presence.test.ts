/**
 * Web presence: a member is present while one of its streams is open, and leaves a grace period after
 * the last one closes, so a page reload is not a leave and a join.
 */
import assert from "node:assert/strict";
import { SSE_SHUTDOWN } from "../common/wire.ts";
import { parseEvent, WebClient, webMember } from "./helpers/http.ts";
import { startServer } from "./helpers/server.ts";
import type { SseEvent } from "./helpers/sse_client.ts";
import { join } from "./helpers/tcp_client.ts";

const GRACE_SECONDS = 1;
/** Long enough for the grace period to have run out, were it running. */
const pastGrace = () => new Promise((resolve) => setTimeout(resolve, GRACE_SECONDS * 2000));
const presenceOf = (name: string) => (event: SseEvent) =>
  event.event === "message" && ["join", "leave"].includes(parseEvent(event.data).kind) &&
  parseEvent(event.data).from === name;

Deno.test("a reload within the grace period (stream closed, then reopened) is neither a leave nor a join", async () => {
  await using server = await startServer(["--grace", String(GRACE_SECONDS)]);
  await using ana = await join(server.tcpPort, "Ana");
  const { client: bob, events: first } = await webMember(server.httpUrl, "Bob");
  await ana.expectLine("* Bob joined the chat");
  const resumeFrom = first.lastEventId;

  await first.close();
  await using second = await bob.events(resumeFrom);
  await second.until((event) => event.event === "members");
  await pastGrace();
  await ana.send("marker");

  const seen = await second.until((event) => event.event === "message" && parseEvent(event.data).text === "marker");
  assert.deepEqual(seen.filter(presenceOf("Bob")), []);
  const lines = await ana.linesUntil("Ana: marker");
  assert.deepEqual(lines.filter((line) => line.startsWith("* Bob")), []);
  assert.equal((await bob.session()).status, 200);
});

Deno.test("closing the last stream makes the member leave after the grace period; the session is then gone", async () => {
  await using server = await startServer(["--grace", String(GRACE_SECONDS)]);
  await using ana = await join(server.tcpPort, "Ana");
  const { client: bob, events } = await webMember(server.httpUrl, "Bob");
  await ana.expectLine("* Bob joined the chat");

  await events.close();

  await ana.expectLine("* Bob left the chat (connection lost)");
  const answer = await bob.session();
  assert.deepEqual([answer.status, answer.body], [401, { error: "not signed in" }]);
  assert.equal((await new WebClient(server.httpUrl).signIn("bob")).status, 201, "the name is free again");
});

Deno.test("a member with two open streams (two tabs) stays while either is open", async () => {
  await using server = await startServer(["--grace", String(GRACE_SECONDS)]);
  await using ana = await join(server.tcpPort, "Ana");
  const { client: bob, events: tab1 } = await webMember(server.httpUrl, "Bob");
  const tab2 = await bob.events();
  const [members] = (await tab2.until((event) => event.event === "members")).slice(-1);
  assert.deepEqual(JSON.parse(members.data), {
    members: [{ name: "Ana", door: "tcp" }, { name: "Bob", door: "web" }],
    total: 2,
  });

  await tab1.close();
  await pastGrace();
  await ana.send("still here?");
  await tab2.expect((event) => event.event === "message" && parseEvent(event.data).text === "still here?");
  const lines = await ana.linesUntil("Ana: still here?");
  assert.deepEqual(lines.filter((line) => line.startsWith("* Bob")), ["* Bob joined the chat"]);

  await tab2.close();
  await ana.expectLine("* Bob left the chat (connection lost)");
});

Deno.test("stopping the server sends every open stream a shutdown event, then ends it; nobody is seen leaving", async () => {
  await using server = await startServer(["--grace", "600"]);
  await using ana = await join(server.tcpPort, "Ana");
  const { events: bob } = await webMember(server.httpUrl, "Bob");
  await using _bob = bob;
  const { events: cat } = await webMember(server.httpUrl, "Cat");
  await using _cat = cat;
  await ana.expectLine("* Cat joined the chat");
  await bob.expect((event) => event.event === "message" && parseEvent(event.data).from === "Cat");

  assert.equal(await within(server.stop(), 10_000, "the server to stop"), 0);

  for (const stream of [bob, cat]) {
    const last = await stream.expect((event) => event.event !== "message" && event.event !== "members");
    assert.deepEqual([last.event, last.id, JSON.parse(last.data)], [SSE_SHUTDOWN, undefined, {}]);
    assert.deepEqual(await stream.closed(), [], "nothing after the shutdown event");
  }
  await ana.closed();
  assert.ok(!ana.received.some((line) => / left the chat/.test(line)), ana.received.join("\n"));
});

Deno.test("a request whose body never finishes does not hold up shutdown", async () => {
  await using server = await startServer();
  const host = `127.0.0.1:${server.httpPort}`;
  using stalled = await Deno.connect({ hostname: "127.0.0.1", port: server.httpPort! });
  await stalled.write(new TextEncoder().encode(
    `POST /api/session HTTP/1.1\r\nHost: ${host}\r\nOrigin: http://${host}\r\n` +
      `Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"name":`,
  ));
  // Answered after the stalled request's head was read: that request is in flight when the server stops.
  assert.equal((await new WebClient(server.httpUrl).session()).status, 401);

  try {
    assert.equal(await within(server.stop(), 10_000, "the server to stop"), 0);
  } finally {
    try {
      server.process.kill("SIGKILL");
    } catch {
      // it stopped by itself
    }
  }
});

/** `promise`, or a failure naming what did not happen after `ms`. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`waited ${ms} ms for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
