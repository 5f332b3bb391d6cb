/**
 * Real sockets whose peers never read, and the kernel's own count of the bytes that reached them
 * (/proc/net/tcp): Deno makes only so many socket writes in one event-loop turn, so the flusher starts
 * its writes a slice a turn, and no write it starts waits behind more than a slice of others. That is what
 * makes a write's age a fact about its socket (see WRITES_PER_TURN).
 */
import assert from "node:assert/strict";
import { setImmediate } from "node:timers";
import { Flusher, WRITES_PER_TURN } from "../server/io/flusher.ts";
import { Outbox } from "../server/io/outbox.ts";
import { socketQueues } from "./helpers/kernel_queues.ts";

const PAIRS = 3 * WRITES_PER_TURN;
const line = new TextEncoder().encode("* someone joined\n");

/** `count` connected pairs: the server ends, and the clients (which never read). */
async function pairs(count: number) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const clients: Deno.Conn[] = [], servers: Deno.Conn[] = [];
  for (let i = 0; i < count; i++) {
    clients.push(await Deno.connect({ hostname: "127.0.0.1", port }));
    servers.push(await listener.accept());
  }
  return {
    servers,
    /** How many clients have bytes waiting in their kernel receive queue, read without yielding. */
    received(): number {
      return socketQueues(port).filter((socket) => socket.side === "client" && socket.rx > 0).length;
    },
    [Symbol.dispose]() {
      for (const conn of [...clients, ...servers]) conn.close();
      listener.close();
    },
  };
}

const onLinux = Deno.build.os === "linux";

Deno.test({
  name: "the runtime makes only part of many writes started in one turn: the rest wait for later turns",
  ignore: !onLinux,
  async fn() {
    using sockets = await pairs(PAIRS);
    const writes = sockets.servers.map((conn) => conn.write(line));
    const madeAtOnce = sockets.received();
    await Promise.all(writes);
    assert.ok(madeAtOnce < PAIRS, `${madeAtOnce} of ${PAIRS} made in the turn they were started`);
    assert.equal(sockets.received(), PAIRS);
  },
});

Deno.test({
  name: "the writes the flusher starts never wait for the runtime more than a slice at a time",
  ignore: !onLinux,
  async fn() {
    using sockets = await pairs(PAIRS);
    let started = 0;
    const waitingAtEachTurn: number[] = [];
    const flusher = new Flusher({
      nextTurn: async () => {
        await new Promise((resolve) => setImmediate(resolve));
        waitingAtEachTurn.push(started - sockets.received());
      },
    });
    const outboxes = sockets.servers.map((conn) => {
      const counted = { write: (bytes: Uint8Array) => (started++, conn.write(bytes)) };
      return new Outbox(counted, flusher, 1024, () => {}, () => {});
    });
    for (const outbox of outboxes) outbox.push(line);
    await Promise.all(outboxes.map((outbox) => outbox.drained()));
    assert.equal(waitingAtEachTurn.length, PAIRS / WRITES_PER_TURN, "one turn after each slice");
    assert.ok(waitingAtEachTurn.every((waiting) => waiting < WRITES_PER_TURN), `waiting: ${waitingAtEachTurn}`);
    assert.equal(sockets.received(), PAIRS);
  },
});
