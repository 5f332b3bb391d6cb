/**
 * The chat island reading further back: `/api/history` pages put before what is shown, until the start;
 * one load at a time; an answer that comes after a reset is dropped. With a scripted API, in-process.
 */
import assert from "node:assert/strict";
import { HISTORY_PATH, SESSION_PATH } from "../../common/api.ts";
import { SSE_RESET, type WireEvent } from "../../common/wire.ts";
import { type ChatInit, createChat, NAME_KEY } from "../../islands/chat/model.ts";
import { dayKey, dayLabel } from "../../islands/chat/format.ts";
import { emptyPage, FakeApi, fakeEventSources, FakeTimers, MemoryStorage, message, settle } from "./island_fakes.ts";

const PAGE = 3;
const historyPath = (before: string) => `${HISTORY_PATH}?before=${encodeURIComponent(before)}&limit=${PAGE}`;
const ids = (entries: { id: string }[]) => entries.map((entry) => entry.id);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => message(from + i));

async function signedIn(page: ChatInit, api = new FakeApi()) {
  api.answer("GET", SESSION_PATH, 200, { name: "Bea" });
  const storage = new MemoryStorage();
  storage.setItem(NAME_KEY, "Bea");
  const sources = fakeEventSources();
  const chat = createChat(page, {
    fetch: api.fetch,
    EventSource: sources.EventSource,
    storage,
    timers: new FakeTimers(),
    Notification: null,
    historyPageSize: PAGE,
  });
  chat.start();
  await settle();
  sources.opened[0].open();
  return { chat, api, sources };
}

Deno.test("older pages go before the oldest shown, outside the live part, until the start", async () => {
  const api = new FakeApi()
    .answer("GET", historyPath("e-7"), 200, { events: range(4, 6), more: true })
    .answer("GET", historyPath("e-4"), 200, { events: range(1, 3), more: false });
  const { chat } = await signedIn({ ...emptyPage("e-9"), events: range(7, 9) }, api);
  assert.equal(await chat.older.load(), 3);
  assert.deepEqual(ids(chat.entries.value), ["e-4", "e-5", "e-6", "e-7", "e-8", "e-9"]);
  assert.equal(chat.olderCount.value, 3);
  assert.equal(chat.older.atStart.value, false);
  assert.equal(await chat.older.load(), 3);
  assert.equal(chat.olderCount.value, 6);
  assert.equal(chat.older.atStart.value, true);
  assert.equal(await chat.older.load(), 0, "nothing is asked once at the start");
  assert.equal(api.calls.filter((call) => call.path.startsWith(HISTORY_PATH)).length, 2);
});

Deno.test("one load at a time: a second ask while one is on its way asks nothing", async () => {
  const api = new FakeApi().answer("GET", historyPath("e-7"), 200, { events: range(4, 6), more: true });
  const { chat } = await signedIn({ ...emptyPage("e-7"), events: [message(7)] }, api);
  const [first, second] = await Promise.all([chat.older.load(), chat.older.load()]);
  assert.deepEqual([first, second], [3, 0]);
  assert.equal(api.to("GET", historyPath("e-7")).length, 1);
});

Deno.test("a page that comes after the stream reset the transcript is dropped", async () => {
  let answer!: (response: Response) => void;
  const api = new FakeApi().answer("GET", SESSION_PATH, 200, { name: "Bea" });
  const sources = fakeEventSources();
  const chat = createChat({ ...emptyPage("e-7"), events: [message(7)] }, {
    fetch: (path, init) =>
      path.startsWith(HISTORY_PATH) ? new Promise((resolve) => answer = resolve) : api.fetch(path, init),
    EventSource: sources.EventSource,
    storage: new MemoryStorage(),
    timers: new FakeTimers(),
    Notification: null,
    historyPageSize: PAGE,
  });
  chat.start();
  await settle();
  const loading = chat.older.load();
  assert.equal(chat.older.loading.value, true);
  sources.opened[0].emit(SSE_RESET, { events: [{ ...message(1), id: "f-1" }] });
  answer(Response.json({ events: range(4, 6), more: false }));
  assert.equal(await loading, 0);
  assert.deepEqual(ids(chat.entries.value), ["f-1"]);
  assert.equal(chat.older.atStart.value, false, "the new transcript's history is still to be found");
  assert.equal(chat.older.loading.value, false);
  assert.equal(chat.olderCount.value, 0);
  chat.stop();
});

