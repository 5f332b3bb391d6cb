// deno-lint-ignore-file no-control-regex -- IRC's CTCP and formatting codes are control characters
/**
 * The IRC door on a real server, spoken to over a raw socket: registration with CAP, the channel, messages
 * both ways with an `nc` member and a web member, private messages, PING, and what bad input gets.
 */
import assert from "node:assert/strict";
import { startServer } from "./helpers/server.ts";
import { connectIrc, registerIrc } from "./helpers/irc_client.ts";
import { join } from "./helpers/tcp_client.ts";
import { isText, parseEvent, webMember } from "./helpers/http.ts";

const IRC = ["--irc-port", "0"];

Deno.test("registration with CAP: numerics 001–005, the channel joined, topic and names", async () => {
  await using server = await startServer(IRC);
  await using bob = await join(server.tcpPort, "Bob");
  await using ana = await connectIrc(server.ircPort!);
  await ana.send("CAP LS 302");
  await ana.expect(/^:\S+ CAP \* LS :.*\bserver-time\b/);
  const ls = ana.received.at(-1)!;
  for (const cap of ["server-time", "message-tags", "echo-message"]) assert.ok(ls.includes(cap), ls);
  await ana.send("PASS whatever");
  await ana.send("NICK Ana");
  await ana.send("USER ana 0 * :Ana Tester");
  await ana.send("CAP REQ :server-time echo-message");
  await ana.expect(/ CAP Ana ACK :server-time echo-message$/);
  assert.ok(!ana.received.some((line) => / 001 /.test(line)), "no welcome while CAP is being negotiated");
  await ana.send("CAP END");
  const lines = await ana.until(/ 366 Ana #chat /);
  const codes = lines.map((line) => line.split(" ")[1]);
  for (const code of ["001", "002", "003", "004", "005", "422", "JOIN", "332", "353", "366"]) {
    assert.ok(codes.includes(code), `${code} in ${codes}`);
  }
  const isupport = lines.find((line) => / 005 /.test(line))!;
  for (const token of ["CHANTYPES=#", "NICKLEN=32", "CASEMAPPING=", "NETWORK="]) assert.ok(isupport.includes(token));
  assert.ok(lines.includes(":Ana!irc@chat JOIN #chat"));
  assert.ok(lines.some((line) => line.endsWith(" 353 Ana = #chat :Bob Ana")), lines.join("\n"));
  await bob.expectLine("* Ana joined the chat");
  await ana.send("JOIN #chat");
  await ana.send("PING :still-here");
  await ana.expect(/ PONG \S+ :still-here$/);
  assert.ok(!ana.received.slice(lines.length).some((line) => / JOIN /.test(line)), "JOIN #chat again is harmless");
});

Deno.test("PRIVMSG and ACTION both ways with an nc member and a web member; echo-message and server-time", async () => {
  await using server = await startServer(IRC);
  await using bob = await join(server.tcpPort, "Bob");
  const { client: cy, events } = await webMember(server.httpUrl, "Cy");
  await using _events = events;
  await using ana = await registerIrc(server.ircPort!, "Ana", ["server-time", "echo-message"]);
  await ana.send("PRIVMSG #chat :hello \x02everyone\x02");
  await bob.expectLine("Ana: hello everyone");
  await events.expect(isText("hello everyone"));
  await ana.expect(/^@time=\S+ :Ana!irc@chat PRIVMSG #chat :hello \x02everyone\x02$/);
  await ana.send("PRIVMSG #chat :\x01ACTION waves\x01");
  await bob.expectLine("~ Ana waves");
  await ana.send("PRIVMSG #chat :/not a command");
  await bob.expectLine("Ana: /not a command");
  await bob.send("hi from nc");
  await ana.expect(/^@time=\d{4}-\d\d-\d\dT[\d:.]+Z :Bob!tcp@chat PRIVMSG #chat :hi from nc$/);
  await bob.send("/me nods");
  await ana.expect(/:Bob!tcp@chat PRIVMSG #chat :\x01ACTION nods\x01$/);
  assert.equal((await cy.say("hi from the page")).status, 202);
  await ana.expect(/:Cy!web@chat PRIVMSG #chat :hi from the page$/);
  await ana.send("NOTICE #chat :a notice");
  await bob.expectLine("Ana: a notice");
});

Deno.test("private messages: PRIVMSG nick ↔ /msg, on every door; an absent nick gets 401", async () => {
  await using server = await startServer(IRC);
  await using bob = await join(server.tcpPort, "Bob");
  const { client: cy, events } = await webMember(server.httpUrl, "Cy");
  await using _events = events;
  await using ana = await registerIrc(server.ircPort!, "Ana");
  await ana.send("PRIVMSG Bob :just for you");
  await bob.expectLine("[private] Ana: just for you");
  await ana.send("PRIVMSG Cy :and you");
  const got = await events.expect((event) => event.event === "message" && parseEvent(event.data).text === "and you");
  assert.equal(parseEvent(got.data).to, "Cy");
  await bob.send("/msg Ana back at you");
  await ana.expect(":Bob!tcp@chat PRIVMSG Ana :back at you");
  await cy.say("/msg Ana from the page");
  await ana.expect(":Cy!web@chat PRIVMSG Ana :from the page");
  await ana.send("PRIVMSG Nobody :hello?");
  await ana.expect(/ 401 Ana Nobody :/);
  await ana.send("NOTICE Nobody :quiet");
  await ana.send("PING :after");
  await ana.expect(/ PONG \S+ :after$/);
  assert.ok(!ana.received.some((line) => / 401 Ana Nobody :.*/.test(line) && line.includes("quiet")));
  assert.equal(ana.received.filter((line) => / 401 /.test(line)).length, 1, "a NOTICE is never answered");
  // Without echo-message the sender does not get its own lines back.
  assert.ok(!ana.received.some((line) => line.includes("PRIVMSG Bob :just for you")));
});

Deno.test("NAMES, WHO, WHOIS (door shown), TOPIC, MODE, LUSERS, PART and JOIN again, QUIT", async () => {
  await using server = await startServer(IRC);
  await using bob = await join(server.tcpPort, "Bob");
  await using ana = await registerIrc(server.ircPort!, "Ana");
  await ana.send("NAMES #chat");
  await ana.expect(/ 353 Ana = #chat :Bob Ana$/);
  await ana.expect(/ 366 Ana #chat :/);
  await ana.send("WHO #chat");
  await ana.expect(/ 352 Ana #chat tcp \S+ \S+ Bob H :0 /);
  await ana.expect(/ 315 Ana #chat :/);
  await ana.send("WHOIS Bob");
  await ana.expect(/ 311 Ana Bob tcp \S+ \* :.*tcp door/);
  await ana.expect(/ 318 Ana Bob :/);
  await ana.send("TOPIC #chat");
  await ana.expect(/ 332 Ana #chat :/);
  await ana.send("TOPIC #chat :new topic");
  await ana.expect(/ 482 Ana #chat :/);
  await ana.send("MODE #chat");
  await ana.expect(/ 324 Ana #chat \+nt$/);
  await ana.send("LUSERS");
  await ana.expect(/ 251 Ana :There are 2 users/);
  await ana.send("JOIN #other");
  await ana.expect(/ 403 Ana #other :/);
  await ana.send("PART #chat");
  await ana.expect(":Ana!irc@chat PART #chat");
  await bob.expectLine("* Ana left the chat");
  await ana.send("PRIVMSG #chat :am I here?");
  await ana.expect(/ 404 Ana #chat :/);
  await ana.send("JOIN #chat");
  await ana.expect(/ 366 Ana #chat :/);
  await bob.expectLine("* Ana joined the chat");
  await ana.send("QUIT :see you");
  await ana.expect(/^ERROR :Closing Link: Ana \(Quit: see you\)$/);
  await ana.closed();
  await bob.expectLine("* Ana left the chat");
});

Deno.test("names are the room's: taken → 433, invalid or reserved → 432 with the room's reason", async () => {
  await using server = await startServer(IRC);
  await using _bob = await join(server.tcpPort, "Bob");
  await using ana = await connectIrc(server.ircPort!);
  await ana.send("NICK bob");
  await ana.expect(/ 433 \* bob :the name "Bob" is taken/);
  await ana.send("NICK server");
  await ana.expect(/ 432 \* server :/);
  await ana.send("NICK a.b!c");
  await ana.expect(/ 432 \* a\.b!c :a name may contain only/);
  await ana.send("NICK Ana");
  await ana.send("USER ana 0 * :Ana");
  await ana.expect(/ 001 Ana /);
});

Deno.test("NICK after registration renames: the others see it on every door", async () => {
  await using server = await startServer(IRC);
  await using bob = await join(server.tcpPort, "Bob");
  await using ana = await registerIrc(server.ircPort!, "Ana");
  await using dee = await registerIrc(server.ircPort!, "Dee");
  await ana.send("NICK Bob");
  await ana.expect(/ 433 Ana Bob :/);
  await ana.send("NICK Anna");
  await ana.expect(":Ana!irc@chat NICK :Anna");
  await bob.expectLine("* Ana left the chat");
  await bob.expectLine("* Anna joined the chat");
  await dee.expect(/^:Ana!irc@chat QUIT :/);
  await dee.expect(":Anna!irc@chat JOIN #chat");
  await ana.send("PRIVMSG #chat :new name");
  await bob.expectLine("Anna: new name");
  await bob.send("/msg Anna still private");
  await ana.expect(":Bob!tcp@chat PRIVMSG Anna :still private");
});

Deno.test("an idle client is pinged, and dropped as connection lost when it does not answer", async () => {
  await using server = await startServer([...IRC, "--irc-ping", "0.4"]);
  await using bob = await join(server.tcpPort, "Bob");
  await using quiet = await registerIrc(server.ircPort!, "Quiet");
  await using alive = await registerIrc(server.ircPort!, "Alive");
  const ping = await alive.expect(/^PING :/);
  await alive.send(`PONG ${ping.slice(5)}`);
  // Alive keeps talking (anything counts); Quiet says nothing.
  const keepAlive = setInterval(() => alive.send("PONG :keepalive").catch(() => {}), 150);
  try {
    await quiet.expect(/^PING :/);
    await quiet.expect(/^ERROR :Closing Link: Quiet \(Ping timeout/, 5000);
    await bob.expectLine("* Quiet left the chat (connection lost)");
    await alive.expect(/^:Quiet!irc@chat QUIT :Connection lost$/);
    await alive.send("PING :ok");
    await alive.expect(/ PONG \S+ :ok$/);
  } finally {
    clearInterval(keepAlive);
  }
});

Deno.test("history on join: with server-time its original @time tags, without it marked as history", async () => {
  await using server = await startServer(IRC);
  await using bob = await join(server.tcpPort, "Bob");
  await bob.send("before you came");
  await bob.send("/me waited");
  await bob.expectLine("~ Bob waited");
  await using timed = await registerIrc(server.ircPort!, "Timed", ["server-time"]);
  const line = await timed.expect(/PRIVMSG #chat :before you came$/);
  assert.match(line, /^@time=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z :Bob!\S+ PRIVMSG #chat :before you came$/);
  await bob.send("/msg Timed only for Timed");
  await timed.expect(/PRIVMSG Timed :only for Timed$/);
  await using plain = await registerIrc(server.ircPort!, "Plain");
  await plain.expect(/NOTICE #chat :--- recent history ---$/);
  await plain.expect(/^:Bob!\S+ PRIVMSG #chat :\[\d\d:\d\d\] before you came$/);
  await plain.expect(/NOTICE #chat :--- end of history ---$/);
  assert.ok(!plain.received.some((line) => line.includes("only for Timed")), "others' private messages stay theirs");
});

Deno.test("bad input: clear numerics, nothing crashes", async () => {
  await using server = await startServer(IRC);
  await using bob = await join(server.tcpPort, "Bob");
  await using ana = await connectIrc(server.ircPort!);
  await ana.send("PRIVMSG #chat :too early");
  await ana.expect(/ 451 \* :You have not registered$/);
  await ana.tcp.sendRaw("X".repeat(100 * 1024) + "\r\n");
  await ana.expect(/ 417 \* :Input line was too long$/);
  await ana.send("NICK A\0na");
  await ana.expect(/ 400 \* NICK :NUL bytes/);
  for (let i = 0; i < 30; i++) await ana.send("CAP LS 302");
  await ana.send("CAP REQ :sasl");
  await ana.expect(/ CAP \* NAK :sasl$/);
  await ana.send("CAP END");
  await ana.send("NICK Ana");
  await ana.send("USER ana 0 * :Ana");
  await ana.expect(/ 366 Ana #chat /, 20_000);
  await ana.send("PRIVMSG #chat :" + "y".repeat(600));
  await ana.expect(/ 417 Ana :Input line was too long$/);
  const targets = Array.from({ length: 100 }, (_, i) => `n${i}`).join(",");
  await ana.send(`PRIVMSG ${targets} :hi`);
  await ana.expect(/ 407 Ana \S+ :Too many targets/);
  await ana.send("PRIVMSG #nowhere :hello");
  await ana.expect(/ 403 Ana #nowhere :/);
  await ana.send("FROBNICATE now");
  await ana.expect(/ 421 Ana FROBNICATE :Unknown command$/);
  await ana.send("USER again 0 * :x");
  await ana.expect(/ 462 Ana :/);
  await ana.send("PRIVMSG #chat :still fine \0 here");
  await ana.expect(/ 400 Ana PRIVMSG :NUL bytes/);
  await ana.send("PRIVMSG #chat :still fine");
  await bob.expectLine("Ana: still fine");
  assert.ok(!bob.received.some((line) => line.includes("y".repeat(100))), "an over-long line is never cut and sent");
});

Deno.test("NICK floods are paced, not dropped, and the room stays consistent", async () => {
  await using server = await startServer([...IRC, "--flood-burst", "3", "--flood-rate", "20"]);
  await using bob = await join(server.tcpPort, "Bob");
  await using ana = await registerIrc(server.ircPort!, "Ana");
  let flood = "";
  for (let i = 0; i < 20; i++) flood += `NICK Ana${i}\r\n`;
  await ana.tcp.sendRaw(flood);
  await ana.expect(":Ana18!irc@chat NICK :Ana19", 20_000);
  await bob.expectLine("* Ana19 joined the chat", 20_000);
  await bob.send("/who");
  await bob.expectLine("  Ana19 (irc)");
  await ana.send("PRIVMSG #chat :done");
  await bob.expectLine("Ana19: done");
});

Deno.test("no NICK within --registration-timeout: ERROR and the connection closes", async () => {
  await using server = await startServer([...IRC, "--registration-timeout", "0.3"]);
  await using ana = await connectIrc(server.ircPort!);
  await ana.send("CAP LS 302");
  await ana.expect(/^ERROR :Closing Link: registration timed out/, 5000);
  await ana.closed();
  await server.expectLog(/irc\.disconnect.*reason=timeout|"reason":"timeout"/);
});

Deno.test("the IRC door is off unless asked for, and metrics label it irc", async () => {
  {
    await using server = await startServer();
    assert.equal(server.ircPort, undefined);
  }
  await using server = await startServer([...IRC, "--metrics-port", "0"]);
  await using _ana = await registerIrc(server.ircPort!, "Ana");
  const text = await (await fetch(server.metricsUrl!)).text();
  assert.match(text, /chat_connections_open\{door="irc"\} 1/);
  assert.match(text, /chat_room_members\{door="irc"\} 1/);
});

Deno.test("shutdown: IRC clients get ERROR and the connection closes", async () => {
  await using server = await startServer(IRC);
  await using ana = await registerIrc(server.ircPort!, "Ana");
  await ana.send("PRIVMSG #chat :{close}");
  await ana.expect(/ 404 Ana #chat :\{close\} alone cannot be sent/);
  const stopped = server.stop();
  await ana.expect("ERROR :Closing Link: server shutting down");
  await ana.closed();
  assert.equal(await stopped, 0);
});
