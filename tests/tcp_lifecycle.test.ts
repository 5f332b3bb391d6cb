/**
 * Connections coming and going the hard ways: dropped, reset, half-named, all at once, and the server's
 * own shutdown (design, TCP rule 6). Each breaker of the classic server ends by checking that the server
 * still accepts and the room still reaches everyone.
 */
import assert from "node:assert/strict";
import net from "node:net";
import { type RunningServer, startServer } from "./helpers/server.ts";
import { connectTcp, join, type TcpClient, WELCOME } from "./helpers/tcp_client.ts";

/** A newcomer can still join, and a message reaches every client in `present` and the newcomer. */
async function roomStillWorks(server: RunningServer, present: TcpClient[], name = "Newcomer"): Promise<void> {
  await using newcomer = await join(server.tcpPort, name);
  await newcomer.send("is everyone there?");
  for (const client of [newcomer, ...present]) await client.expectLine(`${name}: is everyone there?`);
}

/** Opens a socket and resets it (RST, not FIN) the moment it connects. */
function connectAndReset(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.resetAndDestroy();
      socket.once("close", () => resolve());
    });
    socket.once("error", reject);
  });
}

Deno.test("a dropped connection makes the room see that it was lost", async () => {
  await using server = await startServer();
  await using ana = await join(server.tcpPort, "Ana");
  const bob = await join(server.tcpPort, "Bob");
  await ana.expectLine("* Bob joined the chat");
  bob.close();
  await ana.expectLine("* Bob left the chat (connection lost)");
  await roomStillWorks(server, [ana]);
});

Deno.test("clients that connect and close without ever naming themselves leave no trace", async () => {
  await using server = await startServer();
  await using ana = await join(server.tcpPort, "Ana");
  for (let i = 0; i < 10; i++) {
    const quick = await connectTcp(server.tcpPort);
    if (i % 2 === 0) await quick.expectLine(WELCOME); // half of them hear the greeting first
    quick.close();
  }
  await roomStillWorks(server, [ana]);
  assert.ok(!ana.received.some((line) => /left the chat/.test(line)), "nobody unnamed is announced");
});

Deno.test("clients that reset the connection before the greeting is written do not disturb the server", async () => {
  await using server = await startServer();
  await using ana = await join(server.tcpPort, "Ana");
  for (let i = 0; i < 20; i++) await connectAndReset(server.tcpPort);
  await roomStillWorks(server, [ana]);
  assert.doesNotMatch(server.output(), /failed|Uncaught|panic/, "a reset is routine, not an error to log");
});

Deno.test("a member reset mid-conversation is announced as lost and the others keep talking", async () => {
  await using server = await startServer();
  await using ana = await join(server.tcpPort, "Ana");
  const socket = net.connect(server.tcpPort, "127.0.0.1");
  const gone = new Promise((resolve) => socket.once("close", resolve));
  socket.on("error", () => {});
  socket.write("Rex\nhello from Rex\n");
  await ana.expectLine("Rex: hello from Rex");
  socket.resetAndDestroy();
  await gone;
  await ana.expectLine("* Rex left the chat (connection lost)");
  await roomStillWorks(server, [ana]);
});

Deno.test("a member closing without {close} while others talk is announced as lost and nothing else is missed", async () => {
  await using server = await startServer(["--flood-burst", "1000"]);
  await using ana = await join(server.tcpPort, "Ana");
  await using bob = await join(server.tcpPort, "Bob");
  const cy = await join(server.tcpPort, "Cy");
  await ana.expectLine("* Cy joined the chat");
  await bob.expectLine("* Cy joined the chat");
  const talking = (async () => {
    for (let i = 1; i <= 100; i++) await ana.send(`message ${i}`);
  })();
  await cy.expectLine("Ana: message 20");
  cy.close();
  await talking;
  const heard: string[] = [];
  const done = ["* Cy left the chat (connection lost)", "Ana: message 100"];
  while (!done.every((line) => heard.includes(line))) {
    const line = await bob.readLine();
    assert.ok(line !== null, `Bob's connection ended; heard: ${heard}`);
    heard.push(line);
  }
  assert.deepEqual(
    heard.filter((line) => line.startsWith("Ana: ")),
    Array.from({ length: 100 }, (_, i) => `Ana: message ${i + 1}`),
  );
  await roomStillWorks(server, [ana, bob]);
});

Deno.test("a scripted client that sends its lines and closes its side still gets every reply", async () => {
  await using server = await startServer();
  await using client = await connectTcp(server.tcpPort);
  await client.sendRaw("Ana\n/who\nbye\n");
  await client.conn.closeWrite();
  const lines = await client.closed();
  assert.equal(lines[0], WELCOME);
  assert.match(lines[1], /^Hello, Ana!/);
  assert.deepEqual(lines.slice(2), ["* Ana joined the chat", "1 online:", "  Ana (tcp)", "Ana: bye"]);
});

Deno.test("every line the server sends ends with a newline, and no line has a CR", async () => {
  await using server = await startServer();
  await using bob = await join(server.tcpPort, "Bob");
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.tcpPort });
  await conn.write(new TextEncoder().encode("bad name\nAna\n/help\n/who\n/nope\nhi\n/me waves\n"));
  await bob.expectLine("~ Ana waves");
  await conn.write(new TextEncoder().encode("/quit\n"));
  const text = await new Response(conn.readable).text();
  assert.ok(text.endsWith("Goodbye!\n"), text);
  assert.ok(!text.includes("\r"), "no CR");
  assert.ok(text.split("\n").length >= 20, text);
});

Deno.test("50 clients that connect and name themselves at the same moment all get in and hear each other", async () => {
  await using server = await startServer();
  const names = Array.from({ length: 50 }, (_, i) => `user${i + 1}`);
  const clients = await Promise.all(names.map((name) => join(server.tcpPort, name)));
  try {
    await Promise.all(clients.map((client, i) => client.send(`hi from ${names[i]}`)));
    await Promise.all(clients.map(async (client) => {
      const expected = new Set(names.map((name) => `${name}: hi from ${name}`));
      while (expected.size > 0) expected.delete(await client.expectLine((line) => expected.has(line)));
    }));
    await clients[0].send("/who");
    const who = await clients[0].linesUntil(/^ {2}user50 \(tcp\)$/);
    assert.equal(who[0], "50 online:");
    await using late = await connectTcp(server.tcpPort);
    await late.expectLine(WELCOME);
    await late.send("late");
    assert.match((await late.readLine())!, /^Hello, late! Online \(51\): (user\d+, ){19}user\d+ and 31 more\. /);
  } finally {
    for (const client of clients) client.close();
  }
});

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  Deno.test(`${signal} tells everyone the server is shutting down, closes every socket and exits 0`, async () => {
    const server = await startServer();
    try {
      const ana = await join(server.tcpPort, "Ana");
      const unnamed = await connectTcp(server.tcpPort);
      await unnamed.expectLine(WELCOME);
      const exit = server.stop(signal);
      for (const client of [ana, unnamed]) {
        await client.expectLine("* server shutting down");
        assert.deepEqual(await client.closed(), []);
      }
      assert.equal(await exit, 0);
    } finally {
      await server.stop("SIGKILL");
    }
  });
}
