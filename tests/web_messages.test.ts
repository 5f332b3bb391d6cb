/** Speaking from the web, `POST /api/messages`: the room's rules, mapped to HTTP, and the request guards. */
import assert from "node:assert/strict";
import { parseEvent, WebClient, webMember } from "./helpers/http.ts";
import { startServer } from "./helpers/server.ts";
import type { SseEvent } from "./helpers/sse_client.ts";
import { join } from "./helpers/tcp_client.ts";

const isRoomEvent = (event: SseEvent) => event.event === "message";

Deno.test("a message is accepted with 202 and everyone, the sender included, receives it", async () => {
  await using server = await startServer();
  await using ana = await join(server.tcpPort, "Ana");
  const { client: bob, events } = await webMember(server.httpUrl, "Bob");
  await using _ = events;

  const answer = await bob.say("hello from the web");

  assert.deepEqual([answer.status, answer.body], [202, {}]);
  await ana.expectLine("Bob: hello from the web");
  const event = parseEvent((await events.expect(isRoomEvent)).data);
  assert.deepEqual([event.kind, event.from, event.text], ["message", "Bob", "hello from the web"]);
});

Deno.test("POST /api/messages without a session is 401", async () => {
  await using server = await startServer();
  const answer = await new WebClient(server.httpUrl).say("hi");
  assert.deepEqual([answer.status, answer.body], [401, { error: "not signed in" }]);
});

Deno.test("a state-changing request from a foreign Origin, or with none, is refused with 403", async () => {
  await using server = await startServer();
  await using ana = await join(server.tcpPort, "Ana");
  const { client: bob, events } = await webMember(server.httpUrl, "Bob");
  await using _ = events;

  const foreign = await bob.say("forged", { origin: "http://evil.example" });
  assert.deepEqual([foreign.status, foreign.body], [403, { error: "cross-origin request refused" }]);
  const otherPort = await bob.say("forged", { origin: "http://127.0.0.1:1" });
  assert.equal(otherPort.status, 403);
  const missing = await bob.say("forged", { origin: null });
  assert.deepEqual([missing.status, missing.body], [403, { error: "missing Origin header, request refused" }]);
  assert.equal((await bob.request("DELETE", "/api/session", { origin: "http://evil.example" })).status, 403);
  assert.equal(
    (await new WebClient(server.httpUrl).request("POST", "/api/session", { json: { name: "Eve" }, origin: null }))
      .status,
    403,
  );

  assert.equal((await bob.say("genuine")).status, 202);
  await ana.expectLine("Bob: genuine", 10_000);
  assert.ok(!ana.received.some((line) => line.includes("forged")), "nothing forged reached the room");
  assert.equal((await bob.session()).status, 200, "the forged DELETE did not sign Bob out");
});

Deno.test("behind a TLS proxy the page's https Origin matches the forwarded Host and is accepted", async () => {
  await using server = await startServer();
  await using ana = await join(server.tcpPort, "Ana");
  const proxied = `https://${new URL(server.httpUrl).host}`;
  const bob = new WebClient(server.httpUrl);
  assert.equal((await bob.request("POST", "/api/session", { json: { name: "Bob" }, origin: proxied })).status, 201);
  await using _ = await bob.events();

  assert.equal((await bob.say("through the proxy", { origin: proxied })).status, 202);
  await ana.expectLine("Bob: through the proxy");
  assert.equal((await bob.say("forged", { origin: "https://evil.example" })).status, 403);
  assert.equal((await bob.say("forged", { origin: "null" })).status, 403);
});

Deno.test("a message over --max-line bytes, or a body too large to be one, is refused with 413", async () => {
  await using server = await startServer(["--max-line", "100"]);
  await using ana = await join(server.tcpPort, "Ana");
  const { client: bob, events } = await webMember(server.httpUrl, "Bob");
  await using _ = events;

  const tooLong = await bob.say("é".repeat(51)); // 102 bytes of UTF-8
  assert.deepEqual([tooLong.status, tooLong.body], [413, { error: "message too long (max 100 bytes), not sent" }]);
  const huge = await bob.request("POST", "/api/messages", { json: { text: "x", padding: "p".repeat(100_000) } });
  assert.equal(huge.status, 413);
  assert.match((huge.body as { error: string }).error, /too large/);
  const exactly = await bob.say("é".repeat(50));
  assert.equal(exactly.status, 202);
  await ana.expectLine(`Bob: ${"é".repeat(50)}`);
  assert.ok(!ana.received.some((line) => line.startsWith("Bob: x")));
});

