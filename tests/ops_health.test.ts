/**
 * `/healthz` and `/readyz` from outside: healthy while the process serves; ready while the room can take
 * messages, and not while its store cannot (Redis stopped), then ready again once it is back.
 */
import assert from "node:assert/strict";
import { startRedis } from "./helpers/redis.ts";
import { startServer } from "./helpers/server.ts";
import { join } from "./helpers/tcp_client.ts";

const REDIS_TEST = { sanitizeOps: false, sanitizeResources: false };

async function get(url: string): Promise<{ status: number; body: unknown; cache: string | null }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.json(), cache: response.headers.get("Cache-Control") };
}

/** Asks `url` until it answers `status` (readiness follows the store within a moment); returns that answer. */
async function until(url: string, status: number, timeoutMs = 15_000): Promise<{ status: number; body: unknown }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { cache: _, ...answer } = await get(url);
    if (answer.status === status || Date.now() > deadline) return answer;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

Deno.test("a serving process is healthy and, with its store writable, ready", async () => {
  await using server = await startServer();
  assert.deepEqual(await get(`${server.httpUrl}/healthz`), { status: 200, body: { ok: true }, cache: "no-store" });
  assert.deepEqual(await get(`${server.httpUrl}/readyz`), { status: 200, body: { ready: true }, cache: "no-store" });
});

Deno.test({
  name: "/readyz turns 503 while Redis is stopped and 200 once it is back; members stay meanwhile",
  ...REDIS_TEST,
  async fn() {
    await using redis = await startRedis({ persist: true });
    await using server = await startServer(["--redis", redis.url]);
    const readyz = `${server.httpUrl}/readyz`;
    assert.deepEqual((await get(readyz)).body, { ready: true });
    await using ana = await join(server.tcpPort, "Ana");
    await redis.stop();
    assert.deepEqual(await until(readyz, 503), { status: 503, body: { ready: false, reason: "redis unreachable" } });
    assert.equal((await get(`${server.httpUrl}/healthz`)).status, 200, "unready is not unhealthy");
    await redis.start();
    assert.deepEqual(await until(readyz, 200), { status: 200, body: { ready: true } });
    let sent = false;
    for (let tries = 0; !sent && tries < 50; tries++) {
      await ana.send(`back ${tries}`);
      sent = (await ana.expectLine((line) => line.startsWith("Ana: back") || line.startsWith("! "))).startsWith("Ana:");
    }
    assert.ok(sent, "a ready room takes messages");
  },
});