Deno.test("a refused or failed load says why and can be tried again", async () => {
  const api = new FakeApi()
    .answerOnce("GET", historyPath("e-7"), 400, { error: "unknown event id" })
    .offline("GET", historyPath("e-7"));
  const { chat } = await signedIn({ ...emptyPage("e-7"), events: [message(7)] }, api);
  assert.equal(await chat.older.load(), 0);
  assert.equal(chat.older.failed.value, "unknown event id");
  assert.equal(await chat.older.load(), 0);
  assert.match(chat.older.failed.value ?? "", /offline/);
  api.answer("GET", historyPath("e-7"), 200, { events: range(5, 6), more: false });
  assert.equal(await chat.older.load(), 2);
  assert.equal(chat.older.failed.value, undefined);
});

Deno.test("events loaded back that the page already shows are shown once; new ones push out loaded ones last", async () => {
  const api = new FakeApi().answer("GET", historyPath("e-5"), 200, { events: range(3, 6), more: true });
  const { chat, sources } = await signedIn({ ...emptyPage("e-6"), events: range(5, 6) }, api);
  assert.equal(await chat.older.load(), 2);
  assert.deepEqual(ids(chat.entries.value), ["e-3", "e-4", "e-5", "e-6"]);
  sources.opened[0].message(message(7));
  assert.deepEqual(ids(chat.entries.value), ["e-3", "e-4", "e-5", "e-6", "e-7"]);
  assert.equal(chat.olderCount.value, 2);
});

Deno.test("a page with nothing shown pages back from where its stream is", async () => {
  const api = new FakeApi().answer("GET", historyPath("e-9"), 200, { events: [] satisfies WireEvent[], more: false });
  const { chat } = await signedIn(emptyPage("e-9"), api);
  assert.equal(await chat.older.load(), 0);
  assert.equal(chat.older.atStart.value, true);
});

Deno.test("days: a key per calendar day, and a label that the server and the first render agree on", () => {
  const evening = Date.UTC(2026, 11, 6, 23, 30);
  assert.equal(dayKey(evening, false), "2026-12-06");
  assert.notEqual(dayKey(evening, false), dayKey(evening + 60 * 60_000, false));
  assert.equal(dayLabel(evening, false), "Sunday, 6 December 2026");
  const now = new Date(2026, 11, 6, 12).getTime();
  assert.equal(dayLabel(new Date(2026, 11, 6, 0, 5).getTime(), true, now), "Today");
  assert.equal(dayLabel(new Date(2026, 11, 5, 23, 55).getTime(), true, now), "Yesterday");
  assert.equal(dayLabel(new Date(2026, 10, 30, 9).getTime(), true, now), "Monday, 30 November 2026");
});

Deno.test("a page the server had to stop short in goes on from its `next`, unless live events pushed that place out", async () => {
  const api = new FakeApi()
    .answer("GET", historyPath("e-50"), 200, { events: [], more: true, next: "e-20" })
    .answer("GET", historyPath("e-20"), 200, { events: range(17, 19), more: true, next: "e-17" })
    .answer("GET", historyPath("e-51"), 200, { events: range(48, 50), more: true, next: "e-48" });
  const { chat, sources } = await signedIn({ ...emptyPage("e-52"), events: range(50, 52) }, api);
  assert.equal(await chat.older.load(), 0, "others' private messages only: nothing to show yet");
  assert.equal(await chat.older.load(), 3, "the next page starts where the server stopped");
  assert.deepEqual(ids(chat.entries.value).slice(0, 3), ["e-17", "e-18", "e-19"]);
  // Live events push the oldest entries out of the window: the place `next` named is no longer shown.
  for (let n = 53; n <= 600; n++) sources.opened[0].message(message(n));
  await settle();
  const oldest = chat.entries.value.find((entry) => entry.kind !== "notice")!.id;
  assert.notEqual(oldest, "e-17");
  api.answer("GET", historyPath(oldest), 200, { events: [], more: true, next: oldest });
  await chat.older.load();
  assert.equal(api.to("GET", historyPath(oldest)).length, 1, "paged from the oldest shown, leaving no hole");
});
