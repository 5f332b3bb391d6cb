/**
 * Several instances, one room, on a real redis-server: terminal and browser members on different
 * instances see one order; names are unique across instances; a stream resumes on another instance; a
 * killed instance's members leave; Redis away refuses sends and loses nothing; an emptied Redis resets.
 */
import assert from "node:assert/strict";
import { isText, parseEvent, WebClient, webMember } from "./helpers/http.ts";
import { startRedis } from "./helpers/redis.ts";
import { startServer } from "./helpers/server.ts";
import { connectTcp, join } from "./helpers/tcp_client.ts";

const REDIS_TEST = { sanitizeOps: false, sanitizeResources: false };

Deno.test({
  name: "a terminal member on one instance and a browser member on another are in one room, in one order",
  ...REDIS_TEST,
  async fn() {
    await using redis = await startRedis();
    await using a = await startServer(["--redis", redis.url]);
    await using b = await startServer(["--redis", redis.url]);
    await using ana = await join(a.tcpPort, "Ana");
    const bob = await webMember(b.httpUrl, "Bob");
    await using bobEvents = bob.events;
    await ana.expectLine("* Bob joined the chat");
    for (let i = 1; i <= 5; i++) {
      await ana.send(`tcp ${i}`);
      assert.equal((await bob.client.say(`web ${i}`)).status, 202);
    }
    // Both last lines, in whatever order the stream put them.
    const both = (seen: string[]) => seen.includes("Ana: tcp 5") && seen.includes("Bob: web 5");
    const tcpSeen: string[] = [];
    await ana.linesUntil((line) => {
      if (/^(Ana|Bob): /.test(line)) tcpSeen.push(line);
      return both(tcpSeen);
    });
    const tcpOrder = tcpSeen;
    const webSeen: string[] = [];
    await bobEvents.until((event) => {
      const wire = event.event === "message" ? parseEvent(event.data) : undefined;
      if (wire?.kind === "message") webSeen.push(`${wire.from}: ${wire.text}`);
      return both(webSeen);
    });
    assert.equal(tcpOrder.length, 10);
    assert.deepEqual(webSeen, tcpOrder, "one order on both instances and both doors");
    await ana.send("/who");
    assert.deepEqual(await ana.linesUntil("  Bob (web)"), ["2 online:", "  Ana (tcp)", "  Bob (web)"]);
    await ana.send("/msg bob across instances");
    const got = parseEvent((await bobEvents.expect(isText("across instances"))).data);
    assert.deepEqual([got.from, got.to], ["Ana", "Bob"]);
  },
});

Deno.test({
  name: "a name is unique across instances, whatever its case and door",
  ...REDIS_TEST,
  async fn() {
    await using redis = await startRedis();
    await using a = await startServer(["--redis", redis.url]);
    await using b = await startServer(["--redis", redis.url]);
    await using _ana = await join(a.tcpPort, "Ana");
    const taken = new WebClient(b.httpUrl);
    const answer = await taken.signIn("aNA");
    assert.equal(answer.status, 409);
    assert.deepEqual(answer.body, { error: 'the name "Ana" is taken, choose another' });
    await using late = await connectTcp(b.tcpPort);
    await late.readLine();
    await late.send("ANA");
    await late.expectLine('! the name "Ana" is taken, choose another');
  },
});

Deno.test({
  name: "a browser that loses its instance resumes on another with its cookie: same member, exactly what it missed",
  ...REDIS_TEST,
  async fn() {
    await using redis = await startRedis();
    await using a = await startServer(["--redis", redis.url]);
    await using b = await startServer(["--redis", redis.url]);
    await using ana = await join(b.tcpPort, "Ana");
    const onA = new WebClient(a.httpUrl);
    assert.equal((await onA.signIn("Bea")).status, 201);
    const position = await onA.streamPosition();
    await ana.expectLine("* Bea joined the chat");
    await a.stop("SIGKILL");
    for (let i = 1; i <= 3; i++) await ana.send(`missed ${i}`);
    await ana.send("/msg Bea just for you");
    await ana.expectLine("[private to Bea] just for you");
    // The balancer sends the browser to B: the same cookie, the same Last-Event-ID.
    const onB = new WebClient(b.httpUrl);
    onB.token = onA.token;
    assert.deepEqual((await onB.session()).body, { name: "Bea" });
    await using stream = await onB.events(position);
    const seen = await stream.until((event) => event.event === "members");
    const texts = seen.filter((event) => event.event === "message").map((event) => parseEvent(event.data).text);
    assert.deepEqual(texts, ["missed 1", "missed 2", "missed 3", "just for you"]);
    assert.ok(!seen.some((event) => event.event === "reset"));
    assert.equal((await onB.say("back on B")).status, 202);
    await ana.expectLine("Bea: back on B");
    assert.ok(!ana.received.some((line) => line.startsWith("* Bea left")), "she never left");
    assert.equal(ana.received.filter((line) => line === "* Bea joined the chat").length, 1, "nor joined twice");
  },
});

