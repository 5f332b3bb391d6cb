/**
 * The TCP door's TLS port: the same room over TLS, for Deno's TLS client and `openssl s_client`; new
 * certificates on SIGHUP without dropping anyone; bad files refused at start with one line.
 */
import assert from "node:assert/strict";
import { ChatClient } from "./helpers/client_process.ts";
import { startServer } from "./helpers/server.ts";
import { join, joinTls, WELCOME } from "./helpers/tcp_client.ts";
import { makeCertificates } from "./helpers/tls.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;
const decoder = new TextDecoder();
const encoder = new TextEncoder();

Deno.test("a TLS member and a plain TCP member are in one room", async () => {
  await using tls = await makeCertificates();
  const cert = await tls.certificate("server");
  await using server = await startServer(["--tls-cert", cert.certFile, "--tls-key", cert.keyFile]);
  assert.match(server.output(), new RegExp(`^tls listening on 127\\.0\\.0\\.1:${server.tlsPort}$`, "m"));
  await using ana = await joinTls(server.tlsPort!, cert.pem, "Ana");
  await using bob = await join(server.tcpPort, "Bob");
  await ana.expectLine("* Bob joined the chat");
  await ana.send("over TLS");
  await bob.expectLine("Ana: over TLS");
  await bob.send("in the clear");
  await ana.expectLine("Bob: in the clear");
  await bob.expectLine("Bob: in the clear");
  await bob.send("/who");
  assert.deepEqual(await bob.linesUntil("  Bob (tcp)"), ["2 online:", "  Ana (tcp)", "  Bob (tcp)"]);
  await ana.send("/quit");
  await ana.expectLine("Goodbye!");
  await bob.expectLine("* Ana left the chat");
});

