/** Connecting and choosing a name over TCP (design, TCP rules 1–2). */
import assert from "node:assert/strict";
import { startServer } from "./helpers/server.ts";
import { connectTcp, join, WELCOME } from "./helpers/tcp_client.ts";

const PROMPT = "Enter your name:";

Deno.test("a new connection is greeted with the prompt for a name", async () => {
  await using server = await startServer();
  await using client = await connectTcp(server.tcpPort);
  assert.equal(await client.readLine(), WELCOME);
});

Deno.test("a name taken in another case is refused, the prompt comes again and the connection stays open", async () => {
  await using server = await startServer();
  await using ana = await join(server.tcpPort, "Ana");
  await using other = await connectTcp(server.tcpPort);
  await other.expectLine(WELCOME);
  await other.send("ANA");
  assert.deepEqual(await other.linesUntil(PROMPT), ['! the name "Ana" is taken, choose another', PROMPT]);
  await other.send("Ana2");
  await other.expectLine("* Ana2 joined the chat");
  await ana.expectLine("* Ana2 joined the chat");
});

Deno.test("names are compared after NFKC: fullwidth letters take the same name", async () => {
  await using server = await startServer();
  await using _ana = await join(server.tcpPort, "ana");
  await using other = await connectTcp(server.tcpPort);
  await other.expectLine(WELCOME);
  await other.send("Ａｎａ");
  assert.equal(await other.readLine(), '! the name "ana" is taken, choose another');
  assert.equal(await other.readLine(), PROMPT);
});

Deno.test("invalid names are refused with the reason, and the prompt comes again each time", async () => {
  await using server = await startServer();
  await using client = await connectTcp(server.tcpPort);
  await client.expectLine(WELCOME);
  const bad: [string, RegExp][] = [
    ["Ana Bell", /^! a name may contain only letters, digits, _ - and \.$/],
    ["Ana:", /^! a name may contain only letters, digits, _ - and \.$/],
    ["<b>", /^! a name may contain only letters, digits, _ - and \.$/],
    ["x".repeat(33), /^! a name may be at most 32 characters$/],
    ["   ", /^! a name must not be empty$/],
  ];
  for (const [name, reason] of bad) {
    await client.send(name);
    assert.match((await client.readLine())!, reason, `for ${JSON.stringify(name)}`);
    assert.equal(await client.readLine(), PROMPT);
  }
  const longest = "Ünïcödé_名前-1.".padEnd(32, "z");
  await client.send(longest);
  await client.expectLine(`* ${longest} joined the chat`);
});

Deno.test("reserved names are refused in any case", async () => {
  await using server = await startServer();
  await using client = await connectTcp(server.tcpPort);
  await client.expectLine(WELCOME);
  for (const name of ["server", "System", "SERVER"]) {
    await client.send(name);
    assert.match((await client.readLine())!, /^! the name ".+" is reserved$/);
    assert.equal(await client.readLine(), PROMPT);
  }
});

Deno.test("spaces around a name are trimmed", async () => {
  await using server = await startServer();
  await using client = await connectTcp(server.tcpPort);
  await client.expectLine(WELCOME);
  await client.send("   Ana\t ");
  await client.expectLine("* Ana joined the chat");
});

Deno.test("a name line longer than the line limit is refused and the prompt comes again", async () => {
  await using server = await startServer(["--max-line", "64"]);
  await using client = await connectTcp(server.tcpPort);
  await client.expectLine(WELCOME);
  await client.send("n".repeat(65));
  assert.equal(await client.readLine(), "! line too long (max 64 bytes), not a name");
  assert.equal(await client.readLine(), PROMPT);
  await client.send("Ana");
  await client.expectLine("* Ana joined the chat");
});

Deno.test("{close} before naming says goodbye, closes, and nobody hears of it", async () => {
  await using server = await startServer();
  await using bob = await join(server.tcpPort, "Bob");
  await using client = await connectTcp(server.tcpPort);
  await client.expectLine(WELCOME);
  await client.send("{close}");
  assert.equal(await client.readLine(), "Goodbye!");
  assert.deepEqual(await client.closed(), []);
  await bob.send("anyone?");
  assert.deepEqual(await bob.linesUntil("Bob: anyone?"), ["Bob: anyone?"]);
});

Deno.test("a name is free again once its holder has left", async () => {
  await using server = await startServer();
  await using bob = await join(server.tcpPort, "Bob");
  const ana = await join(server.tcpPort, "Ana");
  await ana.send("/quit");
  await ana.closed();
  await bob.expectLine("* Ana left the chat");
  await using _again = await join(server.tcpPort, "ANA");
  await bob.expectLine("* ANA joined the chat");
});

Deno.test("a name is not taken by someone still choosing theirs", async () => {
  await using server = await startServer();
  await using first = await connectTcp(server.tcpPort);
  await first.expectLine(WELCOME);
  await first.send("bad name");
  await first.expectLine(PROMPT);
  await using _ana = await join(server.tcpPort, "bad_name");
  await first.send("bad_name");
  assert.equal(await first.readLine(), '! the name "bad_name" is taken, choose another');
});

Deno.test("with Ana online, look-alike and padded names are refused one by one and the prompt comes again", async () => {
  await using server = await startServer();
  await using ana = await join(server.tcpPort, "Ana");
  await using impostor = await connectTcp(server.tcpPort);
  await impostor.expectLine(WELCOME);
  const mixed = (scripts: string) => `! a name may not mix scripts (${scripts})`;
  const invisible = "! a name must not contain invisible characters";
  const impostors: [string, string][] = [
    ["\u0410na", mixed("Cyrillic and Latin")],
    ["An\u0430", mixed("Latin and Cyrillic")],
    ["\u0391na", mixed("Greek and Latin")],
    ["Ana\u034F", invisible],
    ["Ana\uFE0F", invisible],
    ["\u17B4Ana", "! a name may contain only letters, digits, _ - and ."],
    ["Ana\u3164", invisible],
    ["\u3164", invisible],
  ];
  for (const [name, reason] of impostors) {
    await impostor.send(name);
    assert.deepEqual(await impostor.linesUntil(PROMPT), [reason, PROMPT], `for ${JSON.stringify(name)}`);
  }
  await impostor.send("Ana2");
  await impostor.expectLine("* Ana2 joined the chat");
  assert.deepEqual(await ana.linesUntil("* Ana2 joined the chat"), ["* Ana2 joined the chat"]);
});
