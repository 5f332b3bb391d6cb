/** What a TCP client may send: UTF-8 in any packet split, line endings, cleaning and the line limit. */
import assert from "node:assert/strict";
import { startServer } from "./helpers/server.ts";
import { join, type TcpClient } from "./helpers/tcp_client.ts";

const encoder = new TextEncoder();

async function pair(port: number): Promise<[TcpClient, TcpClient]> {
  const ana = await join(port, "Ana");
  const bob = await join(port, "Bob");
  await ana.expectLine("* Bob joined the chat");
  return [ana, bob];
}

/** Sends each piece as its own write, waiting a moment so they leave as separate TCP segments. */
async function sendInPieces(client: TcpClient, pieces: Uint8Array[]): Promise<void> {
  for (const piece of pieces) {
    await client.sendRaw(piece);
    // No assertion depends on this pause: it only makes separate segments likely, which is the case under test.
    await new Promise((resolve) => setTimeout(resolve, 30));
  }
}

Deno.test("a 3-byte character split across two writes arrives whole", async () => {
  await using server = await startServer();
  const [ana, bob] = await pair(server.tcpPort);
  await using _a = ana, _b = bob;
  const bytes = encoder.encode("price: 5€\n"); // € is E2 82 AC
  const split = bytes.indexOf(0x82);
  await sendInPieces(ana, [bytes.subarray(0, split), bytes.subarray(split)]);
  await bob.expectLine("Ana: price: 5€");
});

Deno.test("a line written one byte at a time arrives as one message", async () => {
  await using server = await startServer();
  const [ana, bob] = await pair(server.tcpPort);
  await using _a = ana, _b = bob;
  const bytes = encoder.encode("añ😀\n");
  await sendInPieces(ana, [...bytes].map((byte) => Uint8Array.of(byte)));
  await bob.expectLine("Ana: añ😀");
});

Deno.test("many lines in one packet all arrive, in order", async () => {
  await using server = await startServer();
  const [ana, bob] = await pair(server.tcpPort);
  await using _a = ana, _b = bob;
  await ana.sendRaw("one\ntwo\r\nthree\n");
  assert.deepEqual(await bob.linesUntil("Ana: three"), ["Ana: one", "Ana: two", "Ana: three"]);
});

Deno.test("invalid UTF-8 becomes U+FFFD and the rest of the line survives", async () => {
  await using server = await startServer();
  const [ana, bob] = await pair(server.tcpPort);
  await using _a = ana, _b = bob;
  await ana.sendRaw(Uint8Array.of(0x61, 0xff, 0x62, 0xc3, 0x28, 0x0a)); // a, bad byte, b, truncated é, (
  await bob.expectLine("Ana: a\uFFFDb\uFFFD(");
});

Deno.test("a CRLF line ending is accepted and the CR is not part of the message", async () => {
  await using server = await startServer();
  const [ana, bob] = await pair(server.tcpPort);
  await using _a = ana, _b = bob;
  await ana.sendRaw("telnet style\r\n");
  await bob.expectLine("Ana: telnet style");
});

Deno.test("escape sequences, a bare CR, control characters and bidi overrides are cleaned out", async () => {
  await using server = await startServer();
  const [ana, bob] = await pair(server.tcpPort);
  await using _a = ana, _b = bob;
  await ana.send("\x1b[31mred\x1b[0m and\rfake\x07 \u202Etxt.exe\x1b]0;title\x07 tab\there");
  await bob.expectLine("Ana: red andfake txt.exe tab here");
});

Deno.test("a message that is nothing but escape sequences is ignored", async () => {
  await using server = await startServer();
  const [ana, bob] = await pair(server.tcpPort);
  await using _a = ana, _b = bob;
  await ana.send("\x1b[2J\x1b[H");
  await ana.send("visible");
  assert.deepEqual(await bob.linesUntil("Ana: visible"), ["Ana: visible"]);
});

Deno.test("a line of the limit plus one byte is refused with one error line, and the next line arrives", async () => {
  await using server = await startServer();
  const [ana, bob] = await pair(server.tcpPort);
  await using _a = ana, _b = bob;
  const tooLong = "é".repeat(1024) + "x"; // 2,049 bytes of UTF-8
  await ana.sendRaw(tooLong + "\nthe next line\n");
  assert.deepEqual(await ana.linesUntil("Ana: the next line"), [
    "! line too long (max 2048 bytes), not sent",
    "Ana: the next line",
  ]);
  assert.deepEqual(await bob.linesUntil("Ana: the next line"), ["Ana: the next line"]);
});

Deno.test("a line of exactly the limit is sent whole, with or without a CR before the newline", async () => {
  await using server = await startServer(["--max-line", "100"]);
  const [ana, bob] = await pair(server.tcpPort);
  await using _a = ana, _b = bob;
  const exact = "x".repeat(100);
  await ana.sendRaw(`${exact}\n${exact}\r\n`);
  assert.deepEqual(await bob.linesUntil(/^Ana: /), [`Ana: ${exact}`]);
  assert.deepEqual(await bob.linesUntil(/^Ana: /), [`Ana: ${exact}`]);
});

Deno.test("a huge line in many packets costs one error line and nothing after it is lost", async () => {
  await using server = await startServer(["--max-line", "1000"]);
  const [ana, bob] = await pair(server.tcpPort);
  await using _a = ana, _b = bob;
  const chunk = encoder.encode("y".repeat(64 * 1024));
  for (let i = 0; i < 32; i++) await ana.sendRaw(chunk); // 2 MiB with no newline
  await ana.sendRaw("\nfine\n");
  assert.deepEqual(await ana.linesUntil("Ana: fine"), ["! line too long (max 1000 bytes), not sent", "Ana: fine"]);
  assert.deepEqual(await bob.linesUntil("Ana: fine"), ["Ana: fine"]);
});

Deno.test("a last line without a newline is still sent when the client ends its side", async () => {
  await using server = await startServer();
  const [ana, bob] = await pair(server.tcpPort);
  await using _a = ana, _b = bob;
  await ana.sendRaw("last words");
  await ana.conn.closeWrite();
  assert.deepEqual(await bob.linesUntil(/^\* Ana left/), ["Ana: last words", "* Ana left the chat (connection lost)"]);
});
