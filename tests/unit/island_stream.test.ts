/**
 * The chat island's event stream and its retries, with an injected EventSource class, a scripted API
 * behind `fetch` and timers fired by hand: what the page shows and when it reconnects, in milliseconds.
 */
import assert from "node:assert/strict";
import { EVENTS_PATH, SESSION_PATH } from "../../common/api.ts";
import { SSE_MEMBERS, SSE_RESET, SSE_SHUTDOWN, type WireEvent } from "../../common/wire.ts";
import { type ChatInit, createChat, NAME_KEY, SHUTTING_DOWN } from "../../islands/chat/model.ts";
import { createEventStream, RETRY_MS } from "../../islands/chat/stream.ts";
import { emptyPage, FakeApi, fakeEventSources, FakeTimers, MemoryStorage, message, settle } from "./island_fakes.ts";

const CHECK = `${EVENTS_PATH}?check`;

/** A page signed in as Ana (the session found at start), its first stream opened and up. */
async function onlineChat(page: ChatInit = emptyPage(), api = new FakeApi()) {
  api.answer("GET", SESSION_PATH, 200, { name: "Ana" });
  const storage = new MemoryStorage();
  storage.setItem(NAME_KEY, "Ana");
  const sources = fakeEventSources();
  const timers = new FakeTimers();
  const chat = createChat(page, { fetch: api.fetch, EventSource: sources.EventSource, storage, timers });
  chat.start();
  await settle();
  sources.opened[0].open();
  return { chat, api, storage, sources, timers, latest: () => sources.opened.at(-1)! };
}

const ids = (entries: { id: string }[]) => entries.map((entry) => entry.id);

Deno.test("the first stream starts right after the page's last event, and the page is online once it opens", async () => {
  const api = new FakeApi().answer("GET", SESSION_PATH, 200, { name: "Ana" });
  const sources = fakeEventSources();
  const chat = createChat(emptyPage("7-41"), {
    fetch: api.fetch,
    EventSource: sources.EventSource,
    storage: new MemoryStorage(),
    timers: new FakeTimers(),
  });
  assert.equal(chat.status.value, "connecting");

  chat.start();
  await settle();
  assert.deepEqual(sources.opened.map((source) => source.url), ["/api/events?lastEventId=7-41"]);
  assert.equal(chat.me.value, "Ana");
  sources.opened[0].open();

  assert.equal(chat.status.value, "online");
});

Deno.test("each event is shown once, joins and leaves update who is online, and a new stream resumes after the last", async () => {
  const { chat, api, latest } = await onlineChat({ ...emptyPage(), events: [message(1)] });

  latest().message(message(2));
  latest().message(message(1));
  latest().message({ id: "e-3", at: 3000, kind: "join", from: "Bob", door: "tcp" });
  assert.deepEqual(ids(chat.entries.value), ["e-1", "e-2", "e-3"]);
  assert.deepEqual(chat.members.value, { members: [{ name: "Bob", door: "tcp" }], total: 1 });
  latest().message({ id: "e-4", at: 4000, kind: "leave", from: "Bob" });
  assert.deepEqual(chat.members.value, { members: [], total: 0 });

  api.answer("GET", CHECK, 204);
  latest().fail("closed");
  await settle();

  assert.equal(latest().url, "/api/events?lastEventId=e-4");
});

Deno.test("a members frame replaces who is online", async () => {
  const { chat, latest } = await onlineChat();
  const snapshot = { members: [{ name: "Ana", door: "web" as const }], total: 9000 };

  latest().emit(SSE_MEMBERS, snapshot);

  assert.deepEqual(chat.members.value, snapshot);
});

Deno.test("a reset replaces the transcript, and the next stream starts after its newest event", async () => {
  const { chat, api, latest } = await onlineChat({ ...emptyPage(), events: [message(1), message(2)] });
  const events: WireEvent[] = [message(40), message(41)];

  latest().emit(SSE_RESET, { events });
  assert.deepEqual(ids(chat.entries.value), ["e-40", "e-41"]);
  latest().message(message(2));
  assert.deepEqual(ids(chat.entries.value), ["e-40", "e-41", "e-2"], "ids from before the reset are forgotten");

  latest().emit(SSE_RESET, { events: [] });
  assert.deepEqual(chat.entries.value, []);
  api.answer("GET", CHECK, 204);
  latest().fail("closed");
  await settle();

  assert.equal(latest().url, "/api/events?lastEventId=e-2", "an empty reset keeps the place");
});

Deno.test("shutdown says so, and the stream the browser retries by itself is left to it", async () => {
  const { chat, api, sources, latest } = await onlineChat();

  latest().emit(SSE_SHUTDOWN);
  const notice = chat.entries.value.at(-1);
  assert.deepEqual(notice?.kind === "notice" && notice.lines, [SHUTTING_DOWN]);

  latest().fail("connecting");
  assert.equal(chat.status.value, "reconnecting");
  await settle();
  assert.deepEqual([sources.opened.length, api.to("GET", CHECK).length], [1, 0], "no check, no new stream");

  latest().open();
  assert.equal(chat.status.value, "online");
});

Deno.test("a refused stream shows why, is tried again after a growing delay, and the reason goes once one opens", async () => {
  const api = new FakeApi().answer("GET", CHECK, 429, { error: "too many connections from your address" });
  const { chat, sources, timers, latest } = await onlineChat(emptyPage(), api);
  const delays: number[] = [];

  for (let i = 0; i < 5; i++) {
    latest().fail("closed");
    await settle();
    assert.equal(chat.error.value, "too many connections from your address");
    assert.equal(chat.status.value, "reconnecting");
    delays.push(...timers.delays);
    const streams = sources.opened.length;
    timers.fire();
    await settle();
    assert.equal(sources.opened.length, streams + 1, "the session found again, a new stream");
  }
  assert.deepEqual(delays, [1000, 2000, 4000, 5000, 5000]);

  latest().open();
  assert.deepEqual([chat.status.value, chat.error.value], ["online", undefined]);
});

