/**
 * The Redis store's own layout (the contract every store meets is in store_contract.test.ts): a batch is one
 * stream entry, an event is found inside its entry, what the room keeps holds to the event although the
 * stream trims whole entries, and a stream of the earlier layout (one entry per event) is renumbered in place.
 */
import assert from "node:assert/strict";
import type { NewEvent } from "../server/room/events.ts";
import { connectRedis } from "../server/redis/client.ts";
import { KEYS } from "../server/redis/keys.ts";
import { RedisStore } from "../server/store/redis.ts";
import { startRedis } from "./helpers/redis.ts";

const REDIS_TEST = { sanitizeOps: false, sanitizeResources: false };

function messages(from: number, count: number): NewEvent[] {
  return Array.from(
    { length: count },
    (_, i) => ({ at: 1_700_000_000_000, kind: "message", from: "Ana", text: `m${from + i}` }),
  );
}

const texts = (events: { text?: string }[] | null) => events?.map((event) => event.text) ?? null;

async function openStore(url: string, retain: number) {
  const link = await connectRedis(url);
  const store = await RedisStore.open(link, { retain });
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
