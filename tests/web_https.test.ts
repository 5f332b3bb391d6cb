/**
 * HTTPS on the web door: with `--tls-cert` the page, the API and the event stream are served over TLS on
 * the web port, with the same certificate as the TCP door's TLS port, and SIGHUP swaps it for both.
 */
import assert from "node:assert/strict";
import { BROWSER_TEST, launchBrowser, openChat } from "./helpers/browser.ts";
import { parseEvent, WebClient } from "./helpers/http.ts";
import { startServer } from "./helpers/server.ts";
import { join, joinTls } from "./helpers/tcp_client.ts";
import { makeCertificates } from "./helpers/tls.ts";

Deno.test("HTTPS: the page, sign-in and the event stream work with the TCP door's certificate", async () => {
  await using tls = await makeCertificates();
  const cert = await tls.certificate("server");
  await using server = await startServer(["--tls-cert", cert.certFile, "--tls-key", cert.keyFile]);
  assert.match(server.output(), /^http listening on https:\/\/127\.0\.0\.1:\d+\/$/m);
  using client = Deno.createHttpClient({ caCerts: [cert.pem] });

  const page = await fetch(server.httpUrl, { client });
  assert.equal(page.status, 200);
  assert.match(await page.text(), /<html/);

  const bea = new WebClient(server.httpUrl, client);
  const signedIn = await bea.signIn("Bea");
  assert.equal(signedIn.status, 201);
  // Served over HTTPS, the session cookie never goes out over plain HTTP.
  assert.match(signedIn.headers.get("Set-Cookie") ?? "", /;\s*Secure/i);
  await using events = await bea.events();
  await events.expect((event) => event.event === "members");

  await using ana = await joinTls(server.tlsPort!, cert.pem, "Ana");
  await using bob = await join(server.tcpPort, "Bob");
  await ana.send("hello over TLS");
  await events.expect((event) => event.event === "message" && parseEvent(event.data).text === "hello over TLS");
  assert.equal((await bea.say("hello over HTTPS")).status, 202);
  await ana.expectLine("Bea: hello over HTTPS");
  await bob.expectLine("Bea: hello over HTTPS");
});

Deno.test("HTTPS: plain HTTP on the web port is let go, and the port keeps serving", async () => {
  await using tls = await makeCertificates();
  const cert = await tls.certificate("server");
  await using server = await startServer(["--tls-cert", cert.certFile, "--tls-key", cert.keyFile]);
  await assert.rejects(fetch(`http://127.0.0.1:${server.httpPort}/`));
  using client = Deno.createHttpClient({ caCerts: [cert.pem] });
  const page = await fetch(server.httpUrl, { client });
  assert.equal(page.status, 200);
  await page.body?.cancel();
  assert.doesNotMatch(server.logs(), /ERROR/);
});

Deno.test("HTTPS: a connection over the limits gets its 503 over TLS", async () => {
  await using tls = await makeCertificates();
  const cert = await tls.certificate("server");
  await using server = await startServer([
    ...["--tls-cert", cert.certFile, "--tls-key", cert.keyFile, "--max-connections", "1"],
  ]);
  await using _ana = await join(server.tcpPort, "Ana");
  using client = Deno.createHttpClient({ caCerts: [cert.pem] });
  const refused = await fetch(server.httpUrl, { client });
  assert.deepEqual([refused.status, await refused.json()], [503, {
    error: "server full (max 1 connections), try again later",
  }]);
});

Deno.test("HTTPS: SIGHUP gives new connections the new certificate; an open stream stays", async () => {
  await using tls = await makeCertificates();
  const first = await tls.certificate("first");
  const second = await tls.certificate("second");
  const { certFile, keyFile, swap } = await tls.live(first);
  await using server = await startServer(["--tls-cert", certFile, "--tls-key", keyFile]);
  using firstClient = Deno.createHttpClient({ caCerts: [first.pem] });
  const bea = new WebClient(server.httpUrl, firstClient);
  assert.equal((await bea.signIn("Bea")).status, 201);
  await using events = await bea.events();
  await events.expect((event) => event.event === "members");

  await swap(second);
  server.process.kill("SIGHUP");
  await server.expectLog(/INFO web\.tls_reloaded cert=\S+live\.crt/);

  const stale = await Deno.connectTls({ hostname: "127.0.0.1", port: server.httpPort!, caCerts: [first.pem] });
  await assert.rejects(stale.handshake(), /invalid peer certificate/);
  stale.close();
  using secondClient = Deno.createHttpClient({ caCerts: [second.pem] });
  const cy = new WebClient(server.httpUrl, secondClient);
  assert.equal((await cy.signIn("Cy")).status, 201);
  await using cyEvents = await cy.events();
  await events.expect((event) => {
    if (event.event !== "message") return false;
    const { kind, from } = parseEvent(event.data);
    return kind === "join" && from === "Cy";
  });
  await cyEvents.expect((event) => event.event === "members");
});

Deno.test({
  name: "HTTPS in Chromium: a browser member chats with a TLS terminal member",
  ...BROWSER_TEST,
  async fn() {
    await using tls = await makeCertificates();
    const cert = await tls.certificate("server");
    await using server = await startServer(["--tls-cert", cert.certFile, "--tls-key", cert.keyFile]);
    await using browser = await launchBrowser();
    const chat = await openChat(browser, server.httpUrl, { ignoreHTTPSErrors: true });
    await chat.signIn("Bea");
    await using ana = await joinTls(server.tlsPort!, cert.pem, "Ana");
    await chat.expectMembers(["Ana", "Bea"]);
    await ana.send("hi browser");
    await chat.message("Ana", "hi browser").waitFor();
    await chat.type("hi terminal");
    await ana.expectLine("Bea: hi terminal");
  },
});
