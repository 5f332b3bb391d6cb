/**
 * The chat island's API client, and signing in and sending over it, against a scripted API behind an
 * injected `fetch`: no server, no browser.
 */
import assert from "node:assert/strict";
import { MESSAGES_PATH, SESSION_PATH } from "../../common/api.ts";
import { createApiClient } from "../../islands/chat/api.ts";
import { createChat, NAME_KEY, OFFLINE } from "../../islands/chat/model.ts";
import { emptyPage, FakeApi, fakeEventSources, FakeTimers, MemoryStorage } from "./island_fakes.ts";

function chatWith(api: FakeApi, stored?: string) {
  const storage = new MemoryStorage();
  if (stored !== undefined) storage.setItem(NAME_KEY, stored);
  const sources = fakeEventSources();
  const timers = new FakeTimers();
  const chat = createChat(emptyPage(), { fetch: api.fetch, EventSource: sources.EventSource, storage, timers });
  return { chat, storage, sources, timers };
}

const keyOf = (api: FakeApi, n: number) => (api.to("POST", MESSAGES_PATH)[n].body as { key: string }).key;

Deno.test("the client sends JSON with the page's cookies and reads the answer in its call's shape", async () => {
  const api = new FakeApi().answer("POST", SESSION_PATH, 201, { name: "Ana" });

  const answer = await createApiClient(api.fetch).signIn("Ana");

  assert.deepEqual(answer.ok && answer.body, { name: "Ana" });
  const [call] = api.calls;
  assert.deepEqual([call.method, call.path, call.body], ["POST", SESSION_PATH, { name: "Ana" }]);
  assert.deepEqual(call.init.headers, { "Content-Type": "application/json" });
  assert.equal(call.init.credentials, "same-origin");
});

Deno.test("a refusal resolves with the server's reason, and with none when the answer is not JSON", async () => {
  const api = new FakeApi()
    .answer("POST", SESSION_PATH, 409, { error: "that name is taken" })
    .answer("GET", SESSION_PATH, 502, "<html>Bad gateway</html>", { "Content-Type": "text/html" });
  const client = createApiClient(api.fetch);

  const taken = await client.signIn("Ana");
  const gateway = await client.session();

  assert.deepEqual([taken.ok, taken.status, !taken.ok && taken.error], [false, 409, "that name is taken"]);
  assert.deepEqual([gateway.ok, gateway.status, !gateway.ok && gateway.error], [false, 502, undefined]);
});

Deno.test("only a server that cannot be reached makes a call reject", async () => {
  const api = new FakeApi().offline("POST", MESSAGES_PATH).answer("POST", SESSION_PATH, 503, { error: "closing" });
  const client = createApiClient(api.fetch);

  await assert.rejects(client.send({ text: "hi", key: "k" }), TypeError);
  assert.equal((await client.signIn("Ana")).status, 503);
});

Deno.test("a sign-in the server takes: signed in, the name kept for next time, a stream from the page's last event", async () => {
  const api = new FakeApi().answer("POST", SESSION_PATH, 201, { name: "Ana" });
  const { chat, storage, sources } = chatWith(api);
  chat.error.value = "an old error";

  assert.equal(await chat.signIn("  Ana "), true);

  assert.deepEqual(api.to("POST", SESSION_PATH)[0].body, { name: "Ana" });
  assert.deepEqual([chat.me.value, chat.error.value, chat.busy.value], ["Ana", undefined, false]);
  assert.equal(storage.getItem(NAME_KEY), "Ana");
  assert.deepEqual(sources.opened.map((source) => source.url), ["/api/events?lastEventId=e-0"]);
});

Deno.test("a refused sign-in shows the server's reason and stays signed out", async () => {
  const api = new FakeApi().answer("POST", SESSION_PATH, 409, { error: "that name is taken" });
  const { chat, storage, sources } = chatWith(api);

  assert.equal(await chat.signIn("Ana"), false);

  assert.deepEqual([chat.me.value, chat.status.value, chat.error.value], [
    undefined,
    "signed-out",
    "that name is taken",
  ]);
  assert.equal(storage.getItem(NAME_KEY), null);
  assert.equal(sources.opened.length, 0);
});

Deno.test("a sign-in refused without a reason names the status; one that cannot reach the server says so", async () => {
  const api = new FakeApi().answer("POST", SESSION_PATH, 500);
  const { chat } = chatWith(api);

  await chat.signIn("Ana");
  assert.equal(chat.error.value, "sign-in failed (HTTP 500)");

  api.offline("POST", SESSION_PATH);
  assert.equal(await chat.signIn("Ana"), false);
  assert.equal(chat.error.value, "Server offline — try again in a moment");
});

Deno.test("every message goes with a key, and a text whose answer never came goes again under the same key", async () => {
  const api = new FakeApi().answer("POST", SESSION_PATH, 201, { name: "Ana" }).offline("POST", MESSAGES_PATH);
  const { chat } = chatWith(api);
  await chat.signIn("Ana");

  assert.equal(await chat.send("hello"), false);
  assert.equal(chat.error.value, OFFLINE);
  api.answer("POST", MESSAGES_PATH, 202, {});
  assert.equal(await chat.send("hello"), true);
  assert.equal(chat.error.value, undefined);
  await chat.send("hello");

  const sent = api.to("POST", MESSAGES_PATH);
  assert.deepEqual(sent.map((call) => (call.body as { text: string }).text), ["hello", "hello", "hello"]);
  assert.match(keyOf(api, 0), /^[0-9a-f]{32}$/);
  assert.equal(keyOf(api, 1), keyOf(api, 0), "the resend of the unanswered text reuses its key");
  assert.notEqual(keyOf(api, 2), keyOf(api, 1), "once answered, the same text is a new message");
});

