/** The TCP door's conversation: messages, the greeting, history and the commands (design, TCP rules 3–5). */
import assert from "node:assert/strict";
import { startServer } from "./helpers/server.ts";
import { connectTcp, join, WELCOME } from "./helpers/tcp_client.ts";

Deno.test("two users see each other's messages, the sender included", async () => {
  await using server = await startServer();
  await using ana = await join(server.tcpPort, "Ana");
  await using bob = await join(server.tcpPort, "Bob");
  await ana.expectLine("* Bob joined the chat");

  await ana.send("hi Bob");
  await ana.expectLine("Ana: hi Bob");
  await bob.expectLine("Ana: hi Bob");
  await bob.send("hello Ana");
  await bob.expectLine("Bob: hello Ana");
  await ana.expectLine("Bob: hello Ana");
});

Deno.test("three users talking all see every message in the same order", async () => {
  await using server = await startServer();
  await using ana = await join(server.tcpPort, "Ana");
  await using bob = await join(server.tcpPort, "Bob");
  await using cy = await join(server.tcpPort, "Cy");
  await ana.expectLine("* Cy joined the chat");
  await bob.expectLine("* Cy joined the chat");

  const said: string[] = [];
  for (let round = 1; round <= 3; round++) {
    for (const [name, client] of [["Ana", ana], ["Bob", bob], ["Cy", cy]] as const) {
      await client.send(`round ${round}`);
      said.push(`${name}: round ${round}`);
    }
  }
  // Each client's lines go out in the order sent; across clients the server picks one order for everyone.
  const orders = await Promise.all([ana, bob, cy].map(async (client) => {
    const order: string[] = [];
    while (order.length < said.length) order.push(await client.expectLine((line) => said.includes(line)));
    return order;
  }));
  for (const order of orders) assert.deepEqual(order, orders[0]);
  assert.deepEqual([...orders[0]].sort(), [...said].sort());
  for (const name of ["Ana", "Bob", "Cy"]) {
    const own = orders[0].filter((line) => line.startsWith(`${name}: `));
    assert.deepEqual(own, [1, 2, 3].map((round) => `${name}: round ${round}`));
  }
});

Deno.test("the greeting names who is online and how to get help, and everyone sees the join", async () => {
  await using server = await startServer();
  await using ana = await join(server.tcpPort, "Ana");
  await using bob = await connectTcp(server.tcpPort);
  await bob.expectLine(WELCOME);
  await bob.send("Bob");
  const greeting = await bob.readLine();
  assert.match(greeting!, /^Hello, Bob! Online \(2\): Ana, Bob\. .*\/help/);
  await bob.expectLine("* Bob joined the chat");
  await ana.expectLine("* Bob joined the chat");
});

Deno.test("a newcomer gets the recent history after the greeting, under a header", async () => {
  await using server = await startServer(["--history", "3"]);
  {
    await using ana = await join(server.tcpPort, "Ana");
    await ana.send("one");
    await ana.send("two");
    await ana.send("/me waves");
    await ana.expectLine("~ Ana waves");
  }
  await using bob = await connectTcp(server.tcpPort);
  await bob.expectLine(WELCOME);
  await bob.send("Bob");
  const lines = await bob.linesUntil("* Bob joined the chat");
  assert.match(lines[0], /^Hello, Bob!/);
  assert.deepEqual(lines.slice(1), [
    "--- recent history ---",
    "Ana: two",
    "~ Ana waves",
    "* Ana left the chat (connection lost)",
    "* Bob joined the chat",
  ]);
});

Deno.test("a history longer than the send queue is paced out whole at the reader's speed, not a disconnect", async () => {
  // 20 events of ~2 KB against a 16 KiB queue: sent at once, the history would overflow it before Bob reads.
  await using server = await startServer(["--history", "20", "--sendq", "16384", "--flood-burst", "100"]);
  {
    await using ana = await join(server.tcpPort, "Ana");
    for (let i = 0; i < 20; i++) {
      const text = `${i}`.padStart(2, "0") + "x".repeat(2000);
      await ana.send(text); // one at a time: a 40 KB burst would overflow Ana's own small queue
      await ana.expectLine(`Ana: ${text}`);
    }
  }
  await using bob = await connectTcp(server.tcpPort);
  await bob.expectLine(WELCOME);
  await bob.send("Bob");
  const lines = await bob.linesUntil("* Bob joined the chat");
  const history = lines.slice(lines.indexOf("--- recent history ---") + 1, -1);
  assert.equal(history.length, 20);
  assert.equal(history.at(-1), "* Ana left the chat (connection lost)");
  assert.match(history.at(-2)!, /^Ana: 19x+$/);
  await bob.send("still here");
  await bob.expectLine("Bob: still here");
});

Deno.test("with --history 0 a newcomer gets no history at all", async () => {
  await using server = await startServer(["--history", "0"]);
  await using ana = await join(server.tcpPort, "Ana");
  await ana.send("before Bob");
  await ana.expectLine("Ana: before Bob");
  await using bob = await connectTcp(server.tcpPort);
  await bob.expectLine(WELCOME);
  await bob.send("Bob");
  const lines = await bob.linesUntil("* Bob joined the chat");
  assert.equal(lines.length, 2, `lines: ${JSON.stringify(lines)}`);
});

