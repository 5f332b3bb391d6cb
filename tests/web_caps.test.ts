/**
 * The web door's connection limits: open streams and sign-ins still waiting for their first stream count
 * per address (`--max-per-address`, 429) and in all (`--max-connections`, 503), apart from the TCP door's.
 */
import assert from "node:assert/strict";
import { type ApiResponse, WebClient, webMember } from "./helpers/http.ts";
import { startServer } from "./helpers/server.ts";
import { join } from "./helpers/tcp_client.ts";

const PER_ADDRESS = ["--exempt", "none", "--max-per-address", "2"];
const TOO_MANY = { error: "too many connections from your address (max 2)" };
const FULL = { error: "server full (max 2 connections), try again later" };

Deno.test("a third stream from one address is refused with 429 and the reason, until one closes", async () => {
  await using server = await startServer([...PER_ADDRESS, "--grace", "600"]);
  const ana = new WebClient(server.httpUrl);
  assert.equal((await ana.signIn("Ana")).status, 201);
  await using first = await ana.events();
  await using _second = await ana.events();

  const refused = await openStream(ana);
  assert.equal(refused.status, 429);
  assert.deepEqual(refused.body, TOO_MANY);
  assert.equal(refused.headers.get("Content-Type"), "application/json");
  const check = await ana.request("GET", "/api/events?check");
  assert.deepEqual([check.status, check.body], [429, TOO_MANY], "?check gives the same answer");

  await first.close();
  await eventually(async () => (await ana.request("GET", "/api/events?check")).status === 204);
  await using _third = await ana.events();
});

Deno.test("?check says a stream would be let in (204) without taking a place", async () => {
  await using server = await startServer(PER_ADDRESS);
  const ana = new WebClient(server.httpUrl);
  assert.equal((await ana.signIn("Ana")).status, 201);
  await using _first = await ana.events();
  for (let i = 0; i < 3; i++) {
    const check = await ana.request("GET", "/api/events?check");
    assert.deepEqual([check.status, check.body], [204, null]);
  }
  await using _second = await ana.events();
  assert.equal((await openStream(ana)).status, 429);
});

Deno.test("sign-ins that have not opened a stream count per address, so one address cannot squat names", async () => {
  await using server = await startServer(PER_ADDRESS);
  const [ana, bob, cat] = ["Ana", "Bob", "Cat"].map(() => new WebClient(server.httpUrl));
  assert.equal((await ana.signIn("Ana")).status, 201);
  assert.equal((await bob.signIn("Bob")).status, 201);

  const refused = await cat.signIn("Cat");
  assert.equal(refused.status, 429);
  assert.deepEqual(refused.body, TOO_MANY);
  assert.equal(cat.token, undefined, "no session cookie");

  // A first stream takes over its sign-in's place instead of needing another.
  await using _ana = await ana.events();
  assert.equal((await cat.signIn("Cat")).status, 429);

  assert.equal((await bob.signOut()).status, 204);
  assert.equal((await cat.signIn("Cat")).status, 201);
});

Deno.test("a sign-in dropped by the registration timeout frees its place", async () => {
  await using server = await startServer([...PER_ADDRESS, "--registration-timeout", "1"]);
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

Deno.test("past --max-connections, sign-ins and streams are refused with 503 until a session ends", async () => {
  await using server = await startServer(["--max-connections", "2", "--grace", "600"]);
  const { client: ana, events: anaEvents } = await webMember(server.httpUrl, "Ana");
  await using _ana = anaEvents;
  const bob = new WebClient(server.httpUrl);
  assert.equal((await bob.signIn("Bob")).status, 201);

  const cat = new WebClient(server.httpUrl);
  const refused = await cat.signIn("Cat");
  assert.equal(refused.status, 503);
  assert.deepEqual(refused.body, FULL);
  const secondTab = await openStream(ana);
  assert.equal(secondTab.status, 503);
  assert.deepEqual(secondTab.body, FULL);
  // Bob's first stream takes his sign-in's place, so it is let in even though the server is full.
  await using _bob = await bob.events();

  // The TCP door counts its own connections.
  await using _dan = await join(server.tcpPort, "Dan");

  assert.equal((await ana.signOut()).status, 204);
  assert.equal((await cat.signIn("Cat")).status, 201);
});

/** Opens a stream with plain fetch: its status and JSON error, or 200 (the stream itself is dropped). */
async function openStream(client: WebClient): Promise<ApiResponse> {
  const abort = new AbortController();
  const response = await fetch(new URL("/api/events", client.baseUrl), {
    headers: { ...client.cookieHeader, Accept: "text/event-stream" },
    signal: abort.signal,
  });
  const body = response.ok ? null : await response.json();
  abort.abort();
  await response.body?.cancel().catch(() => {});
  return { status: response.status, headers: response.headers, body };
}

/** Polls `check` until it holds (a closed connection is noticed by the server a moment later). */
async function eventually(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!await check()) {
    if (Date.now() > deadline) throw new Error(`condition still false after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
