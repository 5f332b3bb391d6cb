/**
 * The outbox and the flusher, in-process with a fake socket and an injected clock: a reader is cut off
 * only for its own socket, the server's own backlog makes input wait instead, and writes go out in
 * coalesced rounds.
 */
import assert from "node:assert/strict";
import { type ByteWriter, Outbox, REFUSE_LIMIT_MS } from "../../server/io/outbox.ts";
import { Flusher, MAX_TICK_MS, STALL_MS, WRITES_PER_TURN } from "../../server/io/flusher.ts";

/** A socket whose writes complete when the test says, taking as many bytes as it says. */
class FakeSocket implements ByteWriter {
  writes: { bytes: Uint8Array; done: (n: number) => void }[] = [];
  write(bytes: Uint8Array): Promise<number> {
    return new Promise((done) => this.writes.push({ bytes, done }));
  }
  /** Completes the oldest write, taking `n` bytes of it (all by default). */
  take(n?: number): number {
    const write = this.writes.shift()!;
    const taken = n ?? write.bytes.length;
    write.done(taken);
    return taken;
  }
}

const bytes = (n: number) => new Uint8Array(n);
const WATCH_MS = STALL_MS / 4;
const turn = () => new Promise((resolve) => setTimeout(resolve, 0));

function setup(limit = 1000, backlogHigh = 10_000) {
  let now = 0;
  const flusher = new Flusher({ backlogHigh, now: () => now, watchMs: 0 });
  const socket = new FakeSocket();
  const events: string[] = [];
  const outbox = new Outbox(socket, flusher, limit, () => events.push("overflow"), () => events.push("error"));
  /** Time passes with the server running: the watch looks every quarter second, as its timer would. */
  const advance = (ms: number) => {
    for (let left = ms; left > 0; left -= WATCH_MS) {
      now += Math.min(left, WATCH_MS);
      flusher.check();
    }
  };
  /** Time passes with the event loop held up: nothing looks until it is over. */
  const holdUp = (ms: number) => {
    now += ms;
    flusher.check();
  };
  return { flusher, socket, outbox, events, advance, holdUp };
}

Deno.test("bytes for a socket that takes them never cut it off, however many: they are the server's backlog", async () => {
  const { flusher, socket, outbox, events } = setup(1000, 1_000_000);
  for (let i = 0; i < 50; i++) assert.ok(outbox.push(bytes(100)));
  assert.equal(outbox.queued, 5000, "five times the limit");
  assert.equal(flusher.backlog.bytes, 5000);
  await turn();
  socket.take();
  await turn();
  assert.deepEqual(events, []);
  assert.equal(flusher.backlog.bytes, 0);
});

Deno.test("input waits while the backlog is over its high mark and goes on once it is back under the low one", async () => {
  const { flusher, socket, outbox } = setup(1000, 1000);
  let released = false;
  outbox.push(bytes(600));
  outbox.push(bytes(600));
  assert.ok(flusher.backlog.paused);
  const waiting = flusher.backlog.ready().then(() => released = true);
  await turn();
  socket.take(); // all 1,200 bytes were joined into one write
  await waiting;
  assert.ok(released && !flusher.backlog.paused);
});

Deno.test("a socket that takes only part of a write refuses the rest; past the limit behind it, it is cut off", async () => {
  const { flusher, socket, outbox, events } = setup(1000);
  outbox.push(bytes(800));
  await turn();
  socket.take(300);
  await turn();
  assert.ok(outbox.refusing);
  assert.equal(flusher.backlog.bytes, 0, "refused bytes are the reader's, not the server's");
  assert.ok(outbox.push(bytes(200)));
  assert.ok(!outbox.push(bytes(400)), "500 + 200 + 400 > 1000");
  assert.deepEqual(events, ["overflow"]);
  assert.ok(!outbox.push(bytes(1)), "nothing more after the cut-off");
});

Deno.test("a socket that takes a whole write again is taking bytes: what waits counts as backlog once more", async () => {
  const { flusher, socket, outbox } = setup(10_000);
  outbox.push(bytes(800));
  await turn();
  socket.take(300);
  await turn();
  outbox.push(bytes(100));
  socket.take(); // the 500 left of the first write
  await turn();
  assert.ok(!outbox.refusing);
  assert.equal(flusher.backlog.bytes, 100);
});

Deno.test("a write that does not complete for the stall time makes the socket refusing", async () => {
  const { flusher, outbox, advance } = setup(1000);
  outbox.push(bytes(500));
  await turn();
  advance(STALL_MS - 1);
  assert.ok(!outbox.refusing);
  assert.equal(flusher.backlog.bytes, 500);
  advance(1);
  assert.ok(outbox.refusing);
  assert.equal(flusher.backlog.bytes, 0);
});

Deno.test("a socket that takes nothing for the refuse limit is cut off even with little queued", async () => {
  const { outbox, events, advance } = setup(1_000_000);
  outbox.push(bytes(10));
  await turn();
  advance(STALL_MS);
  advance(REFUSE_LIMIT_MS - STALL_MS - 1);
  assert.deepEqual(events, []);
  advance(1);
  assert.deepEqual(events, ["overflow"]);
});

Deno.test("a slow socket that keeps taking some bytes is not cut off by time", async () => {
  const { socket, outbox, events, advance } = setup(1_000_000);
  outbox.push(bytes(10_000));
  for (let i = 0; i < 10; i++) {
    await turn();
    advance(REFUSE_LIMIT_MS / 2);
    socket.take(100);
  }
  assert.deepEqual(events, []);
  assert.ok(outbox.refusing);
});

