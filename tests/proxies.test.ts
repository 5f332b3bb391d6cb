/**
 * The README's proxy configs, run as written (ports changed) by the real nginx and HAProxy: nginx `http` in
 * front of the web door, nginx `stream` with the PROXY protocol in front of the TCP door, HAProxy with
 * `send-proxy-v2` in front of two instances on one Redis. Clients come from other loopback addresses
 * (127.0.0.2, 127.0.0.3) than the proxies (127.0.0.1), so the server's per-address caps and logs show whose
 * address it believes: the client's behind a trusted proxy, the proxy's otherwise.
 */
import assert from "node:assert/strict";
import { ChatClient } from "./helpers/client_process.ts";
import { isText, parseEvent, WebClient } from "./helpers/http.ts";
import { freePort } from "./helpers/ports.ts";
import {
  connectFrom,
  joinFrom,
  readmeBlock,
  type RunningProxy,
  startHaproxy,
  startNginx,
  withPorts,
} from "./helpers/proxies.ts";
import { startRedis } from "./helpers/redis.ts";
import { type RunningServer, startServer } from "./helpers/server.ts";
import { join } from "./helpers/tcp_client.ts";

/** Child processes, node:net sockets and HTTP clients outlive a test's own ops by a moment. */
const PROXY_TEST = { sanitizeOps: false, sanitizeResources: false };
/** What the proxies run on: the server trusts them, and them only. */
const PROXY_ADDRESS = "127.0.0.1";
/** Clients behind the proxies, and one that reaches the TCP door directly (so not as a trusted peer). */
const CLIENT_A = "127.0.0.2";
const CLIENT_B = "127.0.0.3";
const DIRECT = "127.0.0.9";
/** A killed instance's members are seen leaving, and their names free, within this (server/directory/redis.ts). */
const REAP_MS = 15_000;

/** The README's ```nginx block in front of `server`'s web door, listening on `port`. */
function nginxInFront(server: RunningServer, port: number): Promise<RunningProxy> {
  const http = withPorts(readmeBlock("nginx"), { 80: `${PROXY_ADDRESS}:${port}`, 8000: server.httpPort! });
  return startNginx({ http, ports: [port] });
}

/** A server whose web door answers for nginx's `port` too (nginx passes the browser's Host on). */
function webServer(port: number, args: string[]): Promise<RunningServer> {
  return startServer([...args, "--public-host", `127.0.0.1:${port}`]);
}

/** Opens one more event stream of `client`'s session and says only how it was answered. */
async function streamStatus(client: WebClient): Promise<number> {
  const response = await fetch(new URL("/api/events", client.baseUrl), {
    headers: { Accept: "text/event-stream", ...client.cookieHeader },
    client: client.client,
  });
  await response.body?.cancel();
  return response.status;
}

/** Opens `client`'s event stream and waits for its own join in it. */
async function joinedStream(client: WebClient, name: string) {
  const events = await client.events();
  await events.expect((event) => {
    const wire = event.event === "message" ? parseEvent(event.data) : undefined;
    return wire?.kind === "join" && wire.from === name;
  });
  return events;
}

Deno.test({
  name:
    "through nginx (the README's block) the page loads, a browser signs in, streams and sends; a foreign Origin is refused",
  ...PROXY_TEST,
  async fn() {
    const port = freePort();
    await using server = await webServer(port, ["--trust-proxy", PROXY_ADDRESS]);
    await using _nginx = await nginxInFront(server, port);
    const viaNginx = `http://127.0.0.1:${port}`;

    const page = await fetch(`${viaNginx}/`);
    const html = await page.text();
    assert.equal(page.status, 200);
    assert.match(page.headers.get("Content-Type") ?? "", /^text\/html/);
    assert.match(html, /<html/i);

    using fromA = Deno.createHttpClient({ localAddress: CLIENT_A });
    const ana = new WebClient(viaNginx, fromA);
    assert.equal((await ana.signIn("Ana")).status, 201);
    await using events = await joinedStream(ana, "Ana");
    await using tom = await join(server.tcpPort, "Tom");
    await tom.send("hello from the terminal");
    await events.expect(isText("hello from the terminal"));
    assert.equal((await ana.say("hello through nginx")).status, 202);
    await events.expect(isText("hello through nginx"));
    await tom.expectLine("Ana: hello through nginx");

    const foreign = await ana.say("from another site", { origin: "http://evil.example" });
    assert.equal(foreign.status, 403);
    await tom.send("end");
    await tom.expectLine("Tom: end");
    assert.ok(!tom.received.includes("Ana: from another site"));
  },
});