Deno.test("another text after a lost answer gets a key of its own", async () => {
  const api = new FakeApi().answer("POST", SESSION_PATH, 201, { name: "Ana" }).offline("POST", MESSAGES_PATH);
  const { chat } = chatWith(api);
  await chat.signIn("Ana");

  await chat.send("hello");
  await chat.send("hello again");

  assert.notEqual(keyOf(api, 1), keyOf(api, 0));
});

Deno.test("a send refused with 429 keeps the text, says when to try again, and its retry is judged afresh", async () => {
  const api = new FakeApi()
    .answer("POST", SESSION_PATH, 201, { name: "Ana" })
    .answer("POST", MESSAGES_PATH, 429, { error: "slow down" }, { "Retry-After": "3" });
  const { chat } = chatWith(api);
  await chat.signIn("Ana");

  assert.equal(await chat.send("hello"), false);
  assert.equal(chat.error.value, "slow down (try again in 3 s)");
  await chat.send("hello");

  assert.notEqual(keyOf(api, 1), keyOf(api, 0), "a refused send left nothing to repeat");
  assert.equal(chat.busy.value, false);
});

Deno.test("a refusal with neither reason nor Retry-After names the status", async () => {
  const api = new FakeApi().answer("POST", SESSION_PATH, 201, { name: "Ana" }).answer("POST", MESSAGES_PATH, 503);
  const { chat } = chatWith(api);
  await chat.signIn("Ana");

  await chat.send("hello");

  assert.equal(chat.error.value, "not sent (HTTP 503)");
});

Deno.test("a blank line, or one while another is on its way, is not sent", async () => {
  const api = new FakeApi().answer("POST", SESSION_PATH, 201, { name: "Ana" }).answer("POST", MESSAGES_PATH, 202, {});
  const { chat } = chatWith(api);
  await chat.signIn("Ana");

  const first = chat.send("one");
  assert.equal(await chat.send("two"), false);
  assert.equal(await chat.send("   "), false);
  assert.equal(await first, true);

  assert.equal(api.to("POST", MESSAGES_PATH).length, 1);
});

Deno.test("a command's reply is a notice on this page; /quit ends the session and forgets the name", async () => {
  const api = new FakeApi()
    .answer("POST", SESSION_PATH, 201, { name: "Ana" })
    .answer("POST", MESSAGES_PATH, 202, { reply: ["Online (1):", "Ana"] });
  const { chat, storage, sources } = chatWith(api);
  await chat.signIn("Ana");

  assert.equal(await chat.send("/who"), true);
  const notice = chat.entries.value.at(-1);
  assert.deepEqual(notice?.kind === "notice" && notice.lines, ["Online (1):", "Ana"]);

  api.answer("POST", MESSAGES_PATH, 202, { quit: true });
  assert.equal(await chat.send("/quit"), true);
  assert.deepEqual([chat.me.value, chat.status.value], [undefined, "signed-out"]);
  assert.equal(storage.getItem(NAME_KEY), null);
  assert.equal(sources.opened[0].closed, true);
});

Deno.test("a send after the server forgot the session signs in again under the stored name and goes once more", async () => {
  const api = new FakeApi()
    .answer("POST", SESSION_PATH, 201, { name: "Ana" })
    .answerOnce("POST", MESSAGES_PATH, 401, { error: "not signed in" })
    .answer("POST", MESSAGES_PATH, 202, {})
    .answer("GET", SESSION_PATH, 401, { error: "not signed in" });
  const { chat, sources } = chatWith(api);
  await chat.signIn("Ana");

  assert.equal(await chat.send("hello"), true);

  assert.deepEqual(api.to("POST", SESSION_PATH).map((call) => call.body), [{ name: "Ana" }, { name: "Ana" }]);
  assert.equal(api.to("POST", MESSAGES_PATH).length, 2);
  assert.equal(sources.opened.length, 2, "and listening again");
  assert.equal(chat.error.value, undefined);
});

Deno.test("a send whose session is gone for good asks to sign in again, and sends once", async () => {
  const api = new FakeApi()
    .answer("POST", SESSION_PATH, 201, { name: "Ana" })
    .answer("POST", MESSAGES_PATH, 401, { error: "not signed in" })
    .answer("GET", SESSION_PATH, 401, { error: "not signed in" });
  const { chat, storage } = chatWith(api);
  await chat.signIn("Ana");
  storage.removeItem(NAME_KEY);

  assert.equal(await chat.send("hello"), false);

  assert.equal(chat.error.value, "You were signed out — sign in again to send");
  assert.deepEqual([chat.me.value, chat.status.value], [undefined, "signed-out"]);
  assert.equal(api.to("POST", MESSAGES_PATH).length, 1);
});

Deno.test("signing out forgets the name and closes the stream, even when the server cannot be reached", async () => {
  const api = new FakeApi().answer("POST", SESSION_PATH, 201, { name: "Ana" }).offline("DELETE", SESSION_PATH);
  const { chat, storage, sources } = chatWith(api);
  await chat.signIn("Ana");

  await chat.signOut();

  assert.equal(api.to("DELETE", SESSION_PATH).length, 1);
  assert.deepEqual([chat.me.value, chat.status.value], [undefined, "signed-out"]);
  assert.equal(storage.getItem(NAME_KEY), null);
  assert.equal(sources.opened[0].closed, true);
});
