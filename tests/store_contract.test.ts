/**
 * The EventStore contract, run against every backend: what the Room and the doors rely on, whatever keeps
 * the events. A new backend joins by adding one entry to BACKENDS. Ids are opaque here: the suite only
 * hands them back to the store, compares two of them (`compareIds`), or bumps the last number of one to
 * make an id the store cannot have issued yet.
 */
import assert from "node:assert/strict";
import type { NewEvent, RoomEvent } from "../server/room/events.ts";
import { compareIds } from "../server/store/ids.ts";
import { MemoryStore } from "../server/store/memory.ts";
import { SqliteStore } from "../server/store/sqlite.ts";
import type { EventStore } from "../server/store/store.ts";
import { RedisStore } from "../server/store/redis.ts";
import { connectRedis, type RedisLink } from "../server/redis/client.ts";
import { type RunningRedis, startRedis } from "./helpers/redis.ts";

interface Opened {
  /** The store under test; a test that reopens it puts the new instance here. */
  store: EventStore;
  keep: number;
  /** Where a persistent backend keeps its data. */
  dir?: string;
  /** The Redis database the store lives in. */
  database?: number;
}

interface Backend {
  name: string;
  /** A new, empty store that keeps the newest `keep` events for replay. */
  open(keep: number): Promise<Opened>;
  /** Subscribers receive each event synchronously inside `append`, before its promise resolves. */
  deliversDuringAppend: boolean;
  /** Persistent backends: the same data opened again (after the previous instance was closed). */
  reopen?(opened: Opened): Promise<EventStore>;
  /** Backends that write behind: resolves once everything appended has reached the backing store. */
  settle?(store: EventStore): Promise<void>;
  /** Well-formed ids (see ids.ts) of a shape this backend never issues, e.g. a Redis-style position. */
  otherShapes(epoch: string): string[];
  /** Backends whose clients keep timers or sockets between tests (a Redis connection) opt out of the sanitizers. */
  sanitize?: false;
}

/** Memory and SQLite positions are one counter: a two-part position is another backend's. */
const counterShapes = (epoch: string) => [`${epoch}-1-2`, `${epoch}-0-0`, `${epoch}-3-0`];

function sqliteFile(name: string, ringSize?: number): Backend {
  const openAt = (opened: Opened) => SqliteStore.open(`${opened.dir}/chat.db`, { retain: opened.keep, ringSize });
  return {
    name,
    deliversDuringAppend: true,
    otherShapes: counterShapes,
    async open(keep) {
      const opened: Opened = { store: undefined!, keep, dir: await Deno.makeTempDir({ prefix: "chat-store-" }) };
      opened.store = openAt(opened);
      return opened;
    },
    reopen: (opened) => Promise.resolve(openAt(opened)),
    settle: (store) => (store as SqliteStore).durable(),
  };
}

const BACKENDS: Backend[] = [
  {
    name: "memory",
    deliversDuringAppend: true,
    otherShapes: counterShapes,
    open: (keep) => Promise.resolve({ store: new MemoryStore(keep), keep }),
  },
  sqliteFile("sqlite file"),
  // A ring smaller than what is kept sends most reads to the file rather than to memory.
  sqliteFile("sqlite file, reads past a 3-event ring", 3),
  {
    name: "sqlite :memory:",
    deliversDuringAppend: true,
    otherShapes: counterShapes,
    open: (keep) => Promise.resolve({ store: SqliteStore.open(":memory:", { retain: keep }), keep }),
    settle: (store) => (store as SqliteStore).durable(),
  },
  redisBackend(),
];

globalThis.addEventListener("unload", () => {
  redis?.then((server) => server.kill());
});

/**
 * Redis: one server for the suite, each store in its own database (so two stores have two epochs). What a
 * store keeps is checked to the event: `since` and `recent` hold to `retain` whatever trimming left.
 */
let redis: Promise<RunningRedis> | undefined;
let nextDatabase = 0;
const links = new Map<EventStore, RedisLink>();

function redisBackend(): Backend {
  const openIn = async (database: number, keep: number) => {
    const server = await redis!;
    const link = await connectRedis(`${server.url}/${database}`);
    const store = await RedisStore.open(link, { retain: keep });
    links.set(store, link);
    return store;
  };
  return {
    name: "redis",
    deliversDuringAppend: false,
    sanitize: false,
    otherShapes: counterShapes,
    async open(keep) {
      const database = nextDatabase++ % 16;
      const server = await (redis ??= startRedis());
      await server.cli("-n", String(database), "FLUSHDB");
      return { store: await openIn(database, keep), keep, database };
    },
    reopen: (opened) => openIn(opened.database!, opened.keep),
  };
}