Deno.test({
  name: "behind nginx and --trust-proxy each client address has its own quota of streams, and the log names the client",
  ...PROXY_TEST,
  async fn() {
    const port = freePort();
    const caps = ["--exempt", "none", "--max-per-address", "2"];
    await using server = await webServer(port, [...caps, "--trust-proxy", PROXY_ADDRESS]);
    await using _nginx = await nginxInFront(server, port);
    const viaNginx = `http://127.0.0.1:${port}`;
    using fromA = Deno.createHttpClient({ localAddress: CLIENT_A });
    using fromB = Deno.createHttpClient({ localAddress: CLIENT_B });

    const ana = new WebClient(viaNginx, fromA);
    assert.equal((await ana.signIn("Ana")).status, 201);
    await using _first = await joinedStream(ana, "Ana");
    await using _second = await ana.events();
    const third = await streamStatus(ana);
    assert.equal(third, 429, "a third stream from 127.0.0.2 is over its quota of 2");

    const bea = new WebClient(viaNginx, fromB);
    assert.equal((await bea.signIn("Bea")).status, 201, "127.0.0.3 has a quota of its own");
    await using _bea = await joinedStream(bea, "Bea");

    await server.expectLog(/web\.connect address=127\.0\.0\.2 name=Ana/);
    await server.expectLog(/web\.connect address=127\.0\.0\.3 name=Bea/);
    assert.doesNotMatch(server.logs(), /web\.connect address=127\.0\.0\.1 /, "nginx's address is nobody's");
  },
});

Deno.test({
  name: "behind nginx without --trust-proxy every browser counts as nginx's address: a second one is over the cap",
  ...PROXY_TEST,
  async fn() {
    const caps = ["--exempt", "none", "--max-per-address", "2"];
    const signIns: Record<string, number[]> = {};
    for (const trust of [["--trust-proxy", PROXY_ADDRESS], []]) {
      const port = freePort();
      await using server = await webServer(port, [...caps, ...trust]);
      await using _nginx = await nginxInFront(server, port);
      using fromA = Deno.createHttpClient({ localAddress: CLIENT_A });
      using fromB = Deno.createHttpClient({ localAddress: CLIENT_B });
      const ana = new WebClient(`http://127.0.0.1:${port}`, fromA);
      const bea = new WebClient(`http://127.0.0.1:${port}`, fromB);
      // Without trust, Ana's name and Bea's own request are two from 127.0.0.1.
      signIns[trust.length > 0 ? "trusted" : "untrusted"] = [
        (await ana.signIn("Ana")).status,
        (await bea.signIn("Bea")).status,
      ];
    }
    assert.deepEqual(signIns, { trusted: [201, 201], untrusted: [201, 429] });
  },
});

Deno.test({
  name: "through nginx stream with the PROXY protocol a terminal member chats, is logged and capped by its own address",
  ...PROXY_TEST,
  async fn() {
    const caps = ["--exempt", "none", "--max-per-address", "1"];
    await using server = await startServer([...caps, "--trust-proxy", PROXY_ADDRESS, "--proxy-protocol"]);
    const port = freePort();
    const stream = withPorts(readmeBlock("nginx-stream"), {
      6000: `${PROXY_ADDRESS}:${port}`,
      60000: server.tcpPort,
    });
    await using _nginx = await startNginx({ stream, ports: [port] });

    await using dee = await joinFrom(DIRECT, server.tcpPort, "Dee");
    await using ana = await joinFrom(CLIENT_A, port, "Ana");
    await ana.send("hello through nginx");
    await dee.expectLine("Ana: hello through nginx");
    await server.expectLog(/tcp\.connect address=127\.0\.0\.2 port=\d+/);

    await using again = await connectFrom(CLIENT_A, port);
    await again.expectLine(/^! too many connections from your address/);
    await again.closed();
    await using _cy = await joinFrom(CLIENT_B, port, "Cy");
    await dee.expectLine("* Cy joined the chat");
  },
});

/** Two instances on one Redis, each trusting HAProxy's PROXY header, with /readyz on a metrics port. */
function instanceArgs(redisUrl: string): string[] {
  return ["--redis", redisUrl, "--trust-proxy", PROXY_ADDRESS, "--proxy-protocol", "--metrics-port", "0"];
}

