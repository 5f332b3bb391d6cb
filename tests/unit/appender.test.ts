/**
 * The appender, in-process with an injected turn: a turn's lines go to the store as one call, in order;
 * busier turns make several batches; a refused batch refuses each of its lines and nothing else; input
 * pauses while too many lines are unsettled.
 */
import assert from "node:assert/strict";
import { Appender, MAX_BATCH } from "../../server/room/appender.ts";
import { Delivered } from "../../server/room/delivered.ts";
import type { NewEvent, RoomEvent } from "../../server/room/events.ts";
import { MemoryStore } from "../../server/store/memory.ts";
import { StoreUnavailable } from "../../server/store/store.ts";

/** A memory store that records its calls and can be told to refuse the next ones. */
class RecordingStore extends MemoryStore {
  calls: string[][] = [];
  refusing = false;
  override appendAll(events: readonly NewEvent[]): Promise<RoomEvent[]> {
    this.calls.push(events.map((event) => event.text ?? ""));
    if (this.refusing) return Promise.reject(new StoreUnavailable("down"));
    return super.appendAll(events);
  }
}

function setup(high?: number) {
  const store = new RecordingStore();
  const delivered = new Delivered();
  store.subscribe((events) => delivered.saw(events[events.length - 1].id));
  let turn: (() => void)[] = [];
  const appender = new Appender(store, delivered, { nextTurn: (flush) => turn.push(flush), high });
  const endTurn = () => {
    const due = turn;
    turn = [];
    for (const flush of due) flush();
  };
  return { store, appender, endTurn };
}

const line = (text: string): NewEvent => ({ at: 0, kind: "message", from: "Ana", text });

Deno.test("the lines of one turn go to the store as one call, in order, and share one promise", async () => {
  const { store, appender, endTurn } = setup();
  const promises = ["a", "b", "c"].map((text) => appender.add(line(text)));
  assert.equal(new Set(promises).size, 1, "one batch, one promise");
  assert.deepEqual(store.calls, [], "nothing is stored before the turn ends");
  endTurn();
  await promises[0];
  assert.deepEqual(store.calls, [["a", "b", "c"]]);
  const next = appender.add(line("d"));
  assert.notEqual(next, promises[0], "the next turn is another batch");
  endTurn();
  await next;
  assert.deepEqual(store.calls, [["a", "b", "c"], ["d"]]);
});

Deno.test("a turn with more lines than one batch holds makes several batches, stored in order", async () => {
  const { store, appender, endTurn } = setup();
  const texts = Array.from({ length: MAX_BATCH * 2 + 1 }, (_, i) => `line ${i}`);
  const promises = texts.map((text) => appender.add(line(text)));
  assert.equal(new Set(promises).size, 3);
  endTurn();
  await Promise.all(promises);
  assert.deepEqual(store.calls.map((call) => call.length), [MAX_BATCH, MAX_BATCH, 1]);
  assert.deepEqual(store.calls.flat(), texts);
  assert.deepEqual((await store.recent(texts.length)).map((event) => event.text), texts);
});

Deno.test("a batch the store refuses rejects for each of its lines, and the next turn is judged afresh", async () => {
  const { store, appender, endTurn } = setup();
  store.refusing = true;
  const refused = appender.add(line("lost?"));
  endTurn();
  await assert.rejects(refused, StoreUnavailable);
  store.refusing = false;
  const taken = appender.add(line("taken"));
  endTurn();
  await taken;
  assert.deepEqual((await store.recent(10)).map((event) => event.text), ["taken"], "nothing refused was stored");
  assert.equal(appender.unsettled.bytes, 0, "nothing left unsettled");
});

Deno.test("input pauses while more lines than the mark are unsettled, and resumes at half", async () => {
  const { appender, endTurn } = setup(4);
  for (let i = 0; i < 4; i++) void appender.add(line(`${i}`));
  assert.equal(appender.unsettled.paused, false, "at the mark, not above it");
  const fifth = appender.add(line("4"));
  assert.equal(appender.unsettled.paused, true);
  let resumed = false;
  const ready = appender.unsettled.ready().then(() => resumed = true);
  assert.equal(resumed, false);
  endTurn();
  await fifth;
  await ready;
  assert.equal(appender.unsettled.paused, false);
});

Deno.test("while a flush is on its way to the store, the next turns' lines wait for it and go out as one call", async () => {
  const { store, appender, endTurn } = setup();
  let answer!: () => void;
  const answered = new Promise<void>((resolve) => answer = resolve);
  const appendAll = store.appendAll.bind(store);
  store.appendAll = (events) => {
    const first = store.calls.length === 0;
    const stored = appendAll(events);
    return first ? answered.then(() => stored) : stored;
  };
  const first = appender.add(line("a"));
  endTurn();
  assert.deepEqual(store.calls, [["a"]]);
  const later = ["b", "c", "d"].map((text) => {
    const promise = appender.add(line(text));
    endTurn();
    return promise;
  });
  assert.deepEqual(store.calls, [["a"]], "nothing more goes out while the first flush is unanswered");
  assert.equal(new Set(later).size, 1, "the waiting lines are one batch");
  answer();
  await first;
  await later[0];
  assert.deepEqual(store.calls, [["a"], ["b", "c", "d"]]);
  assert.deepEqual((await store.recent(4)).map((event) => event.text), ["a", "b", "c", "d"]);
});

Deno.test("a refused flush still lets the lines that waited for it go out", async () => {
  const { store, appender, endTurn } = setup();
  let refuse!: () => void;
  const refused = new Promise<void>((resolve) => refuse = resolve);
  const appendAll = store.appendAll.bind(store);
  store.appendAll = async (events) => {
    if (store.calls.length > 0) return await appendAll(events);
    store.calls.push(events.map((event) => event.text ?? ""));
    await refused;
    throw new StoreUnavailable("down");
  };
  const lost = appender.add(line("refused"));
  endTurn();
  const waiting = appender.add(line("taken"));
  endTurn();
  refuse();
  await assert.rejects(lost, StoreUnavailable);
  await waiting;
  assert.deepEqual((await store.recent(10)).map((event) => event.text), ["taken"]);
  assert.equal(appender.unsettled.bytes, 0);
});
