/**
 * Lines in flight on a real redis-server: a member's lines go to the store without waiting for each other's
 * round trip, yet keep their order; an answer comes after the member's own lines; Redis stopped in the middle
 * of a burst loses no line silently; Redis slow to answer pauses input (counted on /metrics) and loses nothing; an
 * instance that falls behind the stream's trimming resets its readers.
 */
import assert from "node:assert/strict";
import { isText, parseEvent, webMember } from "./helpers/http.ts";
import { scrape, scrapeUntil } from "./helpers/metrics.ts";
import { startRedis } from "./helpers/redis.ts";
import { UNSETTLED_HIGH } from "../server/room/appender.ts";
import { startServer } from "./helpers/server.ts";
import { join } from "./helpers/tcp_client.ts";

const REDIS_TEST = { sanitizeOps: false, sanitizeResources: false };
/** The senders here are scripts: the flood limit would only pace them. */
const NO_FLOOD = ["--flood-burst", "1000000", "--flood-rate", "1000000"];
const range = (count: number) => Array.from({ length: count }, (_, i) => i + 1);
/** Lines sent while an instance is stopped: past --retain 10 and the stream's trimming slack (see server/store/redis.ts). */
const STOPPED_LINES = 3000;

for (const backend of ["redis", "sqlite"] as const) {
  Deno.test({
    name: `${backend}: 500 lines written at once keep their order for everyone, and /who after them answers last`,
    ...REDIS_TEST,
    async fn() {
      await using redis = await startRedis();
      const args = backend === "redis" ? [...NO_FLOOD, "--redis", redis.url] : NO_FLOOD;
      await using a = await startServer(args);
      await using b = backend === "redis" ? await startServer(args) : undefined;
      await using ana = await join(a.tcpPort, "Ana");
      await using bob = await join((b ?? a).tcpPort, "Bob");
      await ana.expectLine("* Bob joined the chat");
      const lines = range(500).map((n) => `line ${n}`);
      await ana.sendRaw(lines.join("\n") + "\n/who\n");
      const anaSaw = await ana.linesUntil("  Bob (tcp)", 20_000);
      const own = anaSaw.filter((line) => line.startsWith("Ana: "));
      assert.deepEqual(own, lines.map((line) => `Ana: ${line}`), "every line, in order");
      assert.ok(anaSaw.indexOf("2 online:") > anaSaw.indexOf("Ana: line 500"), "the answer after the lines");
      const bobSaw = (await bob.linesUntil("Ana: line 500", 20_000)).filter((line) => line.startsWith("Ana: "));
      assert.deepEqual(bobSaw, own, "the same order on the other side");
    },
  });
}