Deno.test("a refusal without a reason names the status", async () => {
  const { chat, latest } = await onlineChat(emptyPage(), new FakeApi().answer("GET", CHECK, 503));

  latest().fail("closed");
  await settle();

  assert.equal(chat.error.value, "cannot listen to the room (HTTP 503)");
});

Deno.test("a stream the check would let in is tried again at once, but only once in a row", async () => {
  const { api, sources, timers, latest } = await onlineChat(emptyPage(), new FakeApi().answer("GET", CHECK, 204));

  latest().fail("closed");
  await settle();
  assert.deepEqual([sources.opened.length, timers.delays], [2, []], "at once");

  latest().fail("closed");
  await settle();
  assert.equal(sources.opened.length, 2, "not at once again");
  assert.equal(timers.delays.length, 1);
  assert.equal(api.to("GET", CHECK).length, 2);
});

Deno.test("after a restart the session is gone: the page signs in again under the stored name and listens", async () => {
  const api = new FakeApi().answer("GET", CHECK, 401, { error: "not signed in" });
  const { chat, sources, timers, latest } = await onlineChat(emptyPage(), api);
  api.answer("GET", SESSION_PATH, 401, { error: "not signed in" }).answer("POST", SESSION_PATH, 201, { name: "Ana" });
  latest().message(message(5));

  latest().fail("closed");
  await settle();
  assert.equal(chat.error.value, undefined, "a lost session is not shown as a refusal");
  timers.fire();
  await settle();

  assert.deepEqual(api.to("POST", SESSION_PATH).map((call) => call.body), [{ name: "Ana" }]);
  assert.deepEqual([chat.me.value, sources.opened.length, latest().url], ["Ana", 2, "/api/events?lastEventId=e-5"]);
});

Deno.test("after a restart, a name now taken is said, and the page is signed out", async () => {
  const api = new FakeApi().answer("GET", CHECK, 401, { error: "not signed in" });
  const { chat, timers, latest } = await onlineChat(emptyPage(), api);
  api.answer("GET", SESSION_PATH, 401).answer("POST", SESSION_PATH, 409, { error: "that name is taken" });

  latest().fail("closed");
  await settle();
  timers.fire();
  await settle();

  assert.deepEqual([chat.me.value, chat.status.value], [undefined, "signed-out"]);
  assert.equal(chat.error.value, "Could not sign in again as Ana: that name is taken");
});

Deno.test("with no stored name, a lost session leaves the page signed out", async () => {
  const api = new FakeApi().answer("GET", CHECK, 401);
  const { chat, storage, timers, latest } = await onlineChat(emptyPage(), api);
  storage.removeItem(NAME_KEY);
  api.answer("GET", SESSION_PATH, 401);

  latest().fail("closed");
  await settle();
  timers.fire();
  await settle();

  assert.deepEqual([chat.me.value, chat.status.value, timers.delays], [undefined, "signed-out", []]);
});

Deno.test("with the server unreachable at start the page stays connecting and tries later; stop cancels that", async () => {
  const api = new FakeApi().offline("GET", SESSION_PATH);
  const sources = fakeEventSources();
  const timers = new FakeTimers();
  const chat = createChat(emptyPage(), {
    fetch: api.fetch,
    EventSource: sources.EventSource,
    storage: new MemoryStorage(),
    timers,
  });

  chat.start();
  await settle();
  assert.deepEqual([chat.status.value, timers.delays], ["connecting", [1000]]);

  chat.stop();
  assert.deepEqual(timers.delays, []);
});

Deno.test("an error from a stream already replaced changes nothing", async () => {
  const { chat, api, sources, latest } = await onlineChat(emptyPage(), new FakeApi().answer("GET", CHECK, 204));
  const first = latest();
  first.fail("closed");
  await settle();
  latest().open();

  first.fail("closed");
  await settle();

  assert.deepEqual([chat.status.value, sources.opened.length, api.to("GET", CHECK).length], ["online", 2, 1]);
});

Deno.test("the stream alone: asked to retry, it waits longer each time up to the last delay, and not once stopped", () => {
  const sources = fakeEventSources();
  const timers = new FakeTimers();
  let recovered = 0;
  const stream = createEventStream({
    lastEventId: "e-9",
    EventSource: sources.EventSource,
    timers,
    handlers: {
      opened() {},
      event() {},
      reset() {},
      members() {},
      shutdown() {},
      lost() {},
      check: () => Promise.resolve(false),
      recover: () => recovered++,
    },
  });
  const delays: number[] = [];

  for (let i = 0; i < RETRY_MS.length + 1; i++) {
    stream.retryLater();
    delays.push(...timers.delays);
    timers.fire();
  }
  assert.deepEqual(delays, [...RETRY_MS, RETRY_MS.at(-1)]);
  assert.equal(recovered, RETRY_MS.length + 1);

  stream.open();
  assert.equal(sources.opened[0].url, "/api/events?lastEventId=e-9");
  stream.stop();
  stream.retryLater();
  assert.deepEqual([sources.opened[0].closed, timers.delays], [true, []]);
  stream.resume();
  stream.retryLater();
  assert.equal(timers.delays.length, 1);
});