Deno.test("the first one in an empty room gets no history header", async () => {
  await using server = await startServer();
  await using ana = await connectTcp(server.tcpPort);
  await ana.expectLine(WELCOME);
  await ana.send("Ana");
  const lines = await ana.linesUntil("* Ana joined the chat");
  assert.equal(lines.length, 2, `lines: ${JSON.stringify(lines)}`);
  assert.match(lines[0], /^Hello, Ana!/);
});

Deno.test("empty and blank lines are ignored", async () => {
  await using server = await startServer();
  await using ana = await join(server.tcpPort, "Ana");
  await using bob = await join(server.tcpPort, "Bob");
  await ana.sendRaw("\n   \r\n\t\nafter the blanks\n");
  const lines = await bob.linesUntil("Ana: after the blanks");
  assert.deepEqual(lines, ["Ana: after the blanks"]);
});

Deno.test("/help lists the commands to the asker only", async () => {
  await using server = await startServer();
  await using ana = await join(server.tcpPort, "Ana");
  await using bob = await join(server.tcpPort, "Bob");
  await bob.send("/help");
  const help = await bob.linesUntil(/^\s+\/\/text/);
  assert.equal(help[0], "Commands:");
  for (const command of ["/help", "/who", "/me", "/quit", "{close}", "//text"]) {
    assert.ok(help.some((line) => line.includes(command)), `${command} missing from ${JSON.stringify(help)}`);
  }
  await bob.send("done");
  const seenByAna = await ana.linesUntil("Bob: done");
  assert.deepEqual(seenByAna, ["* Bob joined the chat", "Bob: done"]);
});

Deno.test("/who lists everyone online with their door", async () => {
  await using server = await startServer();
  await using ana = await join(server.tcpPort, "Ana");
  await using bob = await join(server.tcpPort, "Bob");
  await ana.expectLine("* Bob joined the chat");
  await ana.send("/who");
  assert.deepEqual(await ana.linesUntil("  Bob (tcp)"), ["2 online:", "  Ana (tcp)", "  Bob (tcp)"]);
  await bob.send("/who");
  assert.deepEqual(await bob.linesUntil("  Bob (tcp)"), ["2 online:", "  Ana (tcp)", "  Bob (tcp)"]);
});

Deno.test("/me shows an action to everyone", async () => {
  await using server = await startServer();
  await using ana = await join(server.tcpPort, "Ana");
  await using bob = await join(server.tcpPort, "Bob");
  await ana.send("/me waves at Bob");
  await bob.expectLine("~ Ana waves at Bob");
  await ana.expectLine("~ Ana waves at Bob");
});

Deno.test("/me without an action gets a usage line and nothing is broadcast", async () => {
  await using server = await startServer();
  await using ana = await join(server.tcpPort, "Ana");
  await using bob = await join(server.tcpPort, "Bob");
  await ana.send("/me   ");
  await ana.expectLine(/^! usage: \/me /);
  await ana.send("still here");
  assert.deepEqual(await bob.linesUntil("Ana: still here"), ["Ana: still here"]);
});

Deno.test("//text sends a line that starts with a slash", async () => {
  await using server = await startServer();
  await using ana = await join(server.tcpPort, "Ana");
  await using bob = await join(server.tcpPort, "Bob");
  await ana.send("//help is not a command here");
  await bob.expectLine("Ana: /help is not a command here");
  await ana.expectLine("Ana: /help is not a command here");
});

Deno.test("an unknown command gets a one-line hint and nothing is broadcast", async () => {
  await using server = await startServer();
  await using ana = await join(server.tcpPort, "Ana");
  await using bob = await join(server.tcpPort, "Bob");
  await ana.expectLine("* Bob joined the chat");
  await ana.send("/dance wildly");
  const hint = await ana.readLine();
  assert.match(hint!, /^! unknown command \/dance.*\/help/);
  await ana.send("after the hint");
  assert.deepEqual(await ana.linesUntil("Ana: after the hint"), ["Ana: after the hint"]);
  assert.deepEqual(await bob.linesUntil("Ana: after the hint"), ["Ana: after the hint"]);
});

Deno.test("/quit says goodbye, closes the connection and the room sees the leave", async () => {
  await using server = await startServer();
  await using ana = await join(server.tcpPort, "Ana");
  await using bob = await join(server.tcpPort, "Bob");
  await ana.send("/quit");
  await ana.expectLine("Goodbye!");
  assert.deepEqual(await ana.closed(), []);
  await bob.expectLine("* Ana left the chat");
});

Deno.test("{close} after naming says goodbye and the room sees the leave", async () => {
  await using server = await startServer();
  await using ana = await join(server.tcpPort, "Ana");
  await using bob = await join(server.tcpPort, "Bob");
  await ana.send("{close}");
  await ana.expectLine("Goodbye!");
  await ana.closed();
  await bob.expectLine("* Ana left the chat");
  await using _ana2 = await join(server.tcpPort, "ana");
  await bob.expectLine("* ana joined the chat");
});

Deno.test("a 2,000-byte message arrives as one line", async () => {
  await using server = await startServer();
  await using ana = await join(server.tcpPort, "Ana");
  await using bob = await join(server.tcpPort, "Bob");
  const text = "0123456789".repeat(200);
  await ana.send(text);
  assert.equal(await bob.expectLine(/^Ana: /), `Ana: ${text}`);
});
