/** Signing in and out of the web door: `/api/session`, its cookie, and names shared with the TCP door. */
import assert from "node:assert/strict";
import { startServer } from "./helpers/server.ts";
import { connectTcp, join } from "./helpers/tcp_client.ts";
import { SESSION_COOKIE, WebClient, webMember } from "./helpers/http.ts";
import { eventually } from "./helpers/eventually.ts";

Deno.test("signing in answers 201 with the name and sets an HttpOnly, SameSite=Strict session cookie", async () => {
  await using server = await startServer();
  const ana = new WebClient(server.httpUrl);

  const answer = await ana.signIn("  Ana ");

  assert.equal(answer.status, 201);
  assert.deepEqual(answer.body, { name: "Ana" });
  const [cookie, ...others] = answer.headers.getSetCookie();
  assert.equal(others.length, 0);
  const [pair, ...attributes] = cookie.split(";").map((part) => part.trim());
  assert.match(pair, new RegExp(`^${SESSION_COOKIE}=[A-Za-z0-9_-]{40,}$`));
  assert.deepEqual(new Set(attributes), new Set(["Path=/", "HttpOnly", "SameSite=Strict"]));
  assert.deepEqual(await ana.session().then((r) => [r.status, r.body]), [200, { name: "Ana" }]);
});

Deno.test("GET /api/session without a session, or with an unknown one, is 401 with a JSON error", async () => {
  await using server = await startServer();
  const stranger = new WebClient(server.httpUrl);
  const none = await stranger.session();
  assert.equal(none.status, 401);
  assert.deepEqual(none.body, { error: "not signed in" });
  stranger.token = "forged-token";
  assert.equal((await stranger.session()).status, 401);
});

Deno.test("an invalid name is refused with 400 and the room's reason", async () => {
  await using server = await startServer();
  const web = new WebClient(server.httpUrl);
  const cases: [unknown, string][] = [
    [{ name: "a b" }, "a name may contain only letters, digits, _ - and ."],
    [{ name: "   " }, "a name must not be empty"],
    [{ name: "x".repeat(33) }, "a name may be at most 32 characters"],
    [{ name: "SERVER" }, 'the name "SERVER" is reserved'],
  ];
  for (const [json, error] of cases) {
    const answer = await web.request("POST", "/api/session", { json });
    assert.equal(answer.status, 400, JSON.stringify(json));
    assert.deepEqual(answer.body, { error });
  }
  for (const raw of ["{not json", '["Ana"]', '{"name": 7}']) {
    const answer = await web.request("POST", "/api/session", { raw, headers: { "Content-Type": "application/json" } });
    assert.equal(answer.status, 400, raw);
    assert.match((answer.body as { error: string }).error, /name/);
  }
  assert.equal(web.token, undefined);
});

Deno.test("a name a TCP user holds is taken on the web too, whatever its case (409)", async () => {
  await using server = await startServer();
  await using ana = await join(server.tcpPort, "Ana");

  const answer = await new WebClient(server.httpUrl).signIn("ana");

  assert.equal(answer.status, 409);
  assert.deepEqual(answer.body, { error: 'the name "Ana" is taken, choose another' });
  await ana.send("/who");
  await ana.expectLine("1 online:");
});

Deno.test("a web sign-in that looks like a name a TCP user holds is refused (400 mixed scripts, 409 taken)", async () => {
  await using server = await startServer();
  await using _ana = await join(server.tcpPort, "Ana");
  await using _ace = await join(server.tcpPort, "ace");
  const web = new WebClient(server.httpUrl);

  const greek = await web.signIn("\u0391na");
  const cyrillic = await web.signIn("\u0430\u0441\u0435");

  assert.deepEqual([greek.status, greek.body], [400, { error: "a name may not mix scripts (Greek and Latin)" }]);
  assert.deepEqual([cyrillic.status, cyrillic.body], [409, { error: 'the name "ace" is taken, choose another' }]);
  assert.equal(web.token, undefined);
});

Deno.test("a name a web user holds is taken for a TCP user, whatever its case", async () => {
  await using server = await startServer();
  const bob = new WebClient(server.httpUrl);
  assert.equal((await bob.signIn("Bob")).status, 201);

  await using tcp = await connectTcp(server.tcpPort);
  await tcp.expectLine(/^Welcome/);
  await tcp.send("BOB");
  await tcp.expectLine('! the name "Bob" is taken, choose another');
});

Deno.test("signing in again under the same name keeps the session; another name replaces it", async () => {
  await using server = await startServer();
  await using watcher = await join(server.tcpPort, "Watcher");
  const { client: ana, events } = await webMember(server.httpUrl, "Ana");
  await using _ = events;
  const token = ana.token;

  const again = await ana.signIn("ANA");
  assert.deepEqual([again.status, again.body], [200, { name: "Ana" }]);
  assert.equal(ana.token, token);

  const renamed = await ana.signIn("Anna");
  assert.deepEqual([renamed.status, renamed.body], [201, { name: "Anna" }]);
  assert.notEqual(ana.token, token);
  await watcher.expectLine("* Ana left the chat");
  assert.equal((await new WebClient(server.httpUrl).signIn("Ana")).status, 201, "the old name is free again");
});

Deno.test("a rename to a name someone else holds is refused with 409 and keeps the session as it was", async () => {
  await using server = await startServer();
  await using bob = await join(server.tcpPort, "Bob");
  const { client: ana, events } = await webMember(server.httpUrl, "Ana");
  await using _ = events;
  await bob.expectLine("* Ana joined the chat");
  const token = ana.token;

  const refused = await ana.signIn("BOB");

  assert.deepEqual([refused.status, refused.body], [409, { error: 'the name "Bob" is taken, choose another' }]);
  assert.equal(ana.token, token);
  assert.deepEqual(await ana.session().then((r) => [r.status, r.body]), [200, { name: "Ana" }]);
  assert.equal((await ana.say("still here")).status, 202);
  await bob.expectLine("Ana: still here");
  assert.ok(!bob.received.includes("* Ana left the chat"), "Ana never left");
});

Deno.test("DELETE /api/session makes the member leave at once and clears the cookie", async () => {
  await using server = await startServer(["--grace", "600"]);
  await using watcher = await join(server.tcpPort, "Watcher");
  const { client: ana, events } = await webMember(server.httpUrl, "Ana");
  await watcher.expectLine("* Ana joined the chat");
  const token = ana.token;

  const answer = await ana.signOut();

  assert.equal(answer.status, 204);
  assert.match(answer.headers.getSetCookie()[0], new RegExp(`^${SESSION_COOKIE}=; Max-Age=0`));
  assert.equal(ana.token, undefined);
  await watcher.expectLine("* Ana left the chat");
  await events.closed();
  ana.token = token;
  assert.equal((await ana.session()).status, 401, "the old cookie no longer works");
});

Deno.test("a session that never opens a stream is dropped after the registration timeout", async () => {
  await using server = await startServer(["--registration-timeout", "1"]);
  const idle = new WebClient(server.httpUrl);
  assert.equal((await idle.signIn("Idle")).status, 201);

  await eventually(async () => (await idle.session()).status === 401);

  await using tcp = await join(server.tcpPort, "Idle");
  await tcp.send("/who");
  await tcp.expectLine("1 online:");
});