/** More than any test appends: a `since` limit that asks for the whole gap. */
const ALL = 1_000_000;

function message(n: number): NewEvent {
  return { at: 1_700_000_000_000 + n, kind: "message", from: "Ana", text: `message ${n}` };
}

/** Appends messages `from`..`from + count - 1`, one after the other, and returns them as stored. */
async function appendMessages(store: EventStore, count: number, from = 1): Promise<RoomEvent[]> {
  const stored: RoomEvent[] = [];
  for (let n = from; n < from + count; n++) stored.push(await store.append(message(n)));
  return stored;
}

/**
 * Appends 25 messages, the first 20 settled and the last 5 maybe still on their way to the backing store,
 * and runs `check` on them as they are, then again once everything has settled.
 */
async function halfSettled(
  backend: Backend,
  store: EventStore,
  check: (all: RoomEvent[], when: "before" | "after") => Promise<void>,
): Promise<void> {
  const all = await appendMessages(store, 20);
  await backend.settle?.(store);
  all.push(...await appendMessages(store, 5, 21));
  await check(all, "before");
  await backend.settle?.(store);
  await check(all, "after");
}

function texts(events: RoomEvent[] | null): (string | undefined)[] | null {
  return events && events.map((event) => event.text);
}

/** An id `by` past `id` in its last number: one the store has not issued when `id` is its newest. */
function later(id: string, by: number): string {
  return id.replace(/\d+$/, (n) => String(Number(n) + by));
}

/** Records what one subscriber receives; `until(n)` resolves once it has received `n` events. */
function record(store: EventStore): { events: RoomEvent[]; until(n: number): Promise<RoomEvent[]>; stop(): void } {
  const events: RoomEvent[] = [];
  let waiting: { n: number; resolve: () => void }[] = [];
  const stop = store.subscribe((batch) => {
    events.push(...batch);
    const done = waiting.filter((w) => events.length >= w.n);
    waiting = waiting.filter((w) => events.length < w.n);
    for (const w of done) w.resolve();
  });
  const until = (n: number) =>
    events.length >= n ? Promise.resolve(events) : new Promise<RoomEvent[]>((resolve) => {
      waiting.push({ n, resolve: () => resolve(events) });
    });
  return { events, until, stop };
}

/** Walks everything after `from` in pages of `limit`, checking each page's size; returns the events. */
async function walk(store: EventStore, from: string, limit: number): Promise<RoomEvent[]> {
  const events: RoomEvent[] = [];
  let cursor = from;
  for (;;) {
    const page = await store.since(cursor, limit);
    assert.ok(page !== null, `since(${cursor}, ${limit}) is null in the middle of a walk`);
    assert.ok(page.length <= limit, `since(${cursor}, ${limit}) returned ${page.length} events`);
    if (page.length === 0) return events;
    events.push(...page);
    cursor = page.at(-1)!.id;
  }
}

/** Runs `body` on a fresh store and always releases it. */
async function withStore(
  backend: Backend,
  keep: number,
  body: (opened: Opened) => Promise<void> | void,
): Promise<void> {
  const opened = await backend.open(keep);
  try {
    await body(opened);
  } finally {
    await closeStore(opened.store);
    if (opened.dir) await Deno.remove(opened.dir, { recursive: true });
  }
}

async function closeStore(store: EventStore): Promise<void> {
  await store.close();
  await links.get(store)?.close();
  links.delete(store);
}

