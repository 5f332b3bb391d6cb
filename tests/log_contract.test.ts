/**
 * The RoomLog contract, run against every backend: what the Room and the doors rely on, whatever keeps
 * the events. A new backend joins by adding one entry to BACKENDS.
 */
import assert from "node:assert/strict";
import type { NewEvent, RoomEvent } from "../server/room/events.ts";
import type { RoomLog } from "../server/log/log.ts";
import { MemoryLog } from "../server/log/memory.ts";
import { SqliteLog } from "../server/log/sqlite.ts";

interface Opened {
  /** The log under test; a test that reopens the store puts the new log here. */
  log: RoomLog;
  keep: number;
  /** Where a persistent backend keeps its store. */
  dir?: string;
}

interface Backend {
  name: string;
  /** A new, empty log that keeps the newest `keep` events for replay. */
  open(keep: number): Promise<Opened>;
  /** Persistent backends: the same store opened again (after the previous log was closed). */
  reopen?(opened: Opened): Promise<RoomLog>;
  /** Backends that write behind: resolves once everything appended has reached the store. */
  settle?(log: RoomLog): Promise<void>;
}

function sqliteFile(name: string, ringSize?: number): Backend {
  const openAt = (opened: Opened) => SqliteLog.open(`${opened.dir}/chat.db`, { retain: opened.keep, ringSize });
  return {
    name,
    async open(keep) {
      const opened: Opened = { log: undefined!, keep, dir: await Deno.makeTempDir({ prefix: "chat-log-" }) };
      opened.log = openAt(opened);
      return opened;
    },
    reopen: (opened) => Promise.resolve(openAt(opened)),
    settle: (log) => (log as SqliteLog).durable(),
  };
}

const BACKENDS: Backend[] = [
  { name: "memory", open: (keep) => Promise.resolve({ log: new MemoryLog(keep), keep }) },
  sqliteFile("sqlite file"),
  // A ring smaller than what is kept sends most reads to the file rather than to memory.
  sqliteFile("sqlite file, reads past a 3-event ring", 3),
  {
    name: "sqlite :memory:",
    open: (keep) => Promise.resolve({ log: SqliteLog.open(":memory:", { retain: keep }), keep }),
    settle: (log) => (log as SqliteLog).durable(),
  },
];

function message(n: number): NewEvent {
  return { at: 1_700_000_000_000 + n, kind: "message", from: "Ana", text: `message ${n}` };
}

function appendMessages(log: RoomLog, count: number, from = 1): void {
  for (let n = from; n < from + count; n++) log.append(message(n));
}

function texts(events: RoomEvent[] | null): (string | undefined)[] | null {
  return events && events.map((event) => event.text);
}

/** Runs `body` on a fresh log and always releases it. */
async function withLog(backend: Backend, keep: number, body: (opened: Opened) => Promise<void> | void): Promise<void> {
  const opened = await backend.open(keep);
  try {
    await body(opened);
  } finally {
    await opened.log.close();
    if (opened.dir) await Deno.remove(opened.dir, { recursive: true });
  }
}