Deno.test({
  name: "an instance killed with SIGKILL takes its members with it: the others see them leave, their names free",
  ...REDIS_TEST,
  async fn() {
    await using redis = await startRedis();
    await using a = await startServer(["--redis", redis.url]);
    await using b = await startServer(["--redis", redis.url]);
    await using dan = await join(b.tcpPort, "Dan");
    await using _cat = await join(a.tcpPort, "Cat");
    await dan.expectLine("* Cat joined the chat");
    await a.stop("SIGKILL");
    await dan.expectLine("* Cat left the chat (connection lost)", 15_000);
    await using cat2 = await join(b.tcpPort, "cat");
    await cat2.send("/who");
    assert.deepEqual(await cat2.linesUntil("  cat (tcp)"), ["2 online:", "  Dan (tcp)", "  cat (tcp)"]);
  },
});

Deno.test({
  name: "with Redis away sends are refused at once and members stay; back, nothing accepted is lost",
  ...REDIS_TEST,
  async fn() {
    await using redis = await startRedis({ persist: true });
    await using a = await startServer(["--redis", redis.url]);
    await using b = await startServer(["--redis", redis.url]);
    await using ana = await join(a.tcpPort, "Ana");
    const bob = await webMember(b.httpUrl, "Bob");
    await using bobEvents = bob.events;
    await ana.send("before");
    await ana.expectLine("Ana: before");
    await redis.stop();
    await ana.send("during");
    await ana.expectLine("! room unavailable, not sent: during");
    const refused = await bob.client.say("during from the web");
    assert.equal(refused.status, 503);
    assert.deepEqual(refused.body, { error: "room unavailable, not sent" });
    await redis.start();
    // Back: the same members, the same room; the first send that gets through is seen by everyone once.
    let sent = false;
    for (let tries = 0; !sent && tries < 50; tries++) {
      sent = (await bob.client.say("after")).status === 202;
      if (!sent) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.ok(sent, "sends work again once Redis is back");
    await ana.expectLine("Bob: after");
    const texts = (await bobEvents.until(isText("after"))).filter((event) => event.event === "message")
      .map((event) => parseEvent(event.data).text);
    assert.ok(texts.includes("before"));
    assert.ok(!texts.some((text) => text?.startsWith("during")), "nothing refused was sent behind anyone's back");
    assert.ok(!ana.received.some((line) => line.includes("during from the web")));
  },
});

Deno.test({
  name: "Redis emptied under the instances: a new epoch, and a browser resuming gets a reset, not a wrong replay",
  ...REDIS_TEST,
  async fn() {
    await using redis = await startRedis();
    await using a = await startServer(["--redis", redis.url]);
    await using ana = await join(a.tcpPort, "Ana");
    const web = new WebClient(a.httpUrl);
    assert.equal((await web.signIn("Bea")).status, 201);
    const position = await web.streamPosition();
    await redis.stop();
    await redis.start(); // empty: not persisted
    let sent = false;
    for (let tries = 0; !sent && tries < 50; tries++) {
      await ana.send(`after ${tries}`);
      const line = await ana.readLine();
      sent = line?.startsWith("Ana: after") ?? false;
      if (!sent) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.ok(sent);
    await using stream = await web.events(position);
    const reset = await stream.expect((event) => event.event === "reset");
    assert.notEqual(reset.id?.split("-")[0], position.split("-")[0], "the epoch changed");
  },
});

Deno.test({
  name: "a web send retried with the same key is answered once and posted once (Redis and SQLite alike)",
  ...REDIS_TEST,
  async fn() {
    await using redis = await startRedis();
    for (const args of [["--redis", redis.url], []]) {
      await using server = await startServer(args);
      const bob = await webMember(server.httpUrl, "Bob");
      await using events = bob.events;
      const first = await bob.client.say("only once", { json: { text: "only once", key: "k-1" } });
      const retry = await bob.client.say("only once", { json: { text: "only once", key: "k-1" } });
      assert.deepEqual([first.status, retry.status], [202, 202]);
      assert.equal((await bob.client.say("end")).status, 202);
      const texts = (await events.until(isText("end"))).map((event) => parseEvent(event.data).text);
      assert.equal(texts.filter((text) => text === "only once").length, 1, args.join(" ") || "sqlite");
      const bad = await bob.client.say("x", { json: { text: "x", key: "no spaces allowed" } });
      assert.equal(bad.status, 400);
    }
  },
});

Deno.test({
  name: "a web member's flood limit is one across instances: sends on a second instance draw on the same burst",
  ...REDIS_TEST,
  async fn() {
    await using redis = await startRedis();
    const args = ["--redis", redis.url, "--flood-burst", "4", "--flood-rate", "0.2"];
    await using a = await startServer(args);
    await using b = await startServer(args);
    const bea = await webMember(a.httpUrl, "Bea");
    await using _onA = bea.events;
    const onB = new WebClient(b.httpUrl);
    onB.token = bea.client.token;
    await using _streamOnB = await onB.events();
    const statuses: number[] = [];
    for (let i = 1; i <= 3; i++) statuses.push((await bea.client.say(`on A ${i}`)).status);
    for (let i = 1; i <= 3; i++) statuses.push((await onB.say(`on B ${i}`)).status);
    assert.deepEqual(statuses, [202, 202, 202, 202, 429, 429], "a burst of 4 in all, not 4 per instance");
    const refused = await onB.say("once more");
    assert.equal(refused.status, 429);
    assert.ok(Number(refused.headers.get("retry-after")) >= 1, "Retry-After says when to come back");
  },
});