for (const backend of BACKENDS) {
  const test = (name: string, fn: () => Promise<void>) =>
    Deno.test({
      name: `${backend.name}: ${name}`,
      fn,
      sanitizeOps: backend.sanitize ?? true,
      sanitizeResources: backend.sanitize ?? true,
    });

  test("an empty store has nothing to replay, and since its last id is empty", () =>
    withStore(backend, 10, async ({ store }) => {
      const start = store.lastId();
      assert.ok(start.startsWith(`${store.epoch}-`), start);
      assert.deepEqual(await store.recent(5), []);
      assert.deepEqual(await store.since(start, 10), []);
      assert.equal(await store.since(later(start, 1), 10), null, "an id not issued yet");
    }));

  test("appends get strictly increasing ids and every subscriber sees them in append order", () =>
    withStore(backend, 100, async ({ store }) => {
      const start = store.lastId();
      const first = record(store);
      const second = record(store);
      const stored = await appendMessages(store, 30);
      await Promise.all([first.until(30), second.until(30)]);
      assert.deepEqual(texts(first.events), Array.from({ length: 30 }, (_, i) => `message ${i + 1}`));
      assert.ok(compareIds(start, stored[0].id) < 0, `${start} before ${stored[0].id}`);
      for (let i = 1; i < stored.length; i++) {
        assert.ok(compareIds(stored[i - 1].id, stored[i].id) < 0, `${stored[i - 1].id} before ${stored[i].id}`);
      }
      assert.ok(stored.every((event) => event.id.startsWith(`${store.epoch}-`)));
      assert.deepEqual(first.events, stored, "append resolves to the event as delivered");
      assert.deepEqual(second.events, stored);
      assert.equal(store.lastId(), stored.at(-1)!.id);
    }));

  test("an open store is ready to take events; a closed one says why not", () =>
    withStore(backend, 10, async ({ store }) => {
      assert.equal(store.ready(), undefined);
      await appendMessages(store, 3);
      assert.equal(store.ready(), undefined);
      await store.close();
      assert.equal(store.ready(), "store closed");
    }));

  if (backend.deliversDuringAppend) {
    test("a subscriber receives each event during append, before append resolves", () =>
      withStore(backend, 10, async ({ store }) => {
        let received: RoomEvent | undefined;
        store.subscribe((events) => received = events.at(-1));
        const appending = store.append(message(1));
        assert.equal(received?.text, "message 1");
        assert.equal(received?.id, store.lastId());
        assert.deepEqual(await appending, received);
      }));
  }

  test("an event a listener appends during delivery reaches every subscriber after the one delivered", () =>
    withStore(backend, 10, async ({ store }) => {
      const first = record(store);
      // As a TCP reader that overflows on an event leaves the room, appending its leave mid-delivery.
      store.subscribe((events) => {
        for (const event of events) {
          if (event.text === "message 1") void store.append({ at: event.at, kind: "system", text: "reaction" });
        }
      });
      const last = record(store);
      await store.append(message(1));
      const [seenFirst, seenLast] = await Promise.all([first.until(2), last.until(2)]);
      assert.deepEqual(texts(seenFirst), ["message 1", "reaction"]);
      assert.ok(compareIds(seenFirst[0].id, seenFirst[1].id) < 0);
      assert.deepEqual(seenLast, seenFirst);
    }));

  test("an event a listener appends during delivery is stored after the one delivered", () =>
    withStore(backend, 10, async ({ store }) => {
      const start = store.lastId();
      const delivered = record(store);
      store.subscribe((events) => {
        for (const event of events) {
          if (event.text === "message 1") void store.append({ at: event.at, kind: "system", text: "reaction" });
        }
      });
      await store.append(message(1));
      await delivered.until(2);
      await backend.settle?.(store);
      assert.deepEqual(await store.since(start, ALL), delivered.events);
      assert.deepEqual(texts(await store.recent(2)), ["message 1", "reaction"]);
    }));

  test("since(id, limit) returns exactly the events after id, oldest first", () =>
    withStore(backend, 100, async ({ store }) => {
      const start = store.lastId();
      await halfSettled(backend, store, async (all, when) => {
        assert.deepEqual(await store.since(start, ALL), all);
        for (let i = 0; i < all.length; i++) {
          assert.deepEqual(
            await store.since(all[i].id, ALL),
            all.slice(i + 1),
            `since(${all[i].id}), ${when} settling`,
          );
        }
      });
    }));

  test("since(id, limit) returns the oldest `limit` events after id", () =>
    withStore(backend, 100, async ({ store }) => {
      const start = store.lastId();
      const all = await appendMessages(store, 12);
      await backend.settle?.(store);
      assert.deepEqual(await store.since(start, 3), all.slice(0, 3));
      assert.deepEqual(await store.since(all[4].id, 2), all.slice(5, 7));
      assert.deepEqual(await store.since(all[9].id, 5), all.slice(10));
      assert.deepEqual(await store.since(start, 0), []);
    }));

  test("paging with a small limit walks the whole range exactly, once", () =>
    withStore(backend, 100, async ({ store }) => {
      const start = store.lastId();
      const all = await appendMessages(store, 20);
      await backend.settle?.(store);
      all.push(...await appendMessages(store, 5, 21)); // the last pages may reach past what is written
      for (const limit of [1, 3, 7, 25, 26]) {
        assert.deepEqual(await walk(store, start, limit), all, `pages of ${limit}`);
        assert.deepEqual(await walk(store, all[5].id, limit), all.slice(6), `pages of ${limit} from the 6th`);
      }
    }));

  test("since an id older than what is kept is null, so the reader resets", () =>
    withStore(backend, 10, async ({ store }) => {
      const start = store.lastId();
      const all = await appendMessages(store, 35);
      await backend.settle?.(store);
      const oldestGap = all.at(-11)!.id; // the 10 events after it are exactly the 10 kept
      assert.deepEqual(await store.since(oldestGap, ALL), await store.recent(10));
      assert.deepEqual(texts(await store.since(oldestGap, 3)), ["message 26", "message 27", "message 28"]);
      assert.equal(await store.since(all.at(-12)!.id, ALL), null);
      assert.equal(await store.since(all.at(-12)!.id, 1), null, "even for a page that would fit");
      assert.equal(await store.since(start, ALL), null);
    }));

  test("since an id never issued yet is null, since the last id is empty", () =>
    withStore(backend, 10, async ({ store }) => {
      await appendMessages(store, 3);
      const last = store.lastId();
      assert.equal(await store.since(later(last, 1), ALL), null);
      assert.equal(await store.since(later(last, 1000), ALL), null);
      assert.deepEqual(await store.since(last, ALL), []);
      assert.deepEqual(await store.since(last, 1), []);
    }));

  test("since an id of another store is null, even one this store could have issued", async () => {
    const [a, b] = [await backend.open(10), await backend.open(10)];
    try {
      const [ofA] = await appendMessages(a.store, 3);
      const [ofB] = await appendMessages(b.store, 3);
      assert.equal(await a.store.since(ofB.id, ALL), null);
      assert.equal(await b.store.since(ofA.id, ALL), null);
      assert.equal(await a.store.since(b.store.lastId(), ALL), null);
      const position = ofA.id.slice(a.store.epoch.length + 1);
      assert.equal(await a.store.since(`not${a.store.epoch}-${position}`, ALL), null);
      assert.equal((await a.store.since(ofA.id, ALL))?.length, 2, "while its own id replays");
    } finally {
      for (const { store, dir } of [a, b]) {
        await closeStore(store);
        if (dir) await Deno.remove(dir, { recursive: true });
      }
    }
  });

  test("since a malformed id is null", () =>
    withStore(backend, 10, async ({ store }) => {
      await appendMessages(store, 3);
      const { epoch } = store;
      const last = store.lastId();
      for (
        const id of [
          "",
          "x",
          "-1",
          epoch,
          `${epoch}-`,
          `${epoch}-abc`,
          `${epoch}-1-2-3`,
          `${epoch}--1`,
          `${epoch}-1.5`,
          `${epoch}-1e0`,
          ` ${last}`,
          `${last} `,
        ]
      ) {
        assert.equal(await store.since(id, ALL), null, `since(${JSON.stringify(id)})`);
      }
    }));

  test("since a well-formed id of a shape this store never issues is null", () =>
    withStore(backend, 10, async ({ store }) => {
      await appendMessages(store, 3);
      for (const id of backend.otherShapes(store.epoch)) {
        assert.equal(await store.since(id, ALL), null, `since(${JSON.stringify(id)})`);
      }
    }));

  test("recent(n) returns the newest n events, oldest first, and no more than there are", () =>
    withStore(backend, 50, async ({ store }) => {
      await appendMessages(store, 12);
      await backend.settle?.(store);
      assert.deepEqual(texts(await store.recent(3)), ["message 10", "message 11", "message 12"]);
      assert.equal((await store.recent(100)).length, 12);
      assert.deepEqual(await store.recent(0), []);
    }));

  test("recent(n) never reaches past what is kept", () =>
    withStore(backend, 5, async ({ store }) => {
      await appendMessages(store, 20);
      assert.deepEqual(texts(await store.recent(100)), [16, 17, 18, 19, 20].map((n) => `message ${n}`));
    }));

  test("before(id, limit) returns the newest `limit` events before id, oldest first", () =>
    withStore(backend, 100, async ({ store }) => {
      const start = store.lastId();
      await halfSettled(backend, store, async (all, when) => {
        assert.deepEqual(await store.before(all[10].id, 3), all.slice(7, 10), when);
        assert.deepEqual(await store.before(all[2].id, 10), all.slice(0, 2), `${when}: fewer than the limit`);
        assert.deepEqual(await store.before(all[0].id, 10), [], `${when}: nothing before the first`);
        assert.deepEqual(await store.before(all.at(-1)!.id, 4), all.slice(-5, -1), `${when}: from the newest`);
        assert.deepEqual(await store.before(all.at(-1)!.id, ALL), all.slice(0, -1), `${when}: everything`);
        assert.deepEqual(await store.before(all[10].id, 0), [], `${when}: a limit of 0`);
      });
      assert.deepEqual(await store.before(start, 10), [], "before the id a store starts from");
    }));

  test("paging back with before walks the whole range exactly, once, to the first event", () =>
    withStore(backend, 100, async ({ store }) => {
      const all = await appendMessages(store, 20);
      await backend.settle?.(store);
      all.push(...await appendMessages(store, 5, 21));
      for (const limit of [1, 3, 7, 24, 25]) {
        const events: RoomEvent[] = [];
        let cursor = all.at(-1)!.id;
        for (;;) {
          const page = await store.before(cursor, limit);
          assert.ok(page !== null && page.length <= limit, `before(${cursor}, ${limit}): ${page?.length}`);
          if (page.length === 0) break;
          events.unshift(...page);
          cursor = page[0].id;
        }
        assert.deepEqual(events, all.slice(0, -1), `pages of ${limit}`);
      }
    }));

  test("before cuts through batches: a page may start or end inside one", () =>
    withStore(backend, 100, async ({ store }) => {
      const all: RoomEvent[] = [];
      for (const size of [4, 1, 7, 3]) {
        all.push(...await store.appendAll(Array.from({ length: size }, (_, i) => message(all.length + i + 1))));
      }
      await backend.settle?.(store);
      assert.deepEqual(await store.before(all[9].id, 4), all.slice(5, 9));
      assert.deepEqual(await store.before(all[6].id, 3), all.slice(3, 6));
      assert.deepEqual(await store.before(all.at(-1)!.id, ALL), all.slice(0, -1));
    }));

  test("before never reaches past what is kept", () =>
    withStore(backend, 10, async ({ store }) => {
      const all = await appendMessages(store, 35);
      await backend.settle?.(store);
      const kept = (n: number) => Array.from({ length: n }, (_, i) => `message ${36 - n + i}`);
      assert.deepEqual(texts(await store.before(store.lastId(), ALL)), kept(10).slice(0, -1));
      assert.deepEqual(texts(await store.before(all.at(-8)!.id, ALL)), kept(10).slice(0, 2));
      assert.deepEqual(texts(await store.before(all.at(-8)!.id, 1)), ["message 27"]);
      assert.deepEqual(await store.before(all.at(-10)!.id, ALL), [], "the oldest kept has nothing kept before it");
      assert.deepEqual(await store.before(all[3].id, ALL), [], "an id no longer kept");
    }));

  test("before an id of another store, a malformed one or one never issued is null", async () => {
    const [a, b] = [await backend.open(10), await backend.open(10)];
    try {
      const [ofA] = await appendMessages(a.store, 3);
      const [ofB] = await appendMessages(b.store, 3);
      assert.equal(await a.store.before(ofB.id, ALL), null);
      assert.equal(await b.store.before(ofA.id, ALL), null);
      assert.equal(await a.store.before(later(a.store.lastId(), 1), ALL), null, "not issued yet");
      const { epoch } = a.store;
      const last = a.store.lastId();
      for (
        const id of [
          "",
          "x",
          epoch,
          `${epoch}-`,
          `${epoch}-abc`,
          `${epoch}--1`,
          `${epoch}-1.5`,
          ` ${last}`,
          `not${last}`,
          ...backend.otherShapes(epoch),
        ]
      ) {
        assert.equal(await a.store.before(id, ALL), null, `before(${JSON.stringify(id)})`);
      }
      assert.equal((await a.store.before(last, ALL))?.length, 2, "while its own id pages back");
    } finally {
      for (const { store, dir } of [a, b]) {
        await closeStore(store);
        if (dir) await Deno.remove(dir, { recursive: true });
      }
    }
  });

  test("replayed events keep every field they were appended with", () =>
    withStore(backend, 50, async ({ store }) => {
      const start = store.lastId();
      const events: NewEvent[] = [
        { at: 1, kind: "join", from: "Ana", fromId: "tcp-1", door: "tcp" },
        { at: 2, kind: "action", from: "Ana", fromId: "tcp-1", text: "waves 👋" },
        { at: 3, kind: "message", from: "Bob", fromId: "web-3", text: 'a "quoted" line', to: "tcp-1", toName: "Ana" },
        { at: 4, kind: "leave", from: "Bob", fromId: "web-3", reason: "lost" },
        { at: 5, kind: "system", text: "server restarted" },
      ];
      const stored: RoomEvent[] = [];
      for (const event of events) stored.push(await store.append(event));
      assert.deepEqual(stored.map(({ id: _, ...rest }) => rest), events);
      await appendMessages(store, 10);
      await backend.settle?.(store);
      const replayed = (await store.since(start, events.length))!;
      assert.deepEqual(replayed, stored);
      assert.deepEqual((await store.recent(15)).slice(0, events.length), stored);
    }));

  test("a listener that throws does not keep the others from the event; unsubscribing stops delivery", () =>
    withStore(backend, 10, async ({ store }) => {
      const quiet = console.error;
      console.error = () => {};
      try {
        store.subscribe(() => {
          throw new Error("broken listener");
        });
        const stopping = record(store);
        const staying = record(store);
        const [one] = await appendMessages(store, 1, 1);
        await stopping.until(1);
        stopping.stop();
        await appendMessages(store, 1, 2);
        await staying.until(2);
        assert.deepEqual(stopping.events, [one]);
        assert.deepEqual(texts(staying.events), ["message 1", "message 2"]);
      } finally {
        console.error = quiet;
      }
    }));

  test("two stores have different epochs", async () => {
    const [a, b] = [await backend.open(10), await backend.open(10)];
    try {
      assert.ok(a.store.epoch.length > 0);
      assert.ok(!a.store.epoch.includes("-"), "an epoch holds no '-'");
      assert.notEqual(a.store.epoch, b.store.epoch);
    } finally {
      for (const { store, dir } of [a, b]) {
        await closeStore(store);
        if (dir) await Deno.remove(dir, { recursive: true });
      }
    }
  });

  if (!backend.reopen) continue;
  const reopen = backend.reopen;

  test("close writes everything out: reopened, the store has the same events, ids and epoch", () =>
    withStore(backend, 100, async (opened) => {
      const start = opened.store.lastId();
      const before = await appendMessages(opened.store, 40);
      await closeStore(opened.store);
      opened.store = await reopen(opened);
      assert.equal(opened.store.lastId(), before.at(-1)!.id);
      assert.deepEqual(await opened.store.since(start, ALL), before);
      assert.deepEqual(await opened.store.recent(40), before);
    }));

  test("reopened, the store keeps its epoch and goes on after the last id", () =>
    withStore(backend, 100, async (opened) => {
      const stored = await appendMessages(opened.store, 5);
      const { epoch } = opened.store;
      const last = opened.store.lastId();
      await closeStore(opened.store);
      opened.store = await reopen(opened);
      assert.equal(opened.store.epoch, epoch);
      assert.equal(opened.store.lastId(), last);
      const [next] = await appendMessages(opened.store, 1, 6);
      assert.ok(compareIds(last, next.id) < 0, `${last} before ${next.id}`);
      assert.equal(opened.store.lastId(), next.id);
      assert.deepEqual(texts(await opened.store.since(stored[3].id, ALL)), ["message 5", "message 6"]);
    }));

  test("reopened, before pages back through what was written before", () =>
    withStore(backend, 100, async (opened) => {
      const stored = await appendMessages(opened.store, 30);
      await closeStore(opened.store);
      opened.store = await reopen(opened);
      const [next] = await appendMessages(opened.store, 1, 31);
      assert.deepEqual(await opened.store.before(next.id, 5), stored.slice(-5));
      assert.deepEqual(await opened.store.before(stored[5].id, 100), stored.slice(0, 5));
    }));

  test("reopened after older events were dropped, ids still go on and the gap is still a gap", () =>
    withStore(backend, 2, async (opened) => {
      const stored = await appendMessages(opened.store, 30);
      const last = opened.store.lastId();
      await closeStore(opened.store);
      opened.store = await reopen(opened);
      const [next] = await appendMessages(opened.store, 1, 31);
      assert.ok(compareIds(last, next.id) < 0, `${last} before ${next.id}`);
      assert.equal(await opened.store.since(stored.at(-6)!.id, ALL), null);
      assert.deepEqual(texts(await opened.store.since(stored.at(-2)!.id, ALL)), ["message 30", "message 31"]);
    }));
}
