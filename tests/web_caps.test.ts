/**
 * The connection limits at the web door: every HTTP connection counts from accept to close, per address
 * (`--max-per-address`, 429) and in all together with the TCP door's sockets (`--max-connections`, 503);
 * over them a connection gets a canned JSON answer and is closed before its request is read. Sign-ins that
 * have not opened their first stream hold a place from their address too, so one address cannot squat
 * names (web_name_squatting.test.ts has the rest of that).
 */
import assert from "node:assert/strict";
import { WebClient, webMember } from "./helpers/http.ts";
import { closeAll, idleConnections, rawExchange, readAnswer } from "./helpers/raw_http.ts";
import { startServer } from "./helpers/server.ts";
import { connectTcp, join } from "./helpers/tcp_client.ts";
import { eventually } from "./helpers/eventually.ts";

const PER_ADDRESS = ["--exempt", "none", "--max-per-address", "2"];
const TOO_MANY = { error: "too many connections from your address (max 2)" };
/** A signed-in client holds two places: its name, and the keep-alive connection fetch keeps. */
const PER_ADDRESS_3 = ["--exempt", "none", "--max-per-address", "3"];
const NAMES_3 = { error: "too many names and connections from your address (max 3)" };

Deno.test("a third connection from one address is answered 429 with the reason and closed, until one closes", async () => {
  await using server = await startServer(PER_ADDRESS);
  const port = server.httpPort!;
  const held = await idleConnections(port, 2);
  try {
    // Nothing of the request is read: the answer comes as soon as the connection is accepted.
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    const refused = await readAnswer(conn, { untilClose: true });
    conn.close();
    assert.equal(refused.status, 429);
    assert.deepEqual(JSON.parse(refused.body), TOO_MANY);
    assert.equal(refused.headers.get("Connection"), "close");
    assert.equal(refused.headers.get("Content-Type"), "application/json");
    assert.match(refused.headers.get("Content-Security-Policy") ?? "", /frame-ancestors 'none'/);
    assert.ok(refused.closed, "the server closed the refused connection");
  } finally {
    closeAll(held.splice(0, 1));
  }
  await eventually(async () => (await rawExchange(port, get(port, "/api/session"))).status === 401);
  closeAll(held);
});

Deno.test("?check says whether a stream on one more connection would be let in, without opening one", async () => {
  await using server = await startServer(PER_ADDRESS_3);
  const ana = new WebClient(server.httpUrl);
  assert.equal((await ana.signIn("Ana")).status, 201);
  for (let i = 0; i < 3; i++) {
    const check = await ana.request("GET", "/api/events?check");
    assert.deepEqual([check.status, check.body], [204, null]);
  }
  const held = await idleConnections(server.httpPort!, 1);
  try {
    const check = await ana.request("GET", "/api/events?check");
    assert.deepEqual([check.status, check.body], [429, { error: "too many connections from your address (max 3)" }]);
  } finally {
    closeAll(held);
  }
  await eventually(async () => (await ana.request("GET", "/api/events?check")).status === 204);
});

Deno.test("sign-ins waiting for their first stream count per address with its connections, so one address cannot squat names", async () => {
  await using server = await startServer(PER_ADDRESS_3);
  const [ana, bob, cat] = ["Ana", "Bob", "Cat"].map(() => new WebClient(server.httpUrl));
  assert.equal((await ana.signIn("Ana")).status, 201);
  assert.equal((await bob.signIn("Bob")).status, 201);

  const refused = await cat.signIn("Cat");
  assert.equal(refused.status, 429);
  assert.deepEqual(refused.body, NAMES_3);
  assert.equal(cat.token, undefined, "no session cookie");

  assert.equal((await bob.signOut()).status, 204);
  await eventually(async () => (await cat.signIn("Cat")).status === 201);
});

Deno.test("a sign-in dropped by the registration timeout frees its place", async () => {
  await using server = await startServer([...PER_ADDRESS_3, "--registration-timeout", "1"]);
  const [ana, bob, cat] = ["Ana", "Bob", "Cat"].map(() => new WebClient(server.httpUrl));
  assert.equal((await ana.signIn("Ana")).status, 201);
  assert.equal((await bob.signIn("Bob")).status, 201);
  assert.equal((await cat.signIn("Cat")).status, 429);

  await eventually(async () => (await cat.signIn("Cat")).status === 201);
});

Deno.test("loopback is exempt from the per-address limit unless --exempt none", async () => {
  await using server = await startServer(["--max-per-address", "2"]);
  const clients = ["Ana", "Bob", "Cat", "Dan"].map(() => new WebClient(server.httpUrl));
  for (const [i, client] of clients.entries()) {
    assert.equal((await client.signIn(`User${i}`)).status, 201);
  }
  await using _a = await clients[0].events();
  await using _b = await clients[0].events();
  await using _c = await clients[0].events();
});

Deno.test("--max-connections counts TCP sockets and HTTP connections together: past it both doors refuse", async () => {
  await using server = await startServer(["--max-connections", "3", "--grace", "600"]);
  const port = server.httpPort!;
  await using _ana = await join(server.tcpPort, "Ana");
  const { events } = await webMember(server.httpUrl, "Bob");
  await using _bob = events;
  const held = await idleConnections(port, 1);
  // Let fetch's own idle keep-alive connection go: only the three above remain.
  await eventually(async () => {
    const answer = await rawExchange(port, get(port, "/api/session"), { untilClose: true });
    return answer.status === 503;
  }, 15_000);

  const full = await rawExchange(port, get(port, "/"), { untilClose: true });
  assert.equal(full.status, 503);
  assert.deepEqual(JSON.parse(full.body), { error: "server full (max 3 connections), try again later" });
  await using tcp = await connectTcp(server.tcpPort);
  await tcp.expectLine("! server full (max 3 connections), try again later");

  closeAll(held);
  await eventually(async () => (await rawExchange(port, get(port, "/api/session"))).status === 401);
});

function get(port: number, path: string): string {
  return `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`;
}