for (const backend of BACKENDS) {
  const test = (name: string, fn: () => Promise<void>) => Deno.test(`${backend.name}: ${name}`, fn);

  test("an empty log has nothing to replay and its last id is 0", () =>
    withLog(backend, 10, async ({ log }) => {
      assert.equal(log.lastId(), 0);
      assert.deepEqual(await log.recent(5), []);
      assert.deepEqual(await log.since(0), []);
      assert.equal(await log.since(1), null);
    }));

  test("appends get strictly increasing ids and every subscriber sees them in append order", () =>
    withLog(backend, 100, ({ log }) => {
      const first: RoomEvent[] = [];
      const second: RoomEvent[] = [];
      log.subscribe((event) => first.push(event));
      log.subscribe((event) => second.push(event));
      appendMessages(log, 30);
      assert.deepEqual(texts(first), Array.from({ length: 30 }, (_, i) => `message ${i + 1}`));
      for (let i = 1; i < first.length; i++) assert.ok(first[i].id > first[i - 1].id);
      assert.deepEqual(second, first);
      assert.equal(log.lastId(), first.at(-1)!.id);
    }));

  test("a subscriber receives each event during append, before append returns", () =>
    withLog(backend, 10, ({ log }) => {
      let received: RoomEvent | undefined;
      log.subscribe((event) => received = event);
      log.append(message(1));
      assert.equal(received?.text, "message 1");
      assert.equal(received?.id, log.lastId());
    }));

  test("an event a listener appends during delivery reaches every subscriber after the one delivered", () =>
    withLog(backend, 10, ({ log }) => {
      const seen: string[][] = [[], [], []];
      log.subscribe((event) => seen[0].push(`${event.id} ${event.text}`));
      // As a TCP reader that overflows on an event leaves the room, appending its leave mid-delivery.
      log.subscribe((event) => {
        seen[1].push(`${event.id} ${event.text}`);
        if (event.text === "message 1") log.append({ at: event.at, kind: "system", text: "reaction" });
      });
      log.subscribe((event) => seen[2].push(`${event.id} ${event.text}`));
      log.append(message(1));
      const expected = [`${log.lastId() - 1} message 1`, `${log.lastId()} reaction`];
      assert.deepEqual(seen, [expected, expected, expected]);
    }));

  test("an event a listener appends during delivery is stored after the one delivered", () =>
    withLog(backend, 10, async ({ log }) => {
      const delivered: RoomEvent[] = [];
      log.subscribe((event) => {
        delivered.push(event);
        if (event.text === "message 1") log.append({ at: event.at, kind: "system", text: "reaction" });
      });
      log.append(message(1));
      await backend.settle?.(log);
      assert.deepEqual(await log.since(0), delivered);
      assert.deepEqual(texts(await log.recent(2)), ["message 1", "reaction"]);
    }));

  test("since(id) returns exactly the events after id, oldest first", () =>
    withLog(backend, 100, async ({ log }) => {
      const all: RoomEvent[] = [];
      log.subscribe((event) => all.push(event));
      appendMessages(log, 20);
      await backend.settle?.(log);
      appendMessages(log, 5, 21); // some stored, some maybe still on their way
      for (const when of ["before", "after"]) {
        if (when === "after") await backend.settle?.(log);
        assert.deepEqual(await log.since(0), all);
        for (let i = 0; i < all.length; i++) {
          assert.deepEqual(await log.since(all[i].id), all.slice(i + 1), `since(${all[i].id}), ${when} settling`);
        }
      }
    }));

  test("since an id older than what is kept is null, so the reader resets", () =>
    withLog(backend, 10, async ({ log }) => {
      appendMessages(log, 35);
      await backend.settle?.(log);
      const last = log.lastId();
      assert.deepEqual(texts(await log.since(last - 10)), texts(await log.recent(10)));
      assert.equal((await log.since(last - 10))!.length, 10);
      assert.equal(await log.since(last - 11), null);
      assert.equal(await log.since(0), null);
    }));

  test("since an id never issued yet is null, since the last id is empty", () =>
    withLog(backend, 10, async ({ log }) => {
      appendMessages(log, 3);
      assert.equal(await log.since(log.lastId() + 1), null);
      assert.equal(await log.since(log.lastId() + 1000), null);
      assert.deepEqual(await log.since(log.lastId()), []);
    }));

  test("recent(n) returns the newest n events, oldest first, and no more than there are", () =>
    withLog(backend, 50, async ({ log }) => {
      appendMessages(log, 12);
      await backend.settle?.(log);
      assert.deepEqual(texts(await log.recent(3)), ["message 10", "message 11", "message 12"]);
      assert.equal((await log.recent(100)).length, 12);
      assert.deepEqual(await log.recent(0), []);
    }));

  test("recent(n) never reaches past what is kept", () =>
    withLog(backend, 5, async ({ log }) => {
      appendMessages(log, 20);
      assert.deepEqual(texts(await log.recent(100)), [16, 17, 18, 19, 20].map((n) => `message ${n}`));
    }));

  test("replayed events keep every field they were appended with", () =>
    withLog(backend, 50, async ({ log }) => {
      const events: NewEvent[] = [
        { at: 1, kind: "join", from: "Ana", door: "tcp" },
        { at: 2, kind: "action", from: "Ana", text: "waves 👋" },
        { at: 3, kind: "message", from: "Bob", text: 'a "quoted" line', to: "web-7", fromId: "tcp-3" },
        { at: 4, kind: "leave", from: "Bob", reason: "lost" },
        { at: 5, kind: "system", text: "server restarted" },
      ];
      for (const event of events) log.append(event);
      appendMessages(log, 10);
      await backend.settle?.(log);
      const replayed = (await log.since(0))!.slice(0, events.length);
      assert.deepEqual(replayed.map(({ id: _, ...rest }) => rest), events);
      assert.deepEqual((await log.recent(15)).slice(0, events.length), replayed);
    }));

  test("a listener that throws does not keep the others from the event; unsubscribing stops delivery", () =>
    withLog(backend, 10, ({ log }) => {
      const seen: number[] = [];
      const quiet = console.error;
      console.error = () => {};
      try {
        log.subscribe(() => {
          throw new Error("broken listener");
        });
        const stop = log.subscribe((event) => seen.push(event.id));
        log.append(message(1));
        stop();
        log.append(message(2));
      } finally {
        console.error = quiet;
      }
      assert.deepEqual(seen, [log.lastId() - 1]);
    }));

  test("two logs have different epochs", async () => {
    const [a, b] = [await backend.open(10), await backend.open(10)];
    try {
      assert.ok(a.log.epoch.length > 0);
      assert.notEqual(a.log.epoch, b.log.epoch);
    } finally {
      for (const { log, dir } of [a, b]) {
        await log.close();
        if (dir) await Deno.remove(dir, { recursive: true });
      }
    }
  });

  if (!backend.reopen) continue;
  const reopen = backend.reopen;

  test("close writes everything out: reopened, the log has the same events, ids and epoch", () =>
    withLog(backend, 100, async (opened) => {
      appendMessages(opened.log, 40);
      const before = (await opened.log.since(0))!;
      await opened.log.close();
      opened.log = await reopen(opened);
      assert.equal(opened.log.lastId(), before.at(-1)!.id);
      assert.deepEqual(await opened.log.since(0), before);
      assert.deepEqual(await opened.log.recent(40), before);
    }));

  test("reopened, the log keeps its epoch and goes on from the next id", () =>
    withLog(backend, 100, async (opened) => {
      appendMessages(opened.log, 5);
      const { epoch } = opened.log;
      const last = opened.log.lastId();
      await opened.log.close();
      opened.log = await reopen(opened);
      assert.equal(opened.log.epoch, epoch);
      opened.log.append(message(6));
      assert.equal(opened.log.lastId(), last + 1);
      assert.deepEqual(texts(await opened.log.since(last - 1)), ["message 5", "message 6"]);
    }));

  test("reopened after older events were dropped, ids still go on and the gap is still a gap", () =>
    withLog(backend, 2, async (opened) => {
      appendMessages(opened.log, 30);
      const last = opened.log.lastId();
      await opened.log.close();
      opened.log = await reopen(opened);
      opened.log.append(message(31));
      assert.equal(opened.log.lastId(), last + 1);
      assert.equal(await opened.log.since(last - 5), null);
      assert.deepEqual(texts(await opened.log.since(last - 1)), ["message 30", "message 31"]);
    }));
}