/** The README's ```haproxy block in front of instances `a` and `b`, listening on `port`. */
function haproxyInFront(port: number, a: RunningServer, b: RunningServer): Promise<RunningProxy> {
  const metricsPort = (server: RunningServer) => new URL(server.metricsUrl!).port;
  const config = withPorts(readmeBlock("haproxy"), {
    6001: port,
    60000: a.tcpPort,
    60010: b.tcpPort,
    9464: metricsPort(a),
    9474: metricsPort(b),
  });
  return startHaproxy(config, [port]);
}

/** Two instances of one room on a fresh Redis, with the README's HAProxy in front of them on `port`. */
async function haproxyRoom(): Promise<
  AsyncDisposable & { a: RunningServer; b: RunningServer; port: number; haproxy: RunningProxy }
> {
  await using started = new AsyncDisposableStack();
  const redis = started.use(await startRedis());
  const a = started.use(await startServer(instanceArgs(redis.url)));
  const b = started.use(await startServer(instanceArgs(redis.url)));
  const port = freePort();
  const haproxy = started.use(await haproxyInFront(port, a, b));
  const all = started.move();
  return { a, b, port, haproxy, [Symbol.asyncDispose]: () => all.disposeAsync() };
}

/** Which of the instances took the one TCP connection made so far, and the other. */
function whoServes(a: RunningServer, b: RunningServer): [RunningServer, RunningServer] {
  const onA = /tcp\.connect /.test(a.logs());
  assert.notEqual(onA, /tcp\.connect /.test(b.logs()), "exactly one instance has a connection");
  return onA ? [a, b] : [b, a];
}

Deno.test({
  name: "through HAProxy with send-proxy-v2 a terminal member chats, and its instance logs the member's address",
  ...PROXY_TEST,
  async fn() {
    await using room = await haproxyRoom();
    const { a, b, port } = room;

    await using ana = await joinFrom(CLIENT_A, port, "Ana");
    const [serving, other] = whoServes(a, b);
    await using dee = await joinFrom(DIRECT, other.tcpPort, "Dee");
    await ana.expectLine("* Dee joined the chat");
    await ana.send("hello through haproxy");
    await dee.expectLine("Ana: hello through haproxy");
    await serving.expectLog(/tcp\.connect address=127\.0\.0\.2 port=\d+/);
  },
});

Deno.test({
  name: "behind HAProxy a member whose instance is stopped rejoins the other by itself, under its name",
  ...PROXY_TEST,
  async fn() {
    await using room = await haproxyRoom();
    const { a, b, port } = room;

    await using ana = ChatClient.start(port, ["--name", "Ana"]);
    await ana.expectLine("* Ana joined the chat");
    const [serving, other] = whoServes(a, b);
    await using dee = await joinFrom(DIRECT, other.tcpPort, "Dee");
    await ana.expectLine("* Dee joined the chat");
    assert.equal(await serving.stop(), 0);
    await ana.expectLine("reconnected as Ana");
    await ana.type("still here");
    await dee.expectLine("Ana: still here");
    await ana.expectLine("Ana: still here");
  },
});

Deno.test({
  name: "behind HAProxy an instance killed with SIGKILL is taken out: new members reach the other, the client rejoins",
  ...PROXY_TEST,
  async fn() {
    await using room = await haproxyRoom();
    const { a, b, port, haproxy } = room;

    await using ana = ChatClient.start(port, ["--name", "Ana"]);
    await ana.expectLine("* Ana joined the chat");
    const [victim, survivor] = whoServes(a, b);
    const victimName = victim === a ? "a" : "b";
    await using dee = await joinFrom(DIRECT, survivor.tcpPort, "Dee");
    await ana.expectLine("* Dee joined the chat");

    // The killed instance holds Ana's name until its members are reaped (within REAP_MS): the client's rejoin
    // is refused as taken until then, and it keeps asking for its own name instead of giving it up.
    await victim.stop("SIGKILL");
    await haproxy.expectLog(new RegExp(`Server chat_instances/${victimName} is DOWN`));
    await using cy = await joinFrom(CLIENT_B, port, "Cy");
    await cy.send("hello after the kill");
    await dee.expectLine("Cy: hello after the kill");
    await survivor.expectLog(/tcp\.connect address=127\.0\.0\.3 port=\d+/);

    await dee.expectLine("* Ana left the chat (connection lost)", REAP_MS);
    await ana.expectLine("reconnected as Ana", REAP_MS);
    await ana.type("back through the balancer");
    await dee.expectLine("Ana: back through the balancer");
    await cy.expectLine("Ana: back through the balancer");
  },
});
