/**
 * Keyed web sends on a real server, on SQLite (the in-process directory) and on Redis alike: a refused
 * send stores nothing and its retry is judged afresh; a send the room took is answered once, among the
 * member's last RECEIPTS_PER_MEMBER sends.
 */
import assert from "node:assert/strict";
import { RECEIPTS_PER_MEMBER } from "../server/directory/directory.ts";
import { isText, parseEvent, webMember } from "./helpers/http.ts";
import { startRedis } from "./helpers/redis.ts";
import { startServer } from "./helpers/server.ts";
import type { SseEvent } from "./helpers/sse_client.ts";

const REDIS_TEST = { sanitizeOps: false, sanitizeResources: false };
const textsOf = (events: SseEvent[]) => events.map((event) => parseEvent(event.data).text);

Deno.test({
  name: "a send refused by the flood limit stores no receipt: its retry with the same key is judged afresh",
  ...REDIS_TEST,
  async fn() {
    await using redis = await startRedis();
    for (const backend of [["--redis", redis.url], []]) {
      const label = backend.length > 0 ? "redis" : "sqlite";
      await using server = await startServer([...backend, "--flood-burst", "1", "--flood-rate", "2"]);
      const bob = await webMember(server.httpUrl, "Bob");
      await using events = bob.events;
      assert.equal((await bob.client.say("first")).status, 202);
      const refused = [];
      for (let i = 0; i < 20; i++) {
        refused.push((await bob.client.say("x", { json: { text: "x", key: `k-${i}` } })).status);
      }
      assert.ok(refused.every((status) => status === 429), `${label}: ${refused}`);
      if (label === "redis") assert.equal(await redis.cli("--scan", "--pattern", "{chat}:receipt:*"), "");

      const retry = { json: { text: "retried", key: "k-0" } };
      const again = await bob.client.say("retried", retry);
      assert.equal(again.status, 429);
      await new Promise((resolve) => setTimeout(resolve, Number(again.headers.get("Retry-After")) * 1000));
      assert.equal((await bob.client.say("retried", retry)).status, 202, `${label}: the retry was judged afresh`);
      assert.equal((await bob.client.say("retried", retry)).status, 202, `${label}: and then answered once`);
      const texts = textsOf(await events.until(isText("retried")));
      assert.deepEqual(texts.filter((text) => text === "x" || text === "retried"), ["retried"], label);
      if (label === "redis") {
        const kept = (await redis.cli("--scan", "--pattern", "{chat}:receipt:*")).split("\n").sort();
        assert.equal(kept.length, 2, `the receipt and Bob's list of them: ${kept}`);
      }
    }
  },
});

Deno.test({
  name: `a member's receipts are bounded: past ${RECEIPTS_PER_MEMBER} sends, the oldest key is new again`,
  ...REDIS_TEST,
  async fn() {
    await using redis = await startRedis();
    for (const backend of [["--redis", redis.url], []]) {
      const label = backend.length > 0 ? "redis" : "sqlite";
      await using server = await startServer([...backend, "--flood-burst", "1000", "--flood-rate", "1000"]);
      const bob = await webMember(server.httpUrl, "Bob");
      await using events = bob.events;
      const send = (i: number) => bob.client.say(`m${i}`, { json: { text: `m${i}`, key: `k-${i}` } });
      for (let i = 0; i <= RECEIPTS_PER_MEMBER; i++) assert.equal((await send(i)).status, 202);
      if (label === "redis") {
        const keys = (await redis.cli("--scan", "--pattern", "{chat}:receipt:*")).split("\n");
        assert.equal(keys.length, RECEIPTS_PER_MEMBER + 1, "the receipts kept and their list");
      }
      assert.equal((await send(RECEIPTS_PER_MEMBER)).status, 202);
      assert.equal((await send(0)).status, 202);
      assert.equal((await bob.client.say("end")).status, 202);
      const texts = textsOf(await events.until(isText("end")));
      assert.equal(texts.filter((text) => text === "m0").length, 2, `${label}: the oldest receipt was dropped`);
      assert.equal(texts.filter((text) => text === `m${RECEIPTS_PER_MEMBER}`).length, 1, `${label}: the newest kept`);
    }
  },
});