Deno.test("openssl s_client chats like nc, and leaving without a TLS close_notify is an ordinary leave", async () => {
  await using tls = await makeCertificates();
  const cert = await tls.certificate("server");
  await using server = await startServer(["--tls-cert", cert.certFile, "--tls-key", cert.keyFile]);
  await using bob = await join(server.tcpPort, "Bob");
  const client = new Deno.Command("openssl", {
    args: ["s_client", "-quiet", "-connect", `127.0.0.1:${server.tlsPort}`],
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const input = client.stdin.getWriter();
  let heard = "";
  const reading = (async () => {
    for await (const chunk of client.stdout) heard += decoder.decode(chunk, { stream: true });
  })();
  await input.write(encoder.encode("Cy\nhello from s_client\n"));
  await bob.expectLine("* Cy joined the chat");
  await bob.expectLine("Cy: hello from s_client");
  await bob.send("hi Cy");
  const deadline = Date.now() + 10_000;
  while (!heard.includes("Bob: hi Cy\n") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.ok(heard.startsWith(`${WELCOME}\n`), heard);
  assert.ok(heard.includes("Bob: hi Cy\n"), heard);
  // Killed, s_client closes its socket without a close_notify.
  client.kill("SIGKILL");
  await client.status;
  await reading.catch(() => {});
  await input.close().catch(() => {});
  await bob.expectLine("* Cy left the chat (connection lost)");
  await server.expectLog(/INFO tls\.disconnect address=127\.0\.0\.1 port=\d+ name=Cy reason=lost /);
  assert.doesNotMatch(server.logs(), /ERROR|close_notify/);
});

Deno.test("the terminal client with --tls and --ca chats over the TLS port", async () => {
  await using tls = await makeCertificates();
  const cert = await tls.certificate("server");
  await using server = await startServer(["--tls-cert", cert.certFile, "--tls-key", cert.keyFile]);
  await using bob = await join(server.tcpPort, "Bob");
  await using ana = ChatClient.start(server.tlsPort!, ["--tls", "--ca", cert.certFile, "--name", "Ana"]);
  await ana.expectLine(/^Hello, Ana!/);
  await ana.type("typed over TLS");
  await bob.expectLine("Ana: typed over TLS");
});

Deno.test("SIGHUP: members stay, new connections get the new certificate", async () => {
  await using tls = await makeCertificates();
  const first = await tls.certificate("first");
  const second = await tls.certificate("second");
  const { certFile, keyFile, swap } = await tls.live(first);
  await using server = await startServer(["--tls-cert", certFile, "--tls-key", keyFile]);
  await using ana = await joinTls(server.tlsPort!, first.pem, "Ana");
  await using bob = await join(server.tcpPort, "Bob");

  await swap(second);
  server.process.kill("SIGHUP");
  await server.expectLog(/INFO tls\.reloaded cert=\S+live\.crt/);

  await ana.send("still here");
  await bob.expectLine("Ana: still here");
  const stale = await Deno.connectTls({ hostname: "127.0.0.1", port: server.tlsPort!, caCerts: [first.pem] });
  await assert.rejects(stale.handshake(), /invalid peer certificate/);
  stale.close();
  await using cy = await joinTls(server.tlsPort!, second.pem, "Cy");
  await ana.expectLine("* Cy joined the chat");
  await cy.send("new certificate");
  await ana.expectLine("Cy: new certificate");
  assert.ok(!ana.received.some((line) => line.startsWith("* Ana left")));
});

Deno.test("SIGHUP with broken files keeps the certificate in use and says why", async () => {
  await using tls = await makeCertificates();
  const first = await tls.certificate("first");
  const { certFile, keyFile } = await tls.live(first);
  await using server = await startServer(["--tls-cert", certFile, "--tls-key", keyFile]);
  await Deno.writeTextFile(certFile, "not a certificate\n");
  server.process.kill("SIGHUP");
  await server.expectLog(/ERROR tls\.reload_refused error="TLS certificate \S+live\.crt: no PEM certificate in it"/);
  await server.expectLog(
    /ERROR web\.tls_reload_refused error="TLS certificate \S+live\.crt: no PEM certificate in it"/,
  );
  await using ana = await joinTls(server.tlsPort!, first.pem, "Ana");
  await ana.send("served as before");
  await ana.expectLine("Ana: served as before");
  using client = Deno.createHttpClient({ caCerts: [first.pem] });
  const page = await fetch(server.httpUrl, { client });
  assert.equal(page.status, 200, "the web door serves HTTPS with the certificate in use");
  await page.body?.cancel();
});

Deno.test("--no-plain-tcp serves the TCP door over TLS only", async () => {
  await using tls = await makeCertificates();
  const cert = await tls.certificate("server");
  await using server = await startServer(["--tls-cert", cert.certFile, "--tls-key", cert.keyFile, "--no-plain-tcp"]);
  assert.doesNotMatch(server.output(), /^tcp listening/m);
  await using _ana = await joinTls(server.tlsPort!, cert.pem, "Ana");
});

Deno.test("a client that does not speak TLS is let go with the reason in the log, not an error", async () => {
  await using tls = await makeCertificates();
  const cert = await tls.certificate("server");
  await using server = await startServer(["--tls-cert", cert.certFile, "--tls-key", cert.keyFile]);
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.tlsPort! });
  await conn.write(encoder.encode("Ana\n"));
  const buffer = new Uint8Array(1024);
  while (await conn.read(buffer).catch(() => null) !== null) {
    // whatever alert the server sends, until it closes
  }
  conn.close();
  await server.expectLog(/INFO tls\.disconnect address=127\.0\.0\.1 port=\d+ reason=handshake /);
  assert.doesNotMatch(server.logs(), /ERROR/);
});

Deno.test("missing, garbled or mismatched TLS files: one line at start, exit 1", async () => {
  await using tls = await makeCertificates();
  const one = await tls.certificate("one");
  const two = await tls.certificate("two");
  const garbage = `${tls.dir}/garbage.pem`;
  await Deno.writeTextFile(garbage, "-----BEGIN NONSENSE-----\n");
  const cases: [string, string, RegExp][] = [
    [
      `${tls.dir}/missing.crt`,
      one.keyFile,
      /^error: TLS certificate \S+missing\.crt: cannot read it \(no such file\)$/,
    ],
    [one.certFile, `${tls.dir}/missing.key`, /^error: TLS key \S+missing\.key: cannot read it \(no such file\)$/],
    [garbage, one.keyFile, /^error: TLS certificate \S+garbage\.pem: no PEM certificate in it$/],
    [one.certFile, garbage, /^error: TLS key \S+garbage\.pem: no PEM private key in it$/],
    [one.certFile, two.keyFile, /^error: TLS key \S+two\.key does not belong to the certificate \S+one\.crt$/],
  ];
  for (const [certFile, keyFile, expected] of cases) {
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-all", MAIN, ...["--tcp-port", "0", "--http-port", "0", "--db", ":memory:"]].concat(
        ["--tls-port", "0", "--tls-cert", certFile, "--tls-key", keyFile],
      ),
      stdin: "null",
    }).output();
    assert.equal(code, 1, decoder.decode(stderr));
    const lines = decoder.decode(stderr).trimEnd().split("\n");
    assert.equal(lines.length, 1, decoder.decode(stderr));
    assert.match(lines[0], expected);
    assert.equal(decoder.decode(stdout), "", "nothing was opened");
  }
});
