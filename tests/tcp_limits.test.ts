/** The limits table, as the TCP door applies it: flood, slow readers, registration timeout, connection caps. */
import assert from "node:assert/strict";
import { startServer } from "./helpers/server.ts";
import { connectTcp, join, WELCOME } from "./helpers/tcp_client.ts";

Deno.test("a paste of 50 lines arrives whole and in order, paced by flood control, while others talk freely", async () => {
  await using server = await startServer(); // burst 10, then 5 lines/s: the paste takes about 8 s
  await using ana = await join(server.tcpPort, "Ana");
  await using bob = await join(server.tcpPort, "Bob");
  await ana.expectLine("* Bob joined the chat");
  const paste = Array.from({ length: 50 }, (_, i) => `line ${i + 1}`);
  await ana.sendRaw(paste.join("\n") + "\n");

  // Bob speaks once the burst is through: flood control holds Ana's reading, not the room, so his line
  // lands inside the paste rather than after it.
  await bob.expectLine("Ana: line 10");
  await bob.send("Bob cuts in");
  const heard = await bob.linesUntil("Ana: line 50", 30_000);
  const bobAt = heard.indexOf("Bob: Bob cuts in");
  assert.ok(bobAt !== -1 && bobAt < heard.length - 1, `Bob's line should land inside the paste: ${heard}`);
  const rest = heard.filter((line) => line.startsWith("Ana: "));
  assert.deepEqual(rest, paste.slice(10).map((line) => `Ana: ${line}`));

  const echoed = (await ana.linesUntil("Ana: line 50", 30_000)).filter((line) => line.startsWith("Ana: "));
  assert.deepEqual(echoed, paste.map((line) => `Ana: ${line}`));
  assert.ok(!ana.received.some((line) => line.startsWith("! ")), "flood control pauses; it never rejects");
});

Deno.test("a reader that never reads is cut off alone while the others get every message", async () => {
  const sendq = 128 * 1024;
  await using server = await startServer([
    "--sendq",
    String(sendq),
    "--max-line",
    "65536",
    "--flood-burst",
    "100000",
    "--flood-rate",
    "100000",
  ]);
  await using ana = await join(server.tcpPort, "Ana");
  await using bob = await join(server.tcpPort, "Bob");
  // The sleeper names itself and then never reads another byte.
  await using sleeper = await connectTcp(server.tcpPort, { reading: false });
  await sleeper.send("Sleeper");
  await ana.expectLine("* Sleeper joined the chat");
  await bob.expectLine("* Sleeper joined the chat");

  // Ana sends 32 KB messages one at a time, each once both readers have it, so Ana and Bob never have
  // more than one message queued while the sleeper's backlog grows until the server drops it. The loop
  // stops a few messages after that; 4,000 messages (128 MB) is far beyond any loopback socket buffer.
  const big = "z".repeat(32 * 1024);
  const heard: string[] = [];
  let sent = 0;
  let after = -1;
  while (after < 5) {
    assert.ok(sent < 4000, "the sleeper should have been cut off by now");
    sent++;
    const line = `Ana: ${sent} ${big}`;
    await ana.send(`${sent} ${big}`);
    await ana.expectLine(line);
    heard.push(...await bob.linesUntil(line));
    if (after >= 0 || heard.includes("* Sleeper left the chat (too slow)")) after++;
  }
  const messages = heard.filter((line) => line.startsWith("Ana: "));
  assert.equal(messages.length, sent);
  assert.ok(messages.every((line, i) => line === `Ana: ${i + 1} ${big}`), "every message, in order");
  // What the kernel already held is still readable, whole lines only, then the server's close ends it.
  const got = await sleeper.closed();
  const afterJoin = got.slice(got.indexOf("* Sleeper joined the chat") + 1);
  if (afterJoin.at(-1) === "! too slow, disconnected") afterJoin.pop(); // written only if there is room in time
  assert.ok(afterJoin.length < sent, "the sleeper did not get everything");
  assert.ok(afterJoin.every((line, i) => line === `Ana: ${i + 1} ${big}`), "the sleeper got a prefix, uncut");
  await ana.send("/who");
  assert.deepEqual(await ana.linesUntil("  Bob (tcp)"), ["2 online:", "  Ana (tcp)", "  Bob (tcp)"]);
  assert.ok(ana.received.includes("* Sleeper left the chat (too slow)"));
});

Deno.test("a connection that gives no name in time is told and closed; a named one stays", async () => {
  await using server = await startServer(["--registration-timeout", "0.5"]);
  await using ana = await join(server.tcpPort, "Ana");
  await using idle = await connectTcp(server.tcpPort);
  await idle.expectLine(WELCOME);
  assert.equal(await idle.readLine(), "! timed out (no name given within 0.5 s)");
  assert.deepEqual(await idle.closed(), []);
  await ana.send("still here");
  assert.deepEqual(await ana.linesUntil("Ana: still here"), ["Ana: still here"]);
});

Deno.test("connections per address: one more than the limit is refused with one line", async () => {
  await using server = await startServer(["--exempt", "none", "--max-per-address", "2"]);
  await using ana = await join(server.tcpPort, "Ana");
  await using second = await connectTcp(server.tcpPort);
  await second.expectLine(WELCOME);
  await using third = await connectTcp(server.tcpPort);
  assert.deepEqual(await third.closed(), ["! too many connections from your address (max 2)"]);

  // Leaving frees the slot: the server has forgotten the connection before it says goodbye.
  await second.send("{close}");
  await second.expectLine("Goodbye!");
  await using fourth = await connectTcp(server.tcpPort);
  assert.equal(await fourth.readLine(), WELCOME);
  await ana.send("unaffected");
  await ana.expectLine("Ana: unaffected");
});

Deno.test("loopback is exempt from the per-address limit by default", async () => {
  await using server = await startServer(["--max-per-address", "1"]);
  await using ana = await join(server.tcpPort, "Ana");
  await using _bob = await join(server.tcpPort, "Bob");
  await using _cy = await join(server.tcpPort, "Cy");
  await ana.expectLine("* Cy joined the chat");
});

Deno.test("connections in all: one more than the limit is refused with one line", async () => {
  await using server = await startServer(["--max-connections", "3"]);
  await using ana = await join(server.tcpPort, "Ana");
  await using bob = await join(server.tcpPort, "Bob");
  await using unnamed = await connectTcp(server.tcpPort);
  await unnamed.expectLine(WELCOME);
  await using fourth = await connectTcp(server.tcpPort);
  assert.deepEqual(await fourth.closed(), ["! server full (max 3 connections), try again later"]);

  unnamed.close();
  await bob.send("/quit");
  await bob.closed();
  await ana.expectLine("* Bob left the chat");
  await using _cy = await join(server.tcpPort, "Cy");
  await ana.expectLine("* Cy joined the chat");
});
