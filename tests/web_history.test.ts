/**
 * Older history over HTTP, `GET /api/history?before=ID&limit=N`, on the SQLite file and on Redis: paging back
 * reaches the first event kept, every page but the last is full even where others' private messages were
 * left out, a member sees its own private messages and never anyone else's, and bad requests are refused.
 */
import assert from "node:assert/strict";
import type { HistoryAnswer } from "../common/api.ts";
import type { WireEvent } from "../common/wire.ts";
import { isText, WebClient, webMember } from "./helpers/http.ts";
import { startRedis } from "./helpers/redis.ts";
import { type RunningServer, startServer } from "./helpers/server.ts";
import { join } from "./helpers/tcp_client.ts";

const FLOOD = ["--flood-burst", "1000", "--flood-rate", "1000"];

interface Store {
  name: string;
  /** Starts a server on a fresh store; `cleanup` releases what it made. */
  start(): Promise<{ server: RunningServer; cleanup(): Promise<void> }>;
}

const STORES: Store[] = [
  {
    name: "the SQLite file",
    async start() {
      const dir = await Deno.makeTempDir({ prefix: "chat-history-" });
      const server = await startServer(["--db", `${dir}/chat.db`, ...FLOOD]);
      return {
        server,
        async cleanup() {
          await server.stop();
          await Deno.remove(dir, { recursive: true });
        },
      };
    },
  },
  {
    name: "Redis",
    async start() {
      const redis = await startRedis();
      const server = await startServer(["--redis", redis.url, ...FLOOD]);
      return {
        server,
        async cleanup() {
          await server.stop();
          await redis[Symbol.asyncDispose]();
        },
      };
    },
  },
];

async function history(client: WebClient, before: string, limit?: number) {
  const query = `before=${encodeURIComponent(before)}${limit === undefined ? "" : `&limit=${limit}`}`;
  return await client.request("GET", `/api/history?${query}`);
}

/** Pages back from `before` in pages of `limit` until `more` is false; every page checked. */
async function pageBack(client: WebClient, before: string, limit: number): Promise<WireEvent[][]> {
  const pages: WireEvent[][] = [];
  let cursor = before;
  for (;;) {
    const answer = await history(client, cursor, limit);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const { events, more, next } = answer.body as HistoryAnswer;
    assert.ok(events.length <= limit, `a page of ${events.length} for a limit of ${limit}`);
    pages.unshift(events);
    if (!more) return pages;
    assert.equal(events.length, limit, "a page that is not the last is full");
    assert.equal(next, events[0].id, "a full page goes on from its oldest event");
    cursor = next;
  }
}

for (const store of STORES) {
  Deno.test({
    name: `on ${store.name}, paging back reaches the first event, full pages, own private messages but no one else's`,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const { server, cleanup } = await store.start();
      try {
        const { client: ana, events } = await webMember(server.httpUrl, "Ana");
        await using _events = events;
        await using cy = await join(server.tcpPort, "Cy");
        const { client: _bob, events: bobEvents } = await webMember(server.httpUrl, "Bob");
        await using _bobEvents = bobEvents;
        for (let n = 1; n <= 12; n++) await cy.send(`public ${n}`);
        for (let n = 1; n <= 9; n++) await cy.send(`/msg Bob secret ${n}`);
        await bobEvents.expect(isText("secret 9"));
        await ana.say("/msg Bob mine");
        await events.expect(isText("mine"));
        for (let n = 13; n <= 20; n++) await cy.send(`public ${n}`);
        await cy.send("/msg Ana to Ana");
        await cy.send("last");
        await events.expect(isText("last"));
        const newest = events.lastEventId;

        for (const limit of [1, 4, 7, 50]) {
          const pages = await pageBack(ana, newest, limit);
          const seen = pages.flat();
          const ids = seen.map((event) => Number(event.id.slice(event.id.lastIndexOf("-") + 1)));
          assert.deepEqual(ids, [...ids].sort((a, b) => a - b), "oldest first, across pages");
          assert.equal(new Set(ids).size, ids.length, "each event once");
          assert.deepEqual([seen[0].kind, seen[0].from], ["join", "Ana"], "down to the first event");
          const texts = seen.filter((event) => event.kind === "message").map((event) => event.text);
          assert.deepEqual(texts, [
            ...Array.from({ length: 12 }, (_, i) => `public ${i + 1}`),
            "mine",
            ...Array.from({ length: 8 }, (_, i) => `public ${i + 13}`),
            "to Ana",
          ]);
          assert.equal(seen.find((event) => event.text === "mine")?.to, "Bob");
          const atStart = await history(ana, seen[0].id, limit);
          assert.deepEqual(
            [atStart.status, (atStart.body as HistoryAnswer).events, (atStart.body as HistoryAnswer).more],
            [200, [], false],
            "empty at the start",
          );
        }
        const bob = await pageBack(_bob, newest, 200);
        assert.equal(bob.flat().filter((event) => event.text?.startsWith("secret")).length, 9, "Bob's own");
        assert.ok(!bob.flat().some((event) => event.text === "to Ana"), "never Ana's");
        const defaultPage = await history(ana, newest);
        assert.equal(
          (defaultPage.body as HistoryAnswer).events.length,
          25,
          "without a limit, up to 50: all 25 before the newest",
        );
      } finally {
        await cleanup();
      }
    },
  });
}

Deno.test("GET /api/history refuses a bad id or limit with 400, and without a session with 401", async () => {
  await using server = await startServer();
  const { client: ana, events } = await webMember(server.httpUrl, "Ana");
  await using _ = events;
  const own = events.lastEventId;
  const epoch = own.slice(0, own.indexOf("-"));
  const bad = async (query: string) => {
    const answer = await ana.request("GET", `/api/history?${query}`);
    assert.equal(answer.status, 400, `${query}: ${answer.status}`);
    assert.equal(typeof (answer.body as { error: unknown }).error, "string", query);
  };
  for (const id of ["x", "", `${epoch}-`, `${epoch}-1.5`, `${epoch}-999999`, `ffff${epoch}-1`, `${epoch}-1-2`]) {
    await bad(`before=${encodeURIComponent(id)}`);
  }
  await bad("limit=5");
  for (const limit of ["0", "201", "-1", "abc", "1.5", "1e2", ""]) {
    await bad(`before=${encodeURIComponent(own)}&limit=${limit}`);
  }
  assert.equal((await ana.request("GET", `/api/history?before=${own}&limit=200`)).status, 200);
  const stranger = await new WebClient(server.httpUrl).request("GET", `/api/history?before=${own}`);
  assert.deepEqual([stranger.status, stranger.body], [401, { error: "not signed in" }]);
});
