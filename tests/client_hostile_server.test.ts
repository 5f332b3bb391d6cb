/**
 * The terminal client (`deno task client`) against a server that does not play by the rules: whatever
 * answers on the port must not reorder the terminal's text nor make the client hold or copy without end.
 * The server here is a script on a real socket, speaking just enough of the TCP door to sign the client in.
 */
import assert from "node:assert/strict";
import { ChatClient, textOf } from "./helpers/client_process.ts";
import { rss } from "./helpers/memory.ts";

const encoder = new TextEncoder();
const MB = 1024 * 1024;

/**
 * Accepts one client, signs it in (greeting, the hidden `/who`), then runs `script` on the connection, which
 * stays open until the server is disposed.
 */
function hostileServer(script: (conn: Deno.Conn) => Promise<void>) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => release = resolve);
  const served = (async () => {
    const conn = await listener.accept();
    const lines = readLines(conn);
    const say = (text: string) => conn.write(encoder.encode(text));
    try {
      await say("Welcome to the chatroom! Enter your name:\n");
      const name = (await lines.next()).value;
      await say(`Hello, ${name}! Online (1): ${name}. Type /help for commands.\n`);
      assert.equal((await lines.next()).value, "/who");
      await say(`1 online:\n  ${name} (tcp)\n`);
      await script(conn);
      await released;
    } finally {
      conn.close();
    }
  })();
  // A client that goes away mid-script ends the script: the test's own assertions say what went wrong.
  served.catch(() => {});
  return {
    port: (listener.addr as Deno.NetAddr).port,
    async [Symbol.asyncDispose]() {
      release();
      listener.close();
      await served.catch(() => {});
    },
  };
}

async function* readLines(conn: Deno.Conn): AsyncGenerator<string> {
  let text = "";
  const decoder = new TextDecoder();
  const buffer = new Uint8Array(4096);
  for (;;) {
    const n = await conn.read(buffer);
    if (n === null) return;
    text += decoder.decode(buffer.subarray(0, n), { stream: true });
    for (let end = text.indexOf("\n"); end !== -1; end = text.indexOf("\n")) {
      yield text.slice(0, end);
      text = text.slice(end + 1);
    }
  }
}

Deno.test("bidirectional overrides and isolates from the server never reach the terminal", async () => {
  await using server = hostileServer(async (conn) => {
    await conn.write(encoder.encode("Eve: \u202egnp.exe\u202c and \u2066isolated\u2069\n"));
  });
  await using ana = ChatClient.start(server.port, ["--name", "Ana"]);
  const line = await ana.expectLine(/^Eve: /);
  assert.equal(textOf(line), "Eve: gnp.exe and isolated");
});

Deno.test("a line from the server past its maximum is reported and skipped to its end, in linear time and bounded memory", async () => {
  await using server = hostileServer(async (conn) => {
    await conn.write(encoder.encode("Eve: short\nEve: "));
    const chunk = new Uint8Array(64 * 1024).fill(0x78);
    for (let sent = 0; sent < 32 * MB; sent += chunk.length) await conn.write(chunk);
    await conn.write(encoder.encode("\nEve: after\n"));
  });
  await using ana = ChatClient.start(server.port, ["--name", "Ana"]);
  await ana.expectLine("Eve: short");
  await ana.expectLine("a line from the server was too long (over 6144 bytes) and was skipped");
  await ana.expectLine("Eve: after", 20_000);
  const memory = rss(ana.process.pid);
  assert.ok(memory < 200 * MB, `the client holds ${Math.round(memory / MB)} MB`);
  assert.equal(ana.count(/^Eve: x/), 0, "nothing of the long line was printed");
});