Deno.test("drained(n) resolves once at most n bytes are queued, or the outbox closes", async () => {
  const { socket, outbox } = setup(10_000);
  outbox.push(bytes(3000));
  let half = false;
  let empty = false;
  outbox.drained(1500).then(() => half = true);
  outbox.drained().then(() => empty = true);
  await turn();
  socket.take(2000);
  await turn();
  assert.deepEqual([half, empty], [true, false]);
  outbox.close();
  await turn();
  assert.ok(empty);
});

Deno.test("in one round every outbox gets one write, and identical queues are joined once", async () => {
  const flusher = new Flusher({ watchMs: 0 });
  const sockets = [new FakeSocket(), new FakeSocket()];
  const outboxes = sockets.map((socket) => new Outbox(socket, flusher, 1000, () => {}, () => {}));
  const [a, b] = [bytes(10), bytes(20)];
  for (const outbox of outboxes) {
    outbox.push(a);
    outbox.push(b);
  }
  await turn();
  assert.deepEqual(sockets.map((socket) => socket.writes.length), [1, 1]);
  assert.equal(sockets[0].writes[0].bytes, sockets[1].writes[0].bytes, "the same joined buffer");
  assert.equal(sockets[0].writes[0].bytes.length, 30);
  for (const socket of sockets) socket.take();
});

Deno.test("after a write cut short mid-line, the rest of that line is at hand for the reader's last words", async () => {
  const { socket, outbox } = setup(1_000_000);
  outbox.push(new TextEncoder().encode("first line\nsecond line\nthird"));
  await turn();
  socket.take(14); // "first line\nsec"; the rest goes out again at once
  await turn();
  outbox.close(); // cut off while that write is in flight
  socket.take(3); // "ond"
  await turn();
  assert.equal(new TextDecoder().decode(outbox.unfinishedLine()), " line\n");
});

Deno.test("a socket at a line boundary has no unfinished line", async () => {
  const { socket, outbox } = setup(1_000_000);
  outbox.push(new TextEncoder().encode("whole\n"));
  await turn();
  socket.take();
  await turn();
  assert.equal(outbox.unfinishedLine().length, 0);
});

Deno.test("a stretch in which the server itself was held up is not counted against a socket", async () => {
  const { outbox, events, advance, holdUp } = setup(1_000_000);
  outbox.push(bytes(10));
  await turn();
  holdUp(REFUSE_LIMIT_MS * 2);
  assert.ok(!outbox.refusing, `a held-up event loop counts as at most ${MAX_TICK_MS} ms`);
  advance(STALL_MS - MAX_TICK_MS);
  assert.ok(outbox.refusing, "time the server ran counts");
  holdUp(REFUSE_LIMIT_MS * 2);
  advance(REFUSE_LIMIT_MS - STALL_MS - 2 * MAX_TICK_MS);
  assert.deepEqual(events, []);
  advance(REFUSE_LIMIT_MS);
  assert.deepEqual(events, ["overflow"]);
});

Deno.test("a round starts its writes a slice at a time, a turn apart, each slice's writes timed from their own start", async () => {
  let now = 0;
  const startedAtEachTurn: number[] = [];
  const sockets = Array.from({ length: 2 * WRITES_PER_TURN + 50 }, () => new FakeSocket());
  const started = () => sockets.filter((socket) => socket.writes.length > 0).length;
  const flusher = new Flusher({
    now: () => now,
    watchMs: 0,
    nextTurn: () => {
      startedAtEachTurn.push(started());
      now += 10;
      return Promise.resolve();
    },
  });
  const outboxes = sockets.map((socket) => new Outbox(socket, flusher, 1000, () => {}, () => {}));
  for (const outbox of outboxes) outbox.push(bytes(10));
  await turn();
  assert.deepEqual(startedAtEachTurn, [WRITES_PER_TURN, 2 * WRITES_PER_TURN]);
  assert.equal(started(), sockets.length, "the last, smaller slice starts without waiting");
  while (now < STALL_MS) {
    now = Math.min(now + MAX_TICK_MS, STALL_MS);
    flusher.check();
  }
  const refusing = outboxes.map((outbox) => outbox.refusing);
  assert.deepEqual(refusing, sockets.map((_, i) => i < WRITES_PER_TURN), "only the first slice is 2 s old");
  for (const socket of sockets) socket.take();
});

Deno.test("an outbox marked while a round gives up its turns is written in the next round, in step with the rest", async () => {
  const sockets = Array.from({ length: WRITES_PER_TURN + 1 }, () => new FakeSocket());
  const late = new FakeSocket();
  const marked: Outbox[] = [];
  const flusher = new Flusher({
    watchMs: 0,
    nextTurn: () => {
      for (const outbox of marked) outbox.push(bytes(10));
      return Promise.resolve();
    },
  });
  marked.push(new Outbox(late, flusher, 1000, () => {}, () => {}));
  for (const socket of sockets) new Outbox(socket, flusher, 1000, () => {}, () => {}).push(bytes(10));
  await turn();
  assert.ok(sockets.every((socket) => socket.writes.length === 1));
  assert.equal(late.writes.length, 0, "not in the round that was under way");
  for (const socket of sockets) socket.take();
  await turn();
  assert.equal(late.writes.length, 1, "in the next one");
  late.take();
});
