/**
 * `/msg NAME text` on a real server, across both doors: only the two members see it, live and in their
 * own replays; a third member, the page's history, and whoever takes the name later (also after a
 * restart on the same database) never do.
 */
import assert from "node:assert/strict";
import { isText, parseEvent, WebClient, webMember } from "./helpers/http.ts";
import { startServer } from "./helpers/server.ts";
import type { SseClient } from "./helpers/sse_client.ts";
import { join } from "./helpers/tcp_client.ts";

async function tempDb(): Promise<{ db: string } & AsyncDisposable> {
  const dir = await Deno.makeTempDir({ prefix: "chat-private-" });
  return { db: `${dir}/chat.db`, [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }) };
}

/** Every room event the stream gets until (and with) the one matching `last`. */
async function textsUntil(events: SseClient, last: string): Promise<string[]> {
  const seen = await events.until(isText(last));
  return seen.filter((event) => event.event === "message").map((event) => parseEvent(event.data).text ?? "");
}

Deno.test("TCP to TCP: the recipient and the sender see it, each their way; a third member sees nothing", async () => {
  await using server = await startServer();
  await using ana = await join(server.tcpPort, "Ana");
  await using bob = await join(server.tcpPort, "Bob");
  await using cy = await join(server.tcpPort, "Cy");
  await ana.send("/msg bob meet me at noon");
  await bob.expectLine("[private] Ana: meet me at noon");
  await ana.expectLine("[private to Bob] meet me at noon");
  await ana.send("public again");
  await cy.expectLine("Ana: public again");
  assert.ok(!cy.received.some((line) => line.includes("noon")), cy.received.join("\n"));
});

Deno.test("TCP to web and web to TCP, and the web member sees it in every tab", async () => {
  await using server = await startServer();
  await using ana = await join(server.tcpPort, "Ana");
  const bob = await webMember(server.httpUrl, "Bob");
  await using tab1 = bob.events;
  await using tab2 = await bob.client.events();
  await using eve = (await webMember(server.httpUrl, "Eve")).events;
  await ana.send("/msg Bob to the browser");
  for (const tab of [tab1, tab2]) {
    const event = parseEvent((await tab.expect(isText("to the browser"))).data);
    assert.deepEqual([event.kind, event.from, event.to], ["message", "Ana", "Bob"]);
    assert.equal(JSON.stringify(event).includes("fromId"), false, "member ids stay on the server");
  }
  assert.equal((await bob.client.say("/msg ana back to the terminal")).status, 202);
  await ana.expectLine("[private] Bob: back to the terminal");
  assert.equal((await bob.client.say("public")).status, 202);
  assert.deepEqual(await textsUntil(eve, "public"), ["public"], "Eve saw neither private message");
});

Deno.test("web to web, and a message to someone absent is a clear error that sends nothing", async () => {
  await using server = await startServer();
  const ana = await webMember(server.httpUrl, "Ana");
  await using _ana = ana.events;
  const bob = await webMember(server.httpUrl, "Bob");
  await using _bob = bob.events;
  assert.equal((await ana.client.say("/msg Bob psst")).status, 202);
  const got = parseEvent((await bob.events.expect(isText("psst"))).data);
  assert.equal(got.to, "Bob");
  const absent = await ana.client.say("/msg Nobody hello?");
  assert.equal(absent.status, 404);
  assert.deepEqual(absent.body, { error: "no one called Nobody is here" });
  const usage = await ana.client.say("/msg Bob");
  assert.equal(usage.status, 400);
  assert.deepEqual(usage.body, { error: "usage: /msg NAME text" });
});

Deno.test("a TCP message to someone absent says so, and /help lists /msg", async () => {
  await using server = await startServer();
  await using ana = await join(server.tcpPort, "Ana");
  await ana.send("/msg Ghost boo");
  await ana.expectLine("! no one called Ghost is here");
  await ana.send("/help");
  await ana.expectLine((line) => line.includes("/msg NAME text"));
});

Deno.test("an SSE resume replays a private message only to the streams of its two members", async () => {
  await using server = await startServer();
  await using ana = await join(server.tcpPort, "Ana");
  const bob = await webMember(server.httpUrl, "Bob");
  const eve = await webMember(server.httpUrl, "Eve");
  const [bobFrom, eveFrom] = [bob.events.lastEventId, eve.events.lastEventId];
  await bob.events.close();
  await eve.events.close();
  await ana.send("/msg Bob while you were away");
  await ana.send("and this for everyone");
  await ana.expectLine("Ana: and this for everyone");
  await using bobAgain = await bob.client.events(bobFrom);
  await using eveAgain = await eve.client.events(eveFrom);
  const bobTexts = await textsUntil(bobAgain, "and this for everyone");
  const eveTexts = await textsUntil(eveAgain, "and this for everyone");
  assert.ok(bobTexts.includes("while you were away"), bobTexts.join(" | "));
  assert.ok(!eveTexts.includes("while you were away"), eveTexts.join(" | "));
});

Deno.test("the page's server-rendered history never holds a private message", async () => {
  await using server = await startServer();
  await using ana = await join(server.tcpPort, "Ana");
  await using _bob = await join(server.tcpPort, "Bob");
  await ana.send("/msg Bob secret handshake");
  await ana.expectLine("[private to Bob] secret handshake");
  const html = await (await fetch(server.httpUrl + "/")).text();
  assert.doesNotMatch(html, /secret handshake/);
});

Deno.test("whoever takes the name later sees nothing of it, before and after a restart on the same database", async () => {
  await using tmp = await tempDb();
  const args = ["--db", tmp.db, "--history", "50"];
  {
    await using server = await startServer(args);
    await using ana = await join(server.tcpPort, "Ana");
    {
      await using bob = await join(server.tcpPort, "Bob");
      await ana.send("/msg Bob only for the first Bob");
      await bob.expectLine("[private] Ana: only for the first Bob");
      await bob.send("/quit");
      await bob.expectLine("Goodbye!");
    }
    await using bob2 = await join(server.tcpPort, "Bob");
    await bob2.send("/who");
    await bob2.expectLine("  Bob (tcp)");
    assert.ok(!bob2.received.some((line) => line.includes("only for the first Bob")), bob2.received.join("\n"));
    const web = new WebClient(server.httpUrl);
    assert.equal((await web.signIn("Bobby")).status, 201);
    await using stream = await web.events("x");
    const reset = await stream.expect((event) => event.event === "reset");
    assert.doesNotMatch(reset.data, /only for the first Bob/);
  }
  await using server = await startServer(args);
  await using bob3 = await join(server.tcpPort, "Bob");
  await bob3.send("/who");
  await bob3.expectLine("  Bob (tcp)");
  assert.ok(!bob3.received.some((line) => line.includes("only for the first Bob")), bob3.received.join("\n"));
});
