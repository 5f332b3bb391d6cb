/** What a hostile TCP client costs the server: memory follows the bytes it sent, not how it split them. */
import assert from "node:assert/strict";
import { socketQueues } from "./helpers/kernel_queues.ts";
import { rss } from "./helpers/memory.ts";
import { startServer } from "./helpers/server.ts";
import { connectTcp, DEFAULT_TIMEOUT_MS, join, type TcpClient, WELCOME } from "./helpers/tcp_client.ts";

const CONNECTIONS = 200;
const BYTES_EACH = 2048;
const ONE_BYTE = Uint8Array.of(0x78);
const NEWLINE = Uint8Array.of(0x0a);
const WARM_UP_ROUNDS = 2;

/** Bytes the kernel holds on either side of the door's sockets: sent by a client, not yet read by the server. */
function unread(port: number): number {
  return socketQueues(port).reduce((sum, socket) => sum + (socket.side === "server" ? socket.rx : socket.tx), 0);
}

/**
 * Waits until the server has read every byte sent to its TCP door, then makes one round trip on `probe`
 * so that what it read has been handled too. A partial line gets no answer, so there is nothing else to
 * wait for.
 */
async function allRead(port: number, probe: TcpClient): Promise<void> {
  let left = unread(port);
  let deadline = Date.now() + DEFAULT_TIMEOUT_MS;
  while (left > 0) {
    if (Date.now() > deadline) throw new Error(`the server stopped reading with ${left} bytes unread`);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const now = unread(port);
    if (now < left) deadline = Date.now() + DEFAULT_TIMEOUT_MS; // a slow server is fine while it makes progress
    left = now;
  }
  await probe.send("");
  await probe.expectLine("Enter your name:");
}

/** One byte per write, taking the connections in turn: each byte reaches the server as its own read. */
async function dribble(clients: TcpClient[], bytes: number): Promise<void> {
  for (let i = 0; i < bytes; i++) await Promise.all(clients.map((client) => client.conn.write(ONE_BYTE)));
}

Deno.test("dribbled bytes cost the server memory in proportion to the bytes, not to the reads", async () => {
  await using server = await startServer(
    // No name is given, so the registration deadline must outlast the dribbling on a slow machine.
    ["--registration-timeout", "600"],
    // Each read leaves a few hundred bytes of garbage and V8 sizes its heap to that churn: a bare Deno
    // server that only reads grows by ~66 MiB over 1M one-byte reads (given back once idle), and where a
    // sample falls in the GC cycle moves RSS by several MiB. A 1 MiB semi-space, every collection a full
    // one, keeps the heap at what is live, so RSS shows what the lines hold (the server only runs slower).
    { DENO_V8_FLAGS: "--max-semi-space-size=1,--gc-global" },
  );
  const pid = server.process.pid;
  await using probe = await connectTcp(server.tcpPort);
  await probe.expectLine(WELCOME);
  const clients: TcpClient[] = [];
  try {
    for (let i = 0; i < CONNECTIONS; i++) {
      const client = await connectTcp(server.tcpPort);
      clients.push(client);
      client.conn.setNoDelay(true); // no Nagle: every one-byte write leaves as its own segment
      await client.expectLine(WELCOME);
    }

    // Warm-up: the same reads, while the reader skips an over-long line and so keeps nothing, bring the
    // server to its working size for this churn. Bytes kept here and freed would be reused below and hide
    // a reader that keeps too much, hence the skipping. The baseline then includes the connections.
    const overLong = new Uint8Array(BYTES_EACH + 2).fill(0x78);
    await Promise.all(clients.map((client) => client.sendRaw(overLong)));
    await Promise.all(clients.map((client) => client.expectLine("Enter your name:")));
    for (let round = 0; round < WARM_UP_ROUNDS; round++) await dribble(clients, BYTES_EACH);
    await Promise.all(clients.map((client) => client.conn.write(NEWLINE)));
    await allRead(server.tcpPort, probe);
    const before = rss(pid);

    await dribble(clients, BYTES_EACH);
    await allRead(server.tcpPort, probe);
    const grown = rss(pid) - before;
    const sent = CONNECTIONS * BYTES_EACH;
    // A copy per read held 22-36 MiB here (57-90× the bytes); one buffer per partial line, under 1 MiB.
    assert.ok(
      grown < 10 * sent,
      `RSS grew by ${(grown / 1024).toFixed(0)} KiB for ${sent / 1024} KiB sent (${(grown / sent).toFixed(1)}×)`,
    );

    await using ana = await join(server.tcpPort, "Ana");
    await ana.send("still here");
    await ana.expectLine("Ana: still here");
  } finally {
    await Promise.all(clients.map((client) => client[Symbol.asyncDispose]()));
  }
});
