/**
 * The web door's HTTP server against clients that misbehave: heads and bodies that never finish, idle
 * keep-alive connections, requests meant for another host (DNS rebinding), HEAD requests, bodies cut off.
 */
import assert from "node:assert/strict";
import { WebClient, webMember } from "./helpers/http.ts";
import { rawExchange, readAnswer } from "./helpers/raw_http.ts";
import { startServer } from "./helpers/server.ts";

const encoder = new TextEncoder();
const SHORT = ["--header-timeout", "1", "--request-timeout", "2", "--idle-timeout", "1"];

Deno.test("a request head that never arrives whole is answered 408 and closed", async () => {
  await using server = await startServer(SHORT);
  const port = server.httpPort!;
  const half = await rawExchange(port, `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Slow: `, { untilClose: true });
  assert.ok(half.closed, "closed by the server");
  assert.equal(half.status, 408);
  assert.match(half.headers.get("Content-Security-Policy") ?? "", /default-src 'self'/);

  const nothing = await rawExchange(port, "", { untilClose: true });
  assert.ok(nothing.closed, "a connection that sends nothing is closed too");
});

Deno.test("a head sent a byte at a time is still held to the head's time limit", async () => {
  await using server = await startServer(SHORT);
  const port = server.httpPort!;
  using conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const answer = readAnswer(conn, { untilClose: true });
  const head = `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Slow: ${"x".repeat(1000)}`;
  for (const byte of encoder.encode(head)) {
    try {
      await conn.write(new Uint8Array([byte]));
    } catch {
      break; // closed by the server
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const { status, closed } = await answer;
  assert.deepEqual([status, closed], [408, true]);
});

Deno.test("an idle keep-alive connection is closed after --idle-timeout; a busy one is not cut", async () => {
  await using server = await startServer(SHORT);
  const port = server.httpPort!;
  using conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(encoder.encode(`GET /api/session HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`));
  const first = await readAnswer(conn);
  assert.equal(first.status, 401);
  assert.equal(first.closed, false, "kept alive after the answer");
  const rest = await readAnswer(conn, { untilClose: true });
  assert.deepEqual([rest.text, rest.closed], ["", true], "then closed, idle");
});

Deno.test("a request body that never finishes is answered 408 and closed after --request-timeout", async () => {
  await using server = await startServer(SHORT);
  const port = server.httpPort!;
  const host = `127.0.0.1:${port}`;
  const request = `POST /api/session HTTP/1.1\r\nHost: ${host}\r\nOrigin: http://${host}\r\n` +
    `Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"name":`;
  const answer = await rawExchange(port, request, { untilClose: true });
  assert.deepEqual([answer.status, answer.closed], [408, true]);
});

Deno.test("an event stream outlives --request-timeout: the limit is on the request, not the answer", async () => {
  await using server = await startServer([...SHORT, "--heartbeat", "0.5"]);
  const { client, events } = await webMember(server.httpUrl, "Ana");
  await using _ = events;
  // Six heartbeats (3 s) after it opened, the stream's request is past its time limit (2 s).
  const deadline = Date.now() + 30_000;
  while (events.comments.filter((comment) => comment === "ping").length < 6 && !events.ended) {
    assert.ok(Date.now() < deadline, "heartbeats stopped coming");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.equal((await client.say("still open")).status, 202);
  await events.expect((event) => event.data.includes('"text":"still open"'));
});

Deno.test("a request naming a host the server does not answer for is refused with 421: no sign-in", async () => {
  await using server = await startServer();
  const port = server.httpPort!;
  // DNS rebinding: evil.example resolves to this server, so the page's origin is evil.example:PORT.
  const evil = `evil.example:${port}`;
  const signIn = await rawExchange(
    port,
    `POST /api/session HTTP/1.1\r\nHost: ${evil}\r\nOrigin: http://${evil}\r\nContent-Type: application/json\r\n` +
      `Content-Length: 14\r\nConnection: close\r\n\r\n{"name":"Ana"}`,
  );
  assert.equal(signIn.status, 421);
  assert.equal(signIn.headers.get("Set-Cookie"), null);
  assert.deepEqual(JSON.parse(signIn.body), {
    error: "misdirected request: this server does not answer for that host",
  });
  assert.match(signIn.headers.get("Content-Security-Policy") ?? "", /default-src 'self'/);
  for (const host of [evil, "evil.example", `127.0.0.1:${port + 1}`, ""]) {
    const page = await rawExchange(port, `GET / HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
    assert.equal(page.status, 421, host);
  }
  assert.equal((await new WebClient(server.httpUrl).signIn("Ana")).status, 201, "Ana was never signed in");
});

Deno.test("a loopback server answers for localhost and 127.0.0.1 on its port, and --public-host names", async () => {
  await using server = await startServer(["--public-host", "chat.example.com,other.example:8443"]);
  const port = server.httpPort!;
  const statusFor = async (host: string) =>
    (await rawExchange(port, `GET /api/session HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`)).status;
  for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `LOCALHOST:${port}`, "chat.example.com"]) {
    assert.equal(await statusFor(host), 401, host);
  }
  assert.equal(await statusFor("chat.example.com:443"), 401, "a public name without a port, on any port");
  assert.equal(await statusFor("other.example:8443"), 401);
  assert.equal(await statusFor("other.example:8444"), 421, "a public name with a port, on that port only");
  assert.equal(await statusFor("sub.chat.example.com"), 421);
});

Deno.test("HEAD answers the Content-Length GET would: pages, static files, the island bundle, JSON", async () => {
  await using server = await startServer();
  const port = server.httpPort!;
  const page = await rawExchange(port, request("GET", port, "/"));
  const bundle = page.body.match(/src="(\/_islands\/[0-9a-f]+\.js)"/)?.[1];
  assert.ok(bundle, "the page names its island bundle");
  for (const path of ["/", "/styles.css", bundle, "/api/session", "/no-such-page"]) {
    const get = await rawExchange(port, request("GET", port, path));
    const head = await rawExchange(port, request("HEAD", port, path));
    assert.equal(head.status, get.status, path);
    assert.equal(head.headers.get("Content-Length"), String(encoder.encode(get.body).length), path);
    assert.equal(head.body, "", `${path}: no body`);
  }
});

Deno.test("HEAD /api/events answers the head of a stream and never opens one", async () => {
  await using server = await startServer();
  const { client } = await webMember(server.httpUrl, "Ana");
  const port = server.httpPort!;
  const head = await rawExchange(
    port,
    `HEAD /api/events HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nCookie: chat_session=${client.token}\r\nConnection: close\r\n\r\n`,
    { timeoutMs: 2000 },
  );
  assert.equal(head.status, 200);
  assert.equal(head.headers.get("Content-Type"), "text/event-stream");
  assert.equal(head.body, "");
});

Deno.test("request bodies cut off by the client are not logged as server errors", async () => {
  await using server = await startServer();
  const port = server.httpPort!;
  const host = `127.0.0.1:${port}`;
  const { client } = await webMember(server.httpUrl, "Ana");
  const before = server.output().split("\n").length;
  for (let i = 0; i < 100; i++) {
    const path = i % 2 === 0 ? "/api/session" : "/api/messages";
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    await conn.write(encoder.encode(
      `POST ${path} HTTP/1.1\r\nHost: ${host}\r\nOrigin: http://${host}\r\nCookie: chat_session=${client.token}\r\n` +
        `Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"text":"`,
    ));
    conn.close();
  }
  // The server is still well and answers; what it printed meanwhile is at most a short line per abort.
  assert.equal((await client.say("still here")).status, 202);
  const printed = server.output().split("\n").slice(before - 1).filter((line) => line.trim() !== "");
  assert.ok(printed.length <= 100, `${printed.length} lines:\n${printed.slice(0, 10).join("\n")}`);
  assert.ok(!printed.some((line) => /^\s+at |500|Error/.test(line)), printed.slice(0, 10).join("\n"));
});

Deno.test("a chunked request body is held to the same cap as one that gives its length", async () => {
  await using server = await startServer(["--max-line", "100"]);
  const { client } = await webMember(server.httpUrl, "Ana");
  const port = server.httpPort!;
  const host = `127.0.0.1:${port}`;
  const chunked = (body: string) =>
    `POST /api/messages HTTP/1.1\r\nHost: ${host}\r\nOrigin: http://${host}\r\nCookie: chat_session=${client.token}\r\n` +
    `Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n` +
    `${encoder.encode(body).length.toString(16)}\r\n${body}\r\n0\r\n\r\n`;
  assert.equal((await rawExchange(port, chunked(JSON.stringify({ text: "hello" })))).status, 202);
  const tooLarge = await rawExchange(port, chunked(JSON.stringify({ text: "x".repeat(10_000) })));
  assert.equal(tooLarge.status, 413);
  assert.match(JSON.parse(tooLarge.body).error, /^request body too large/);
});

function request(method: string, port: number, path: string): string {
  return `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAccept: text/html\r\nConnection: close\r\n\r\n`;
}