Deno.test("sending faster than the flood limit is refused with 429 and a Retry-After in seconds", async () => {
  await using server = await startServer(["--flood-burst", "3", "--flood-rate", "0.5"]);
  const { client: bob, events } = await webMember(server.httpUrl, "Bob");
  await using _ = events;

  for (let i = 1; i <= 3; i++) assert.equal((await bob.say(`burst ${i}`)).status, 202);
  const refused = await bob.say("one too many");

  assert.equal(refused.status, 429);
  assert.deepEqual(refused.body, { error: "too many messages, slow down" });
  const seconds = Number(refused.headers.get("Retry-After"));
  assert.ok(Number.isInteger(seconds) && seconds >= 1 && seconds <= 2, `Retry-After: ${seconds}`);
});

Deno.test("HTML-looking text comes back as the very same plain string in the JSON event", async () => {
  await using server = await startServer();
  await using ana = await join(server.tcpPort, "Ana");
  const { client: bob, events } = await webMember(server.httpUrl, "Bob");
  await using _ = events;
  const html = `<script>alert(1)</script> & <img src=x onerror="alert('x')">`;

  assert.equal((await bob.say(html)).status, 202);

  assert.equal(parseEvent((await events.expect(isRoomEvent)).data).text, html);
  await ana.expectLine(`Bob: ${html}`);
});

Deno.test("control characters and escape sequences are cleaned from web messages as from TCP ones", async () => {
  await using server = await startServer();
  await using ana = await join(server.tcpPort, "Ana");
  const { client: bob, events } = await webMember(server.httpUrl, "Bob");
  await using _ = events;

  assert.equal((await bob.say("red\x1b[31m alert\x07\tbell\u202eevil\r")).status, 202);

  const text = parseEvent((await events.expect(isRoomEvent)).data).text!;
  assert.equal(text, "red alert bellevil");
  await ana.expectLine(`Bob: ${text}`);
  const onlyControls = await bob.say("\x1b[2J\x07");
  assert.equal(onlyControls.status, 400);
});

Deno.test("/who answers the sender alone with reply lines naming members of both doors", async () => {
  await using server = await startServer();
  await using ana = await join(server.tcpPort, "Ana");
  const { client: bob, events } = await webMember(server.httpUrl, "Bob");
  await using _ = events;

  const answer = await bob.say("/who");

  assert.deepEqual([answer.status, answer.body], [202, { reply: ["2 online:", "  Ana (tcp)", "  Bob (web)"] }]);
  const help = await bob.say("/help");
  assert.equal(help.status, 202);
  assert.ok((help.body as { reply: string[] }).reply.some((line) => line.includes("/who")));
  await ana.send("after");
  const seen = await events.until((event) => isRoomEvent(event) && parseEvent(event.data).text === "after");
  assert.ok(seen.every((event) => !event.data.includes("online")), "the reply was not broadcast");
});

Deno.test("an unknown command or a request without text is a 400 with the reason", async () => {
  await using server = await startServer();
  const { client: bob, events } = await webMember(server.httpUrl, "Bob");
  await using _ = events;

  const unknown = await bob.say("/dance");
  assert.equal(unknown.status, 400);
  assert.match((unknown.body as { error: string }).error, /^unknown command \/dance, try \/help/);
  for (const json of [{}, { text: "" }, { text: 5 }]) {
    assert.equal((await bob.request("POST", "/api/messages", { json })).status, 400, JSON.stringify(json));
  }
  assert.equal((await bob.request("POST", "/api/messages", { raw: "{oops" })).status, 400);
});

Deno.test("/me is an action and //text sends a line starting with a slash", async () => {
  await using server = await startServer();
  await using ana = await join(server.tcpPort, "Ana");
  const { client: bob, events } = await webMember(server.httpUrl, "Bob");
  await using _ = events;

  assert.equal((await bob.say("/me waves")).status, 202);
  assert.equal((await bob.say("//slash")).status, 202);

  await ana.expectLine("~ Bob waves");
  await ana.expectLine("Bob: /slash");
  const action = parseEvent((await events.expect(isRoomEvent)).data);
  assert.deepEqual([action.kind, action.text], ["action", "waves"]);
});

Deno.test("/quit ends the session: the member leaves and the cookie is cleared", async () => {
  await using server = await startServer(["--grace", "600"]);
  await using ana = await join(server.tcpPort, "Ana");
  const { client: bob, events } = await webMember(server.httpUrl, "Bob");
  await using _ = events;
  const token = bob.token;

  const answer = await bob.say("/quit");

  assert.deepEqual([answer.status, answer.body], [202, { quit: true }]);
  assert.equal(bob.token, undefined);
  await ana.expectLine("* Bob left the chat");
  await events.closed();
  bob.token = token;
  assert.equal((await bob.say("still here?")).status, 401);
});
