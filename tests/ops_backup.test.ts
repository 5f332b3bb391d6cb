/**
 * Backing up the SQLite file while the room runs: the server holds the file's lock, so the copy is made
 * by the server itself on SIGUSR1, next to the file, with everything said so far; nobody is disconnected.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { startServer } from "./helpers/server.ts";
import { join } from "./helpers/tcp_client.ts";

Deno.test("SIGUSR1 copies the database beside it while members chat on", async () => {
  const dir = await Deno.makeTempDir({ prefix: "chat-backup-" });
  try {
    await using server = await startServer(["--db", `${dir}/chat.db`]);
    await using ana = await join(server.tcpPort, "Ana");
    for (let i = 1; i <= 20; i++) await ana.send(`before ${i}`);
    await ana.expectLine("Ana: before 20");
    server.process.kill("SIGUSR1");
    await server.expectLog(/INFO store\.backup path=\S+chat\.db\.backup bytes=\d+ ms=\d+/);
    await ana.send("after the backup");
    await ana.expectLine("Ana: after the backup");

    const copy = new DatabaseSync(`${dir}/chat.db.backup`, { readOnly: true });
    try {
      const rows = copy.prepare("SELECT kind, data FROM events ORDER BY id").all() as { kind: string; data: string }[];
      const texts = rows.filter((row) => row.kind === "message").map((row) => JSON.parse(row.data).text);
      assert.deepEqual(texts, Array.from({ length: 20 }, (_, i) => `before ${i + 1}`));
      assert.equal(Object.values(copy.prepare("PRAGMA integrity_check").get()!)[0], "ok");
    } finally {
      copy.close();
    }
    assert.deepEqual(
      [...Deno.readDirSync(dir)].map((entry) => entry.name).filter((name) => name.includes("partial")),
      [],
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SIGUSR1 without a database file says there is nothing to back up", async () => {
  await using server = await startServer(["--db", ":memory:"]);
  server.process.kill("SIGUSR1");
  await server.expectLog(/WARN store\.backup_unsupported store=memory/);
});
