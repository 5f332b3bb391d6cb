/**
 * The Redis store's own layout (the contract every store meets is in store_contract.test.ts): a batch is one
 * stream entry, an event is found inside its entry, what the room keeps holds to the event although the
 * stream trims whole entries, and a stream of the earlier layout (one entry per event) is renumbered in place.
 */
import assert from "node:assert/strict";
import type { NewEvent } from "../server/room/events.ts";
import { connectRedis, type RedisLink } from "../server/redis/client.ts";
import { KEYS } from "../server/redis/keys.ts";
import { RedisStore } from "../server/store/redis.ts";
import { startRedis } from "./helpers/redis.ts";
import { eventually } from "./helpers/eventually.ts";

const REDIS_TEST = { sanitizeOps: false, sanitizeResources: false };

function messages(from: number, count: number): NewEvent[] {
  return Array.from(
    { length: count },
    (_, i) => ({ at: 1_700_000_000_000, kind: "message", from: "Ana", text: `m${from + i}` }),
  );
}

const texts = (events: { text?: string }[] | null) => events?.map((event) => event.text) ?? null;

/**
 * Wraps a store's link so that its duplicate (the store's blocking reader) hands over each XREAD reply only
 * once `release()` is called: what the store publishes before that came from its own appends' answers.
 */
function heldReader() {
  const held: (() => void)[] = [];
  let holding = true;
  return {
    wrap: (link: RedisLink): RedisLink => ({
      ...link,
      get ready() {
        return link.ready;
      },
      async duplicate() {
        const reader = await link.duplicate();
        return {
          ...reader,
          get ready() {
            return reader.ready;
          },
          async sendCommand(args, options) {
            const reply = await reader.sendCommand(args, options);
            if (holding && args[0] === "XREAD") await new Promise<void>((resolve) => held.push(resolve));
            return reply;
          },
        };
      },
    }),
    release() {
      holding = false;
      for (const resolve of held.splice(0)) resolve();
    },
  };
}

/** The texts of the events `store` publishes, in the order it publishes them. */
function textsSeen(store: RedisStore): string[] {
  const seen: string[] = [];
  store.subscribe((events) => seen.push(...events.map((event) => event.text!)));
  return seen;
}

async function openStore(url: string, retain: number, wrap = (link: RedisLink) => link) {
  const link = await connectRedis(url);
  const store = await RedisStore.open(wrap(link), { retain });
  return {
    store,
    async [Symbol.asyncDispose]() {
      await store.close();
      await link.close();
    },
  };
}

Deno.test({
  name: "a batch is one stream entry, and a reader resumes from the middle of one",
  ...REDIS_TEST,
  async fn() {
    await using redis = await startRedis();
    await using opened = await openStore(redis.url, 1000);
    const { store } = opened;
    const first = await store.appendAll(messages(1, 5));
    await store.appendAll(messages(6, 3));
    assert.equal(await redis.cli("XLEN", KEYS.log), "2");
    assert.deepEqual(texts(await store.since(first[2].id, 100)), ["m4", "m5", "m6", "m7", "m8"]);
    assert.deepEqual(texts(await store.since(first[4].id, 2)), ["m6", "m7"]);
    assert.deepEqual(texts(await store.recent(4)), ["m5", "m6", "m7", "m8"]);
  },
});

Deno.test({
  name: "the room keeps exactly --retain events for replay, although the stream trims whole entries",
  ...REDIS_TEST,
  async fn() {
    await using redis = await startRedis({ args: ["--stream-node-max-entries", "2"] });
    await using opened = await openStore(redis.url, 10);
    const { store } = opened;
    const stored = [];
    for (let n = 1; n <= 2000; n += 7) stored.push(...await store.appendAll(messages(n, 7)));
    const recent = await store.recent(100);
    assert.deepEqual(texts(recent), stored.slice(-10).map((event) => event.text));
    assert.equal(await store.since(stored.at(-12)!.id, 100), null, "older than kept: the reader resets");
    assert.equal((await store.since(stored.at(-11)!.id, 100))?.length, 10);
    // Trimming bounds what the stream holds: the slack is a whole number of entries, not the history.
    assert.ok(Number(await redis.cli("XLEN", KEYS.log)) < 300, "the stream was trimmed");
  },
});

