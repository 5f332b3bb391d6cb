/**
 * A crowded room: what each newcomer is sent about who is present, and the `/who` reply, stay bounded
 * however many are present, while the counts stay true.
 */
import assert from "node:assert/strict";
import { MEMBERS_LISTED, type WireMembers } from "../common/wire.ts";
import { MAX_NAMES_IN_WHO } from "../server/room/outcome.ts";
import { webMember } from "./helpers/http.ts";
import { type RunningServer, startServer } from "./helpers/server.ts";
import { join, type TcpClient } from "./helpers/tcp_client.ts";

/** More than either bound, so both must cut the list short. */
const CROWD = MEMBERS_LISTED + 50;
const BATCH = 25;
const TIMEOUT_MS = 60_000;

/** `CROWD` TCP members, joined a batch at a time; every one of them is present when this resolves. */
async function crowd(server: RunningServer): Promise<TcpClient[]> {
  const clients: TcpClient[] = [];
  try {
    for (let start = 0; start < CROWD; start += BATCH) {
      const names = Array.from({ length: Math.min(BATCH, CROWD - start) }, (_, i) => `crowd${start + i}`);
      clients.push(...await Promise.all(names.map((name) => join(server.tcpPort, name, TIMEOUT_MS))));
    }
  } catch (error) {
    await leave(clients);
    throw error;
  }
  return clients;
}

async function leave(clients: TcpClient[]): Promise<void> {
  await Promise.all(clients.map((client) => client[Symbol.asyncDispose]()));
}

Deno.test({
  name: "in a crowded room a new stream, the page and /who list a bounded number of members and count them all",
  async fn() {
    await using server = await startServer();
    const clients = await crowd(server);
    try {
      const { client: bob, events } = await webMember(server.httpUrl, "Bob");
      await using _ = events;

      const [members] = (await events.until((event) => event.event === "members", TIMEOUT_MS)).slice(-1);
      const snapshot = JSON.parse(members.data) as WireMembers;
      assert.equal(snapshot.total, CROWD + 1);
      assert.equal(snapshot.members.length, MEMBERS_LISTED);
      // The crowd joined a batch at a time, so the first arrivals are the earliest batches.
      const listed = snapshot.members.map((member) => Number(member.name.slice("crowd".length)));
      const wholeBatches = MEMBERS_LISTED - MEMBERS_LISTED % BATCH;
      assert.equal(new Set(listed).size, MEMBERS_LISTED, "each member listed once");
      assert.ok(listed.every((n) => n < wholeBatches + BATCH), "only the first arrivals are listed");
      assert.equal(listed.filter((n) => n < wholeBatches).length, wholeBatches, "every one of them");

      const html = await (await fetch(server.httpUrl + "/")).text();
      assert.equal(html.match(/class="member-name"/g)?.length, MEMBERS_LISTED);
      assert.match(html, new RegExp(`Online <span class="count">${CROWD + 1}</span>`));
      assert.match(html, new RegExp(`and ${CROWD + 1 - MEMBERS_LISTED} more`));

      const more = `  … and ${CROWD + 1 - MAX_NAMES_IN_WHO} more`;
      const web = await bob.say("/who");
      assert.equal(web.status, 202);
      const reply = (web.body as { reply: string[] }).reply;
      assert.equal(reply.length, 1 + MAX_NAMES_IN_WHO + 1);
      assert.deepEqual([reply[0], reply.at(-1)], [`${CROWD + 1} online:`, more]);

      const [ana] = clients;
      await ana.send("/who");
      await ana.expectLine(`${CROWD + 1} online:`, TIMEOUT_MS);
      const lines = await ana.linesUntil(more, TIMEOUT_MS);
      assert.equal(lines.length, MAX_NAMES_IN_WHO + 1);
      assert.ok(lines.slice(0, -1).every((line) => /^ {2}crowd\d+ \(tcp\)$/.test(line)), lines.join("\n"));
    } finally {
      await leave(clients);
    }
  },
});
