import assert from "node:assert/strict";
import { ConnectionCaps } from "../../server/io/caps.ts";
import { Flusher } from "../../server/io/flusher.ts";
import { Buckets, Counters } from "../../server/ops/counters.ts";
import { Metrics } from "../../server/ops/metrics.ts";
import { WebDoor } from "../../server/web/door.ts";
import { testRoom } from "../helpers/room.ts";

Deno.test("a value falls in the first bucket whose bound it does not exceed, or in +Inf", () => {
  const buckets = new Buckets([0.001, 0.01]);
  for (const value of [0, 0.001, 0.0011, 0.01, 5]) buckets.observe(value);
  assert.deepEqual(buckets.counts, [2, 2, 1]);
  assert.equal(buckets.count, 5);
  assert.ok(Math.abs(buckets.sum - 5.0121) < 1e-9);
});

Deno.test("the exposition lists cumulative buckets, a sum and a count for each histogram, and no room figures until watched", async () => {
  const text = await new Metrics().text();
  const lines = text.split("\n").filter((line) => line.startsWith("chat_event_loop_lag_seconds"));
  assert.match(lines[0], /^chat_event_loop_lag_seconds_bucket\{le="0\.001"\} \d+$/);
  assert.match(lines.at(-3)!, /^chat_event_loop_lag_seconds_bucket\{le="\+Inf"\} \d+$/);
  assert.match(lines.at(-2)!, /^chat_event_loop_lag_seconds_sum [\d.e-]+$/);
  assert.match(lines.at(-1)!, /^chat_event_loop_lag_seconds_count \d+$/);
  const counts = lines.filter((line) => line.includes("_bucket")).map((line) => Number(line.split(" ")[1]));
  assert.deepEqual(counts, [...counts].sort((a, b) => a - b), "cumulative");
  assert.match(text, /^# TYPE chat_event_loop_lag_seconds histogram$/m);
  assert.match(text, /^chat_room_members\{door="tcp"\} 0$/m);
  assert.match(text, /^chat_ready 0$/m);
});

Deno.test("each server counts its own: two web doors in one process keep their numbers apart", async () => {
  const doors = [new Counters(), new Counters()].map((counters) => {
    const { room } = testRoom();
    const caps = new ConnectionCaps({ maxPerAddress: 16, maxConnections: 100, exempt: "loopback" });
    const options = { sendq: 65_536, graceMs: 0, heartbeatMs: 0, registrationTimeoutMs: 60_000 };
    return { counters, web: new WebDoor(room, options, new Flusher(), caps, undefined, counters) };
  });
  const [one, other] = doors;
  const signIn = await one.web.signIn("Ana", undefined, "127.0.0.1");
  if ("error" in signIn) throw new Error(signIn.error);
  await one.web.sessions.attach(signIn.session, { close() {} });
  assert.deepEqual(await one.web.say(signIn.session, "hello"), { type: "sent" });
  assert.deepEqual(await one.web.say(signIn.session, "/who"), { type: "reply", lines: ["1 online:", "  Ana (web)"] });
  assert.equal(one.counters.web.messagesIn, 1, "a message counts, a command does not");
  assert.equal(other.counters.web.messagesIn, 0, "the other server counted nothing");
  const text = await new Metrics(one.counters).text();
  assert.match(text, /^chat_messages_received_total\{door="web"\} 1$/m);
  for (const { web } of doors) await web.shutdown();
});