Deno.test({
  name: "Redis stopped in the middle of a burst: every line is delivered to all or refused to its sender, none lost",
  ...REDIS_TEST,
  async fn() {
    await using redis = await startRedis({ persist: true });
    await using a = await startServer([...NO_FLOOD, "--redis", redis.url]);
    await using b = await startServer([...NO_FLOOD, "--redis", redis.url]);
    await using ana = await join(a.tcpPort, "Ana");
    await using bob = await join(b.tcpPort, "Bob");
    await ana.expectLine("* Bob joined the chat");
    const total = 3000;
    const sending = (async () => {
      for (let n = 1; n <= total; n += 100) {
        await ana.sendRaw(range(100).map((i) => `burst ${n + i - 1}`).join("\n") + "\n");
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    const first = await ana.expectLine(/^Ana: burst \d+$/);
    await redis.stop();
    await sending;
    await new Promise((resolve) => setTimeout(resolve, 500));
    await redis.start();
    // Each line ends up in exactly one of two places at its sender: delivered back to it, or named as refused.
    const delivered = [Number(first.slice("Ana: burst ".length))];
    const refused = new Set<number>();
    await ana.linesUntil((line) => {
      const sent = line.match(/^Ana: burst (\d+)$/);
      if (sent) delivered.push(Number(sent[1]));
      const not = line.match(/^! room unavailable, not sent: burst (\d+)$/);
      if (not) refused.add(Number(not[1]));
      return delivered.length + refused.size >= total;
    }, 30_000);
    assert.ok(refused.size > 0, "some lines met Redis away");
    assert.ok(delivered.length > 0, "some lines went through");
    assert.deepEqual([...delivered].sort((x, y) => x - y), delivered, "delivered in order");
    assert.deepEqual(delivered.filter((n) => refused.has(n)), [], "no line both refused and delivered");
    assert.deepEqual([...delivered, ...refused].sort((x, y) => x - y), range(total), "none silently lost");
    const last = `Ana: burst ${delivered.at(-1)}`;
    const bobSaw = (await bob.linesUntil(last, 20_000)).filter((line) => line.startsWith("Ana: burst "));
    assert.deepEqual(bobSaw, delivered.map((n) => `Ana: burst ${n}`), "the other instance got the same lines");
  },
});

Deno.test({
  name: "Redis slow to answer: input pauses once the lines not yet stored pass the bound, and resumes losing none",
  ...REDIS_TEST,
  async fn() {
    await using redis = await startRedis();
    await using a = await startServer([...NO_FLOOD, "--redis", redis.url, "--metrics-port", "0"]);
    await using ana = await join(a.tcpPort, "Ana");
    const url = a.metricsUrl!;
    assert.equal((await scrape(url)).get("chat_pending_pauses_total"), 0);
    // Redis holds every write (scripts included) for 1.5 s, under the 2 s a command may take: appends wait.
    assert.equal(await redis.cli("CLIENT", "PAUSE", "1500", "WRITE"), "OK");
    const total = UNSETTLED_HIGH * 2;
    await ana.sendRaw(range(total).map((n) => `slow ${n}`).join("\n") + "\n");
    const paused = await scrapeUntil(url, (s) => s.get("chat_pending_pauses_total")! >= 1);
    assert.ok(paused.get("chat_pending_lines")! > UNSETTLED_HIGH, "paused above the bound");
    assert.ok(paused.get("chat_pending_lines")! < total, "not every line was taken: the rest waits unread");
    const own = (await ana.linesUntil(`Ana: slow ${total}`, 30_000)).filter((line) => line.startsWith("Ana: slow "));
    assert.deepEqual(own, range(total).map((n) => `Ana: slow ${n}`), "every line, in order, none refused");
    await scrapeUntil(url, (s) => s.get("chat_pending_lines") === 0);
  },
});

Deno.test({
  name: "an instance that falls behind the stream's trimming resets its readers instead of skipping silently",
  ...REDIS_TEST,
  async fn() {
    // One entry per stream node, so trimming removes each batch as soon as it falls out of what is kept.
    await using redis = await startRedis({ args: ["--stream-node-max-entries", "1"] });
    const args = [...NO_FLOOD, "--redis", redis.url, "--retain", "10"];
    await using a = await startServer(args);
    await using b = await startServer(args);
    await using ana = await join(a.tcpPort, "Ana");
    await using cat = await join(b.tcpPort, "Cat");
    const dee = await webMember(b.httpUrl, "Dee");
    await using deeEvents = dee.events;
    await ana.expectLine("* Dee joined the chat");
    Deno.kill(b.process.pid, "SIGSTOP");
    try {
      // More than the stream's trimming slack (a few batches past --retain): the stopped instance's place goes.
      await ana.sendRaw(range(STOPPED_LINES).map((n) => `while stopped ${n}`).join("\n") + "\n");
      await ana.expectLine(`Ana: while stopped ${STOPPED_LINES}`, 20_000);
    } finally {
      Deno.kill(b.process.pid, "SIGCONT");
    }
    await ana.send("after");
    const catSaw = await cat.linesUntil("Ana: after", 20_000);
    assert.ok(catSaw.some((line) => line.startsWith("! this server fell behind the room")), catSaw.join("\n"));
    // The reset carries the recent history, "after" with it if it was stored by then.
    const hasAfter = (data: string) => data.includes('"text":"after"');
    const seen = await deeEvents.until((event) =>
      (event.event === "message" && parseEvent(event.data).text === "after") ||
      (event.event === "reset" && hasAfter(event.data))
    );
    assert.ok(seen.some((event) => event.event === "reset"), "the browser got an explicit reset");
    const beforeReset = catSaw.slice(0, catSaw.findIndex((line) => line.startsWith("! this server fell behind")));
    const texts = beforeReset.filter((line) => line.startsWith("Ana: while stopped ")).map((line) => line.slice(5));
    assert.deepEqual(texts, range(texts.length).map((n) => `while stopped ${n}`), "no hole before the reset");
  },
});

Deno.test({
  name: "--retain is the room's: an instance started with another value says so and trims to the room's",
  ...REDIS_TEST,
  async fn() {
    await using redis = await startRedis({ args: ["--stream-node-max-entries", "1"] });
    await using _a = await startServer([...NO_FLOOD, "--redis", redis.url, "--retain", "1000"]);
    await using b = await startServer([...NO_FLOOD, "--redis", redis.url, "--retain", "5"]);
    assert.match(b.output(), /the room keeps 1000 events, not --retain 5/);
    await b.expectLog(/store\.retain_is_the_rooms/);
    await using ana = await join(b.tcpPort, "Ana");
    const dee = await webMember(b.httpUrl, "Dee");
    await ana.expectLine("* Dee joined the chat");
    const before = dee.events.lastEventId;
    await dee.events.close();
    await ana.sendRaw(range(300).map((n) => `kept ${n}`).join("\n") + "\n");
    await ana.expectLine("Ana: kept 300");
    // 300 events back is within the room's 1000: the stream on b replays them instead of resetting.
    await using resumed = await dee.client.events(before);
    const seen = await resumed.until((event) => event.event === "reset" || isText("kept 300")(event));
    assert.ok(!seen.some((event) => event.event === "reset"), "replayed, not reset");
    assert.equal(
      seen.filter((event) => event.event === "message" && parseEvent(event.data).text?.startsWith("kept ")).length,
      300,
    );
  },
});
