/**
 * The terminal client (`deno task client`) against the real server, driven through piped stdin as a script
 * would: signing in, talking, names refused, leaving, and the server going away and coming back on the same
 * port. To know for sure that something is said while the client is away, the test freezes the client
 * (SIGSTOP) so it cannot reconnect before the line is in the room's history.
 */
import assert from "node:assert/strict";
import { startServer } from "./helpers/server.ts";
import { join } from "./helpers/tcp_client.ts";
import { ChatClient } from "./helpers/client_process.ts";

const OFFLINE = "server offline — reconnecting…";

Deno.test("the client signs in with --name, shows the history and each line with its time, and sends", async () => {
  await using server = await startServer();
  await using bob = await join(server.tcpPort, "Bob");
  await bob.send("anyone here?");
  await bob.expectLine("Bob: anyone here?");
  await using ana = ChatClient.start(server.tcpPort, ["--name", "Ana"]);
  await ana.expectLine(/^Hello, Ana! Online \(2\): Bob, Ana\./);
  await ana.expectLine("--- recent history ---");
  assert.equal(await ana.expectLine("Bob: anyone here?"), "--:-- Bob: anyone here?", "a replayed line has no time");
  assert.match(await ana.expectLine("* Ana joined the chat"), /^\d\d:\d\d \* Ana joined the chat$/);
  await ana.type("hi Bob");
  await bob.expectLine("Ana: hi Bob");
  await bob.send("hi Ana");
  assert.match(await ana.expectLine("Bob: hi Ana"), /^\d\d:\d\d Bob: hi Ana$/);
  assert.equal(ana.count("--- recent history ---"), 1);
  assert.equal(ana.count("Bob: anyone here?"), 1);
  assert.ok(!ana.received.some((line) => line.includes("\x1b")), "no colours when stdout is not a terminal");
});

Deno.test("commands pass through to the server and their answers are shown", async () => {
  await using server = await startServer();
  await using bob = await join(server.tcpPort, "Bob");
  await using ana = ChatClient.start(server.tcpPort, ["--name", "Ana"]);
  await ana.expectLine("* Ana joined the chat");
  await ana.type("/me waves");
  await bob.expectLine("~ Ana waves");
  await ana.type("/who");
  await ana.expectLine("2 online:");
  await ana.expectLine("  Ana (tcp)");
  await ana.type("//slash");
  await bob.expectLine("Ana: /slash");
  await ana.type("/nonsense");
  await ana.expectLine(/^! unknown command \/nonsense/);
});

Deno.test("a refused name is asked for again with the server's reason, and another is accepted", async () => {
  await using server = await startServer();
  await using ana = ChatClient.start(server.tcpPort);
  await ana.expectLine("Welcome to the chatroom! Enter your name:");
  await ana.type("server");
  await ana.expectLine('! the name "server" is reserved');
  await ana.expectLine("Enter your name:");
  await ana.type("Ana");
  await ana.expectLine(/^Hello, Ana!/);
  await ana.expectLine("* Ana joined the chat");
});

Deno.test("/quit and the end of input both leave cleanly: the room sees a quit, not a lost connection", async () => {
  await using server = await startServer();
  await using bob = await join(server.tcpPort, "Bob");
  for (const [name, leave] of [["Ana", "/quit"], ["Cy", undefined]] as const) {
    await using client = ChatClient.start(server.tcpPort, ["--name", name]);
    await client.expectLine(`* ${name} joined the chat`);
    await client.type(`bye from ${name}`);
    if (leave) await client.type(leave);
    else await client.endInput();
    await client.expectLine("Goodbye!");
    assert.equal(await client.exitCode(), 0);
    await bob.expectLine(`${name}: bye from ${name}`);
    await bob.expectLine(`* ${name} left the chat`);
  }
});

Deno.test("the server restarted on the same port: offline once, rejoins, shows what was missed once, sends what was typed", async () => {
  const dir = await Deno.makeTempDir();
  const db = `${dir}/chat.db`;
  const first = await startServer(["--db", db]);
  const port = first.tcpPort;
  let bob = await join(port, "Bob");
  await using ana = ChatClient.start(port, ["--name", "Ana"]);
  await ana.expectLine("* Ana joined the chat");
  await bob.send("before the restart");
  await ana.expectLine("Bob: before the restart");

  ana.pause();
  assert.equal(await first.stop(), 0);
  bob.close();
  ana.resume();
  await ana.expectLine("* server shutting down");
  await ana.expectLine(OFFLINE);
  await ana.type("typed while away");
  await ana.expectLine("(pending) typed while away");

  ana.pause();
  await using _second = await startServer(["--db", db, "--tcp-port", String(port)]);
  bob = await join(port, "Bob");
  await bob.send("said while you were away");
  await bob.expectLine("Bob: said while you were away");
  ana.resume();
  await ana.expectLine("reconnected as Ana");
  await ana.expectLine("Bob: said while you were away");
  await bob.expectLine("Ana: typed while away");
  await ana.expectLine("* Ana joined the chat");
  await ana.type("back again");
  await bob.expectLine("Ana: back again");
  await ana.expectLine("Ana: back again");

  assert.equal(ana.count(OFFLINE), 1, "offline is said once");
  assert.equal(ana.count("Bob: before the restart"), 1, "nothing already shown is shown again");
  assert.equal(ana.count("Bob: said while you were away"), 1);
  assert.equal(ana.count(/may be missing/), 0, "nothing is missing: the history reaches back to what was shown");
  bob.close();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a name taken while the client was away is reported, and another name is asked for", async () => {
  const dir = await Deno.makeTempDir();
  const db = `${dir}/chat.db`;
  const first = await startServer(["--db", db]);
  const port = first.tcpPort;
  // Taken by someone else, not by Ana's own lost connection: after --rejoin-wait the client gives it up.
  await using ana = ChatClient.start(port, ["--name", "Ana", "--rejoin-wait", "2"]);
  await ana.expectLine("* Ana joined the chat");
  ana.pause();
  await first.stop();
  await using _second = await startServer(["--db", db, "--tcp-port", String(port)]);
  await using impostor = await join(port, "ana");
  ana.resume();
  await ana.expectLine("Ana is still held by the lost connection; waiting for it");
  await ana.expectLine('! the name "ana" is taken, choose another');
  await ana.expectLine("could not rejoin as Ana");
  await ana.expectLine("Enter your name:");
  await ana.type("Ana2");
  await ana.expectLine(/^Hello, Ana2!/);
  await impostor.expectLine("* Ana2 joined the chat");
  await Deno.remove(dir, { recursive: true });
});
