/**
 * The chat's web app in-process: `createChatApp` driven through `app.request()` over a real Room with the
 * memory store, no network. What every answer carries, and what the API answers, whatever server runs it.
 */
import assert from "node:assert/strict";
import type { Hono } from "hono";
import { parseConfig } from "../server/config.ts";
import { Flusher } from "../server/io/flusher.ts";
import { createChatApp } from "../server/web/app.ts";
import { WebDoor } from "../server/web/door.ts";
import { ConnectionCaps } from "../server/io/caps.ts";
import type { AppEnv } from "../server/web/env.ts";
import { testRoom } from "./helpers/room.ts";

const ORIGIN = "http://localhost";

async function withApp(test: (app: Hono<AppEnv>) => Promise<void>): Promise<void> {
  const config = parseConfig([], {});
  const { room } = testRoom({ maxMessageBytes: config.maxLine });
  const web = new WebDoor(
    room,
    {
      sendq: config.sendq,
      graceMs: 0,
      heartbeatMs: 0,
      registrationTimeoutMs: 60_000,
    },
    new Flusher(),
    new ConnectionCaps({
      maxPerAddress: config.maxPerAddress,
      maxConnections: config.maxConnections,
      exempt: config.exempt,
    }),
  );
  try {
    await test(await createChatApp({ room, web, config }));
  } finally {
    await web.shutdown();
    room.close();
  }
}

function json(method: string, body: unknown, origin = ORIGIN, cookie = ""): RequestInit {
  return {
    method,
    body: JSON.stringify(body),
    headers: { "Content-Type": "application/json", Origin: origin, Cookie: cookie },
  };
}

Deno.test("every answer carries the security headers: pages, files, JSON, and every kind of error", async () => {
  await withApp(async (app) => {
    const answers: [string, Response][] = [
      ["page", await app.request("/", { headers: { Accept: "text/html" } })],
      ["static file", await app.request("/styles.css")],
      ["JSON", await app.request("/api/session")],
      ["404 page", await app.request("/no-such-page", { headers: { Accept: "text/html" } })],
      ["404 JSON", await app.request("/api/no-such-call")],
      ["403 foreign origin", await app.request("/api/session", json("POST", { name: "Ana" }, "https://evil.example"))],
      ["405", await app.request("/api/session", { method: "PUT", headers: { Origin: ORIGIN } })],
      ["413", await app.request("/api/messages", json("POST", { text: "x".repeat(100_000) }))],
    ];
    for (const [what, response] of answers) {
      await response.body?.cancel();
      const csp = response.headers.get("Content-Security-Policy") ?? "";
      assert.match(csp, /script-src 'self'/, what);
      assert.match(csp, /frame-ancestors 'none'/, what);
      assert.equal(response.headers.get("X-Content-Type-Options"), "nosniff", what);
      assert.equal(response.headers.get("Referrer-Policy"), "no-referrer", what);
    }
    assert.deepEqual(answers.map(([, response]) => response.status), [200, 200, 401, 404, 404, 403, 405, 413]);
  });
});

Deno.test("API answers are never cached and errors are JSON with a reason", async () => {
  await withApp(async (app) => {
    const response = await app.request("/api/session", json("POST", { name: "" }));
    assert.equal(response.status, 400);
    assert.equal(response.headers.get("Cache-Control"), "no-store");
    assert.equal(response.headers.get("Content-Type"), "application/json");
    assert.ok(typeof (await response.json()).error === "string");
  });
});

Deno.test("signing in sets an HttpOnly, SameSite=Strict cookie that names the member on the next request", async () => {
  await withApp(async (app) => {
    const signIn = await app.request("/api/session", json("POST", { name: "Ana" }));
    assert.equal(signIn.status, 201);
    const cookie = signIn.headers.get("Set-Cookie") ?? "";
    assert.match(cookie, /^chat_session=[\w-]+; Path=\/; HttpOnly; SameSite=Strict$/);
    const who = await app.request("/api/session", { headers: { Cookie: cookie.split(";")[0] } });
    assert.deepEqual(await who.json(), { name: "Ana" });
  });
});

Deno.test("/api/events answers ?check and HEAD without a stream; a stream itself needs node:http", async () => {
  await withApp(async (app) => {
    const cookie = (await app.request("/api/session", json("POST", { name: "Ana" }))).headers.get("Set-Cookie")!
      .split(";")[0];
    const headers = { Cookie: cookie };
    assert.equal((await app.request("/api/events?check", { headers })).status, 204);
    const head = await app.request("/api/events", { method: "HEAD", headers });
    assert.deepEqual([head.status, head.headers.get("Content-Type"), head.body], [200, "text/event-stream", null]);
    const stream = await app.request("/api/events", { headers });
    assert.equal(stream.status, 501);
    assert.equal((await app.request("/api/events")).status, 401);
  });
});

Deno.test("HEAD answers the Content-Length of the GET, with no body", async () => {
  await withApp(async (app) => {
    for (const path of ["/", "/styles.css", "/api/session"]) {
      const get = await app.request(path);
      const length = (await get.arrayBuffer()).byteLength;
      const head = await app.request(path, { method: "HEAD" });
      assert.equal(head.headers.get("Content-Length"), String(length), path);
      assert.equal(head.body, null, path);
    }
  });
});
