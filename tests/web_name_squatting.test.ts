/**
 * One address cannot hold more names than `--max-per-address`, whatever door they came through: web
 * members in their grace period and sign-ins waiting for their first stream hold a place from their
 * address, like its connections (the TCP door's members among them), on a real server.
 */
import assert from "node:assert/strict";
import { rawExchange } from "./helpers/raw_http.ts";
import { startServer } from "./helpers/server.ts";
import { openEvents } from "./helpers/sse_client.ts";
import { connectTcp, join } from "./helpers/tcp_client.ts";

const MAX = 4;
const LIMITS = ["--exempt", "none", "--max-per-address", String(MAX), "--grace", "60"];
const TOO_MANY = { error: `too many names and connections from your address (max ${MAX})` };

/** Signs in on a connection of its own, closed after the answer (so no idle connection is left counted). */
async function signIn(port: number, name: string): Promise<{ status: number; body: unknown; cookie?: string }> {
  const body = JSON.stringify({ name });
  const host = `127.0.0.1:${port}`;
  const answer = await rawExchange(
    port,
    `POST /api/session HTTP/1.1\r\nHost: ${host}\r\nOrigin: http://${host}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
  );
  const cookie = answer.headers.get("Set-Cookie")?.split(";")[0];
  return { status: answer.status, body: JSON.parse(answer.body), cookie };
}

/** What the script did: opens the session's stream until it is live, then closes it (grace begins). */
async function touchStream(port: number, cookie: string): Promise<void> {
  await using events = await openEvents(`http://127.0.0.1:${port}/api/events`, { Cookie: cookie });
  await events.until((event) => event.event === "members");
}

/** Repeats `attempt` until `done` holds, or the time is up (a closed connection is noticed a moment later). */
async function eventually<T>(attempt: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await attempt();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

Deno.test("names held from one address never exceed --max-per-address: web members in their grace period count, the next sign-in gets 429", async () => {
  await using server = await startServer(LIMITS);
  const port = server.httpPort!;
  // A sign-in's own connection counts while it is open: MAX - 1 names, each left in its grace period.
  for (let i = 1; i < MAX; i++) {
    const answer = await eventually(() => signIn(port, `Squat${i}`), (answer) => answer.status === 201);
    assert.equal(answer.status, 201, `Squat${i}: ${JSON.stringify(answer.body)}`);
    await touchStream(port, answer.cookie!);
  }
  const refused = await signIn(port, "Squat4");
  assert.deepEqual([refused.status, refused.body, refused.cookie], [429, TOO_MANY, undefined]);

  // A TCP member from the same address takes the last place; then neither door lets one more in.
  await using tcp = await join(server.tcpPort, "Tcp1");
  await using over = await connectTcp(server.tcpPort);
  await over.expectLine(`! too many connections from your address (max ${MAX})`);
  assert.equal((await signIn(port, "Squat5")).status, 429);
  await tcp.send("/who");
  assert.deepEqual(await tcp.linesUntil("  Tcp1 (tcp)"), [
    `${MAX} online:`,
    ...Array.from({ length: MAX - 1 }, (_, i) => `  Squat${i + 1} (web)`),
    "  Tcp1 (tcp)",
  ]);
});

Deno.test("a sign-in waiting for its first stream holds a place from its address, and the stream takes it over", async () => {
  await using server = await startServer(LIMITS);
  const port = server.httpPort!;
  const waiting = [];
  for (let i = 1; i < MAX; i++) {
    const answer = await eventually(() => signIn(port, `Wait${i}`), (answer) => answer.status === 201);
    assert.equal(answer.status, 201, `Wait${i}: ${JSON.stringify(answer.body)}`);
    waiting.push(answer.cookie!);
  }
  assert.deepEqual((await signIn(port, "Wait4")).body, TOO_MANY);
  // An open stream is a connection counted in the name's place: still no room for one more name.
  await using _stream = await openEvents(`http://127.0.0.1:${port}/api/events`, { Cookie: waiting[0] });
  await _stream.until((event) => event.event === "members");
  assert.equal((await signIn(port, "Wait4")).status, 429);
  // Signing out frees the place.
  const host = `127.0.0.1:${port}`;
  const out = await rawExchange(
    port,
    `DELETE /api/session HTTP/1.1\r\nHost: ${host}\r\nOrigin: http://${host}\r\nCookie: ${waiting[1]}\r\n` +
      `Connection: close\r\n\r\n`,
  );
  assert.equal(out.status, 204);
  const answer = await eventually(() => signIn(port, "Wait4"), (answer) => answer.status === 201);
  assert.equal(answer.status, 201);
});
