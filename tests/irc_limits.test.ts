/**
 * The IRC door under the same rules as the other doors: a reader that stops reading is cut off alone (SendQ
 * exceeded), the per-address limit counts its connections with everyone else's, and with the TLS files it
 * also serves IRC over TLS.
 */
import assert from "node:assert/strict";
import { startServer } from "./helpers/server.ts";
import { IrcClient, registerIrc } from "./helpers/irc_client.ts";
import { connectTcp, join, TcpClient } from "./helpers/tcp_client.ts";
import { makeCertificates } from "./helpers/tls.ts";

Deno.test("an IRC reader that never reads is cut off alone as SendQ exceeded; the room sees it left, too slow", async () => {
  await using server = await startServer([
    "--irc-port",
    "0",
    "--sendq",
    String(64 * 1024),
    "--max-line",
    "65536",
    "--flood-burst",
    "100000",
    "--flood-rate",
    "100000",
  ]);
  await using ana = await join(server.tcpPort, "Ana");
  const sleeper = new IrcClient(await connectTcp(server.ircPort!, { reading: false }));
  await using _sleeper = sleeper;
  await sleeper.send("NICK Sleeper");
  await sleeper.send("USER s 0 * :s");
  await ana.expectLine("* Sleeper joined the chat");
  const big = "z".repeat(32 * 1024);
  let sent = 0;
  while (!ana.received.includes("* Sleeper left the chat (too slow)")) {
    assert.ok(sent < 4000, "the sleeper should have been cut off by now");
    sent++;
    await ana.send(`${sent} ${big}`);
    await ana.expectLine(`Ana: ${sent} ${big}`);
  }
  await ana.send("/who");
  const who = (await ana.linesUntil("  Ana (tcp)")).filter((line) => !line.startsWith("* "));
  assert.deepEqual(who, ["1 online:", "  Ana (tcp)"]);
  const got = await sleeper.closed();
  const last = got.map((line) => line.replace(/\r$/, "")).filter((line) => line !== "").at(-1);
  assert.ok(last === "ERROR :Closing Link: SendQ exceeded" || last?.startsWith(":Ana!tcp@chat PRIVMSG #chat :"), last);
});

Deno.test("the per-address limit counts IRC connections with the other doors' and refuses with ERROR", async () => {
  await using server = await startServer(["--irc-port", "0", "--exempt", "none", "--max-per-address", "2"]);
  await using _one = await connectTcp(server.tcpPort);
  await using _two = await registerIrc(server.ircPort!, "Two");
  await using third = await connectTcp(server.ircPort!);
  const [line] = await third.closed();
  assert.match(line, /^ERROR :Closing Link: .*\r$/);
  await server.expectLog(/irc\.refuse.*reason=address|"irc\.refuse".*"address"/);
});

Deno.test("with the TLS files, --irc-tls-port serves IRC over TLS", async () => {
  await using tls = await makeCertificates();
  const cert = await tls.certificate("server");
  await using server = await startServer([
    "--irc-tls-port",
    "0",
    "--tls-cert",
    cert.certFile,
    "--tls-key",
    cert.keyFile,
  ]);
  assert.equal(server.ircPort, undefined, "no plain IRC port unless asked for");
  await using bob = await join(server.tcpPort, "Bob");
  const conn = await Deno.connectTls({ hostname: "127.0.0.1", port: server.ircTlsPort!, caCerts: [cert.pem] });
  await using ana = new IrcClient(new TcpClient(conn) as unknown as TcpClient);
  await ana.send("NICK Ana");
  await ana.send("USER ana 0 * :Ana");
  await ana.expect(/ 366 Ana #chat /);
  await ana.send("PRIVMSG #chat :over TLS");
  await bob.expectLine("Ana: over TLS");
});

Deno.test("behind a trusted proxy the IRC port takes a PROXY header and names the client", async () => {
  await using server = await startServer([
    "--irc-port",
    "0",
    "--trust-proxy",
    "127.0.0.1/32",
    "--proxy-protocol",
  ]);
  await using ana = new IrcClient(await connectTcp(server.ircPort!));
  await ana.tcp.sendRaw("PROXY TCP4 198.51.100.7 127.0.0.1 40000 6667\r\n");
  await ana.send("NICK Ana");
  await ana.send("USER ana 0 * :Ana");
  await ana.expect(/ 001 Ana /);
  await server.expectLog(/irc\.connect.*198\.51\.100\.7|"irc\.connect".*"198\.51\.100\.7"/);
});