Deno.test({
  name: "a stream of the earlier layout is renumbered under a new epoch, its history kept",
  ...REDIS_TEST,
  async fn() {
    await using redis = await startRedis();
    let previous = "0-0";
    for (const text of ["old one", "old two", "old three"]) {
      const event = JSON.stringify({ at: 1_700_000_000_000, kind: "message", from: "Ana", text });
      previous = await redis.cli("XADD", KEYS.log, "*", "p", previous, "e", event);
    }
    await redis.cli("HSET", KEYS.meta, "epoch", "0123456789ab", "last", previous, "retain", "1000");
    await using opened = await openStore(redis.url, 1000);
    const { store } = opened;
    assert.notEqual(store.epoch, "0123456789ab", "ids of the earlier layout no longer resume");
    assert.equal(await store.since(`0123456789ab-${previous}`, 10), null);
    assert.deepEqual(texts(await store.recent(10)), ["old one", "old two", "old three"]);
    const [next] = await store.appendAll(messages(1, 1));
    assert.equal(next.id, `${store.epoch}-4`);
    assert.deepEqual(texts(await store.since(`${store.epoch}-1`, 10)), ["old two", "old three", "m1"]);
  },
});

Deno.test({
  name: "an instance's own batch reaches its readers on Redis's answer, once; another's entry before it comes first",
  ...REDIS_TEST,
  async fn() {
    await using redis = await startRedis();
    const held = heldReader();
    await using openedA = await openStore(redis.url, 1000, held.wrap);
    await using openedB = await openStore(redis.url, 1000);
    const a = openedA.store;
    const seen = textsSeen(a);

    await a.appendAll(messages(1, 3));
    assert.deepEqual(seen, ["m1", "m2", "m3"], "handed out when the append was answered, not by the held reader");

    await openedB.store.appendAll(messages(4, 2));
    await a.appendAll(messages(6, 1));
    assert.deepEqual(seen, ["m1", "m2", "m3"], "m6 waits: m4 and m5, before it in the stream, are not read yet");

    held.release();
    await eventually(() => seen.length >= 6);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(seen, ["m1", "m2", "m3", "m4", "m5", "m6"], "stream order, each event once");
    assert.equal(a.lastId(), `${a.epoch}-6`);
  },
});

Deno.test({
  name: "two writers appending at once: each one's readers get every event once, in stream order",
  ...REDIS_TEST,
  async fn() {
    await using redis = await startRedis();
    await using openedA = await openStore(redis.url, 100_000);
    await using openedB = await openStore(redis.url, 100_000);
    const stores = [openedA.store, openedB.store];
    const seen = stores.map((store) => {
      const ids: number[] = [];
      store.subscribe((events) => ids.push(...events.map((event) => Number(event.id.split("-")[1]))));
      return ids;
    });
    const appends = [];
    for (let round = 0; round < 50; round++) {
      for (const store of stores) appends.push(store.appendAll(messages(round, 1 + (round % 4))));
    }
    await Promise.all(appends);
    const total = Number(await redis.cli("HGET", KEYS.meta, "next")) - 1;
    const all = Array.from({ length: total }, (_, i) => i + 1);
    for (const ids of seen) {
      await eventually(() => ids.length >= total);
      assert.deepEqual(ids, all);
    }
  },
});

Deno.test({
  name: "while its appends are on their way, the only writer's reader does not read them back from the stream",
  ...REDIS_TEST,
  async fn() {
    await using redis = await startRedis();
    await using opened = await openStore(redis.url, 100_000);
    const { store } = opened;
    const seen = textsSeen(store);
    await store.appendAll(messages(0, 1));
    await redis.cli("CONFIG", "RESETSTAT");
    // Two lanes of 50 appends each, one after another: one lane's append is always on its way.
    const lane = async (from: number) => {
      for (let i = 0; i < 50; i++) await store.appendAll(messages(from + 2 * i, 1));
    };
    await Promise.all([lane(1), lane(2)]);
    const stats = await redis.cli("INFO", "commandstats");
    const reads = Number(/cmdstat_xread:calls=(\d+)/.exec(stats)?.[1] ?? 0);
    assert.ok(reads <= 5, `${reads} XREADs during 100 appends`);
    assert.equal(seen.length, 101, "each event once");
    assert.deepEqual(seen.slice(1).toSorted(), messages(1, 100).map((event) => event.text).toSorted());
  },
});
