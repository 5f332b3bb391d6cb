/**
 * `/metrics` seen by a scraper while members chat: the figures move with what happens (messages, deliveries,
 * bytes, cut-offs, flood, resumes and resets, refusals, store latency, event-loop lag), and `--metrics-port`
 * moves them off the public door.
 */
import assert from "node:assert/strict";
import { WebClient, webMember } from "./helpers/http.ts";
import { scrape, scrapeUntil } from "./helpers/metrics.ts";
import { closeAll, idleConnections, rawExchange } from "./helpers/raw_http.ts";
import { startServer } from "./helpers/server.ts";
import { connectTcp, join } from "./helpers/tcp_client.ts";

Deno.test("metrics move as members chat on both doors", async () => {
  const dir = await Deno.makeTempDir({ prefix: "chat-metrics-" });
  try {
    await using server = await startServer(["--db", `${dir}/chat.db`]);
    const url = `${server.httpUrl}/metrics`;
    const response = await fetch(url);
    assert.equal(response.headers.get("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
    await response.body?.cancel();
    await using ana = await join(server.tcpPort, "Ana");
    const bob = await webMember(server.httpUrl, "Bob");
    await using _bobEvents = bob.events;
    for (let i = 1; i <= 3; i++) await ana.send(`tcp ${i}`);
    for (let i = 1; i <= 2; i++) assert.equal((await bob.client.say(`web ${i}`)).status, 202);
    await ana.send("/who"); // a command, not a message
    await ana.expectLine("Bob: web 2");
    const s = await scrapeUntil(url, (s) => s.get("chat_event_loop_lag_seconds_count")! > 0);
    assert.equal(s.get('chat_room_members{door="tcp"}'), 1);
    assert.equal(s.get('chat_room_members{door="web"}'), 1);
    assert.equal(s.get('chat_connections_open{door="tcp"}'), 1);
    assert.equal(s.get('chat_connections_open{door="web"}'), 1);
    assert.equal(s.get('chat_connections_accepted_total{door="tcp"}'), 1);
    assert.ok(s.get('chat_connections_accepted_total{door="web"}')! >= 2, "Bob's sends and his stream");
    assert.equal(s.get('chat_messages_received_total{door="tcp"}'), 3);
    assert.equal(s.get('chat_messages_received_total{door="web"}'), 2);
    // Ana got her own join, Bob's, and the five messages; Bob his join and the five messages.
    assert.ok(s.get('chat_events_delivered_total{door="tcp"}')! >= 7);
    assert.ok(s.get('chat_events_delivered_total{door="web"}')! >= 6);
    assert.ok(s.get('chat_bytes_sent_total{door="tcp"}')! > 100);
    assert.ok(s.get('chat_bytes_sent_total{door="web"}')! > 100);
    // Two joins and five messages, each in the file.
    assert.ok(s.get("chat_store_append_seconds_count")! >= 7);
    assert.equal(s.get('chat_store_append_seconds_bucket{le="+Inf"}'), s.get("chat_store_append_seconds_count"));
    assert.equal(s.get("chat_backlog_paused"), 0);
    assert.equal(s.get("chat_pending_lines"), 0);
    assert.equal(s.get("chat_pending_pauses_total"), 0);
    assert.equal(s.get("chat_ready"), 1);
    assert.ok(s.get("process_resident_memory_bytes")! > 1e6);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a reader that never reads is cut off and counted; the others are not", async () => {
  await using server = await startServer([
    ...["--sendq", String(128 * 1024), "--max-line", "65536"],
    ...["--flood-burst", "100000", "--flood-rate", "100000"],
  ]);
  await using ana = await join(server.tcpPort, "Ana");
  await using sleeper = await connectTcp(server.tcpPort, { reading: false });
  await sleeper.send("Sleeper");
  await ana.expectLine("* Sleeper joined the chat");
  const big = "z".repeat(32 * 1024);
  // Each message once Ana has it, until the sleeper's queue passes its limit (far below 4,000 × 32 KB).
  for (let sent = 1; !ana.received.includes("* Sleeper left the chat (too slow)"); sent++) {
    assert.ok(sent < 4000, "the sleeper should have been cut off by now");
    await ana.send(`${sent} ${big}`);
    await ana.expectLine(`Ana: ${sent} ${big}`);
  }
  const s = await scrape(`${server.httpUrl}/metrics`);
  assert.equal(s.get('chat_slow_readers_cut_off_total{door="tcp"}'), 1);
  assert.equal(s.get('chat_connections_open{door="tcp"}'), 1);
  assert.equal(s.get('chat_room_members{door="tcp"}'), 1);
});

Deno.test("flood: lines held back on TCP and sends refused on the web are counted", async () => {
  await using server = await startServer(["--flood-burst", "3", "--flood-rate", "20"]);
  await using ana = await join(server.tcpPort, "Ana");
  await ana.sendRaw(Array.from({ length: 6 }, (_, i) => `paste ${i + 1}\n`).join(""));
  await ana.expectLine("Ana: paste 6");
  const bob = await webMember(server.httpUrl, "Bob");
  await using _events = bob.events;
  const statuses: number[] = [];
  for (let i = 0; i < 6; i++) statuses.push((await bob.client.say(`burst ${i}`)).status);
  assert.ok(statuses.includes(429), `statuses: ${statuses}`);
  const s = await scrape(`${server.httpUrl}/metrics`);
  assert.ok(s.get('chat_flood_pauses_total{door="tcp"}')! >= 1);
  assert.equal(s.get('chat_flood_pauses_total{door="web"}'), statuses.filter((status) => status === 429).length);
  assert.equal(s.get('chat_messages_received_total{door="tcp"}'), 6, "held back, never dropped");
});

Deno.test("an SSE stream that comes back with Last-Event-ID counts a resume; one from too far back, a reset", async () => {
  await using server = await startServer();
  const url = `${server.httpUrl}/metrics`;
  const bob = await webMember(server.httpUrl, "Bob");
  const position = bob.events.lastEventId;
  await bob.events.close();
  {
    await using resumed = await bob.client.events(position);
    await resumed.expect((event) => event.event === "members");
    assert.equal(resumed.response.headers.get("X-Accel-Buffering"), "no", "a proxy must not hold frames back");
  }
  {
    await using reset = await bob.client.events("someotherstore-1");
    await reset.expect((event) => event.event === "reset");
  }
  const s = await scrape(url);
  assert.equal(s.get("chat_sse_resumes_total"), 2);
  assert.equal(s.get("chat_sse_resets_total"), 1);
});

Deno.test("every HTTP connection let in is counted as accepted, whatever it asks or if it asks nothing", async () => {
  // Scraped on its own port, so the scrapes are no web connections.
  await using server = await startServer(["--metrics-port", "0"]);
  const port = server.httpPort!;
  const WEB_ACCEPTED = 'chat_connections_accepted_total{door="web"}';
  const before = (await scrape(server.metricsUrl!)).get(WEB_ACCEPTED)!;
  for (let i = 0; i < 4; i++) {
    const answer = await rawExchange(
      port,
      `GET /api/session HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`,
    );
    assert.equal(answer.status, 401);
  }
  closeAll(await idleConnections(port, 2));
  const s = await scrapeUntil(server.metricsUrl!, (s) => s.get(WEB_ACCEPTED)! - before >= 6);
  const counted = s.get(WEB_ACCEPTED)! - before;
  // The server's own accept probe (accept_watch.ts) may add one.
  assert.ok(counted >= 6 && counted <= 7, `counted ${counted}`);
});

Deno.test("refused connections are counted by door and reason", async () => {
  // The metrics port is not a door: its scrape is not refused.
  await using server = await startServer(["--max-connections", "1", "--metrics-port", "0"]);
  await using _ana = await join(server.tcpPort, "Ana");
  await using refused = await connectTcp(server.tcpPort);
  await refused.closed();
  // Every HTTP connection counts too: the web door refuses this one at accept.
  assert.equal((await new WebClient(server.httpUrl).signIn("Bea")).status, 503);
  const s = await scrape(server.metricsUrl!);
  assert.equal(s.get('chat_connections_refused_total{door="tcp",reason="full"}'), 1);
  assert.equal(s.get('chat_connections_refused_total{door="web",reason="full"}'), 1);
  assert.equal(s.get('chat_connections_refused_total{door="tcp",reason="address"}'), 0);
});

Deno.test("--metrics-port serves /metrics, /healthz and /readyz on their own port, and the web door no /metrics", async () => {
  await using server = await startServer(["--metrics-port", "0"]);
  assert.match(server.metricsUrl!, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
  const s = await scrape(server.metricsUrl!);
  assert.equal(s.get("chat_ready"), 1);
  const base = new URL("/", server.metricsUrl!);
  for (const [path, status, body] of [["/healthz", 200, { ok: true }], ["/readyz", 200, { ready: true }]] as const) {
    const response = await fetch(new URL(path, base));
    assert.deepEqual([response.status, await response.json()], [status, body]);
  }
  const elsewhere = await fetch(new URL("/nothing", base));
  assert.equal(elsewhere.status, 404);
  await elsewhere.body?.cancel();
  const onWebDoor = await fetch(`${server.httpUrl}/metrics`);
  assert.equal(onWebDoor.status, 404);
  await onWebDoor.body?.cancel();
});
