/** The web door under pressure: a reader that stalls is cut off alone, and a stalled replay loses nothing. */
import assert from "node:assert/strict";
import { parseEvent, WebClient, webMember } from "./helpers/http.ts";
import { startServer } from "./helpers/server.ts";
import type { SseEvent } from "./helpers/sse_client.ts";
import { connectTcp, join } from "./helpers/tcp_client.ts";

/** Big messages fill a stalled reader's socket buffers (a few MB on loopback) in a few dozen sends. */
const BIG = 60_000;
const bigMessage = (n: number) => `${n} ${"x".repeat(BIG)}`;
const numberOf = (text: string) => Number(text.slice(0, text.indexOf(" ")));
const encoder = new TextEncoder();

Deno.test("a web reader that never reads is cut off alone while everyone else keeps receiving", async () => {
  const args = ["--max-line", "65536", "--sendq", "262144", "--grace", "0.1", "--flood-burst", "1000"];
  await using server = await startServer(args);
  await using ana = await join(server.tcpPort, "Ana");
  const { events: bob } = await webMember(server.httpUrl, "Bob");
  await using _ = bob;
  const slow = new WebClient(server.httpUrl);
  await slow.signIn("Slow");
  using stalled = await Deno.connect({ hostname: "127.0.0.1", port: server.httpPort! });
  const request = `GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:${server.httpPort}\r\n` +
    `Cookie: chat_session=${slow.token}\r\nAccept: text/event-stream\r\n\r\n`;
  await stalled.write(encoder.encode(request));
  await ana.expectLine("* Slow joined the chat");

  const cutOff = "* Slow left the chat (connection lost)";
  let sent = 0;
  while (!ana.received.includes(cutOff)) {
    assert.ok(sent < 1000, "the stalled reader was never cut off");
    await ana.send(bigMessage(++sent));
    await ana.expectLine((line) => line.startsWith(`Ana: ${sent} `));
  }

  const bobSaw: number[] = [];
  while (bobSaw.at(-1) !== sent) {
    const event = parseEvent((await bob.expect((e: SseEvent) => isMessageFrom(e, "Ana"))).data);
    bobSaw.push(numberOf(event.text!));
  }
  assert.deepEqual(bobSaw, Array.from({ length: sent }, (_, i) => i + 1), "Bob got every message, in order");
  const stalledGot = await readUntilResponseEnds(stalled);
  const numbers = [...stalledGot.matchAll(/"text":"(\d+) /g)].map((match) => Number(match[1]));
  assert.ok(numbers.length < sent, `the stalled reader got ${numbers.length} of ${sent} messages`);
  assert.deepEqual(numbers, numbers.map((_, i) => i + 1), "what it got is a gap-free prefix");
});

Deno.test("events that happen while a stalled replay waits arrive once each, after it, in room order", async () => {
  const args = ["--max-line", "65536", "--flood-burst", "1000", "--grace", "600"];
  await using server = await startServer(args);
  await using ana = await join(server.tcpPort, "Ana");
  const bob = new WebClient(server.httpUrl);
  await bob.signIn("Bob");
  const resumeFrom = await bob.streamPosition();
  const backlog = 150; // about 9 MB: more than the socket buffers hold, so the replay must wait for the reader
  for (let n = 1; n <= backlog; n++) await ana.send(bigMessage(n));
  await ana.expectLine((line) => line.startsWith(`Ana: ${backlog} `));

  await using events = await bob.events(resumeFrom, "", { paused: true });
  for (let n = 1; n <= 20; n++) await ana.send(`live ${n}`);
  await ana.expectLine("Ana: live 20");
  events.resume();

  // Members come last: the live events were held while the replay waited, and released right after it.
  const seen = await events.until((event) => event.event === "members");
  const texts = seen.filter((event) => isMessageFrom(event, "Ana")).map((event) => parseEvent(event.data).text!);
  const expected = [
    ...Array.from({ length: backlog }, (_, i) => `${i + 1} `),
    ...Array.from({ length: 20 }, (_, i) => `live ${i + 1}`),
  ];
  assert.deepEqual(
    texts.map((text) => text.slice(0, text.startsWith("live") ? undefined : text.indexOf(" ") + 1)),
    expected,
  );
  assert.deepEqual(seen.filter((event) => event.event !== "message").map((event) => event.event), ["members"]);
  assert.equal(seen.length, backlog + 20 + 1);
});

Deno.test("a TCP reader cut off by an event is seen leaving after that event, on the web too", async () => {
  const args = ["--max-line", "65536", "--sendq", "131072", "--flood-burst", "1000"];
  await using server = await startServer(args);
  await using ana = await join(server.tcpPort, "Ana");
  const { events: bob } = await webMember(server.httpUrl, "Bob");
  await using _ = bob;
  await using sleeper = await connectTcp(server.tcpPort, { reading: false });
  await sleeper.send("Sleeper");
  await ana.expectLine("* Sleeper joined the chat");

  // The leave is appended while the message that overflowed the sleeper is still being handed out.
  const cutOff = "* Sleeper left the chat (too slow)";
  let sent = 0;
  while (!ana.received.includes(cutOff)) {
    assert.ok(sent < 1000, "the sleeper was never cut off");
    await ana.send(bigMessage(++sent));
    await ana.expectLine((line) => line.startsWith(`Ana: ${sent} `));
  }
  await ana.send("after");
  const seen = (await bob.until((event) => isMessageFrom(event, "Ana") && parseEvent(event.data).text === "after"))
    .filter((event) => event.event === "message");
  const ids = seen.map((event) => Number(event.id!.split("-").at(-1)));
  assert.deepEqual(ids, ids.toSorted((a, b) => a - b), "the stream's ids only go up");
  // The leave follows the message that overflowed the sleeper (the one Ana sent last, or the one before
  // it if her echo overtook the leave on its way to her).
  const at = seen.findIndex((event) => parseEvent(event.data).kind === "leave");
  const [overflowed, leave] = seen.slice(at - 1, at + 1).map((event) => parseEvent(event.data));
  assert.ok([sent - 1, sent].includes(numberOf(overflowed.text!)), `overflowed by ${overflowed.text?.slice(0, 8)}`);
  assert.deepEqual([leave.kind, leave.from, leave.reason], ["leave", "Sleeper", "slow"]);
});

function isMessageFrom(event: SseEvent, name: string): boolean {
  if (event.event !== "message") return false;
  const wire = parseEvent(event.data);
  return wire.kind === "message" && wire.from === name;
}

/** Reads a raw HTTP/1.1 chunked response until its last chunk; returns everything received, as text. */
async function readUntilResponseEnds(conn: Deno.Conn, timeoutMs = 30_000): Promise<string> {
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  const buffer = new Uint8Array(1 << 20);
  const deadline = Date.now() + timeoutMs;
  let tail = "";
  while (!tail.endsWith("\r\n0\r\n\r\n")) {
    if (Date.now() > deadline) throw new Error(`the response did not end within ${timeoutMs} ms`);
    const n = await conn.read(buffer);
    if (n === null) break;
    chunks.push(buffer.slice(0, n));
    tail = (tail + new TextDecoder().decode(buffer.subarray(Math.max(0, n - 16), n))).slice(-16);
  }
  return new TextDecoder().decode(await new Blob(chunks).bytes());
}
