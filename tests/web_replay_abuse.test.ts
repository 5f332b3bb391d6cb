/**
 * What a hostile replay costs the server: streams that ask for the whole log and never read hold what
 * their send queues hold, not the gap they asked for.
 */
import assert from "node:assert/strict";
import { WebClient } from "./helpers/http.ts";
import { rss } from "./helpers/memory.ts";
import { startServer } from "./helpers/server.ts";
import { join } from "./helpers/tcp_client.ts";

const EVENTS = 10_000;
const TEXT_BYTES = 2_000;
const STREAMS = 4;
const WATCH_MS = 3_000;

Deno.test("streams replaying the whole log that never read cost their send queues, not the gap", async () => {
  const dir = await Deno.makeTempDir({ prefix: "chat-replay-" });
  try {
    await using server = await startServer(
      [...["--db", `${dir}/chat.db`, "--flood-burst", "1000000", "--flood-rate", "1000000"]],
      // Every collection a full one and a small young generation, as in the dribbling test: RSS then shows
      // what the streams hold, not the garbage their replays left behind them.
      { DENO_V8_FLAGS: "--max-semi-space-size=1,--gc-global" },
    );
    await using ana = await join(server.tcpPort, "Ana");
    const text = "x".repeat(TEXT_BYTES - 10);
    for (let i = 0; i < EVENTS; i++) await ana.sendRaw(`${String(i).padStart(8, "0")} ${text}\n`);
    await ana.expectLine(`Ana: ${String(EVENTS - 1).padStart(8, "0")} ${text}`, 60_000);

    const bea = new WebClient(server.httpUrl);
    assert.equal((await bea.signIn("Bea")).status, 201);
    const position = await bea.streamPosition();
    // The first event of this log's epoch (Ana's join): everything after it is the gap asked for.
    const oldest = `${position.slice(0, position.lastIndexOf("-"))}-1`;
    const gapBytes = EVENTS * TEXT_BYTES;

    const before = rss(server.process.pid);
    const stalled = await Promise.all(
      Array.from({ length: STREAMS }, () => bea.events(oldest, "", { paused: true })),
    );
    let peak = before;
    for (const started = Date.now(); Date.now() - started < WATCH_MS;) {
      peak = Math.max(peak, rss(server.process.pid));
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const grown = peak - before;
    // Loaded whole, each stream would hold the gap (20 MB of text, more as frames and objects): 4 of them
    // well over 80 MB. Paged at each stream's pace, they hold about their send queues (256 KiB each).
    assert.ok(
      grown < gapBytes,
      `RSS grew by ${(grown / 2 ** 20).toFixed(1)} MiB for ${STREAMS} stalled replays of ${
        (gapBytes / 2 ** 20).toFixed(1)
      } MiB each`,
    );
    await Promise.all(stalled.map((stream) => stream[Symbol.asyncDispose]()));
    await ana.send("still quick");
    await ana.expectLine("Ana: still quick");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
