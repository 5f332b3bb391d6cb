/**
 * The client's session against a scripted server, with a fake clock: the reconnect policy, the replay's
 * de-duplication and what happens to lines typed while offline, each in milliseconds.
 */
import assert from "node:assert/strict";
import { InputQueue } from "../../client/input_queue.ts";
import type { LineConn } from "../../client/line_conn.ts";
import { GAP, GOODBYE_MS, MAX_PENDING, OFFLINE, REJOIN_RETRY_MS, Session } from "../../client/session.ts";

const WELCOME = "Welcome to the chatroom! Enter your name:";
const REJOIN_WAIT_MS = 30_000;

/** One connection to the scripted server: what the server says is queued, what the client writes is answered. */
class FakeConn implements LineConn {
  readonly written: string[] = [];
  #queue: string[] = [];
  #wake: () => void = () => {};
  #ended = false;

  constructor(private readonly answer: (conn: FakeConn, line: string) => void) {}

  say(...lines: string[]): void {
    this.#queue.push(...lines);
    this.#wake();
  }

  /** The server goes away. */
  end(): void {
    this.#ended = true;
    this.#wake();
  }

  async *lines(): AsyncIterable<string> {
    for (;;) {
      while (this.#queue.length > 0) yield this.#queue.shift()!;
      if (this.#ended) return;
      await new Promise<void>((resolve) => this.#wake = resolve);
    }
  }

  write(line: string): Promise<void> {
    if (this.#ended) return Promise.reject(new Error("connection closed"));
    this.written.push(line);
    this.answer(this, line);
    return Promise.resolve();
  }

  close(): void {
    this.end();
  }
}

/** Speaks the TCP door's protocol closely enough: names, history, `/who`, messages and `{close}`. */
class FakeServer {
  /** The room's log as the server renders it; the last `history` lines are replayed on join. */
  readonly log: string[] = [];
  readonly conns: FakeConn[] = [];
  up = true;
  taken = new Set<string>();

  constructor(readonly history = 20) {}

  connect = (): Promise<LineConn> => {
    if (!this.up) return Promise.reject(new Error("connection refused"));
    let name: string | undefined;
    const conn = new FakeConn((conn, line) => {
      if (!name) {
        if (this.taken.has(line)) return conn.say(`! the name "${line}" is taken, choose another`, "Enter your name:");
        name = line;
        const replay = this.log.slice(-this.history);
        conn.say(`Hello, ${name}! Online (1): ${name}. Type /help for commands.`);
        if (replay.length > 0) conn.say("--- recent history ---", ...replay);
        this.broadcast(`* ${name} joined the chat`);
      } else if (line === "/who") conn.say("1 online:", `  ${name} (tcp)`);
      else if (line === "{close}") {
        conn.say("Goodbye!");
        conn.end();
      } else this.broadcast(`${name}: ${line}`);
    });
    this.conns.push(conn);
    conn.say(WELCOME);
    return Promise.resolve(conn);
  };

  broadcast(line: string): void {
    this.log.push(line);
    for (const conn of this.conns) conn.say(line);
  }

  /** Stops: every connection ends, and new ones are refused until {@link start}. */
  stop(): void {
    this.up = false;
    for (const conn of this.conns.splice(0)) conn.end();
  }

  start(): void {
    this.up = true;
  }
}

/** A clock whose sleeps end when the test says so (or at once, with `auto`). */
class FakeClock {
  readonly waits: number[] = [];
  #sleeping: (() => void)[] = [];
  #onSleep: () => void = () => {};

  constructor(public auto = false) {}

  sleep = (ms: number, signal: AbortSignal): Promise<void> => {
    if (ms !== GOODBYE_MS) this.waits.push(ms);
    this.#onSleep();
    if (this.auto || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      this.#sleeping.push(resolve);
      signal.addEventListener("abort", () => resolve(), { once: true });
    });
  };

  /** Resolves once the client is asleep in a backoff wait. */
  async asleep(): Promise<void> {
    while (this.#sleeping.length === 0) await new Promise<void>((resolve) => this.#onSleep = resolve);
  }

  wake(): void {
    for (const resolve of this.#sleeping.splice(0)) resolve();
  }
}

function startSession(server: FakeServer, clock: FakeClock, name = "Ana", now = () => new Date(2026, 0, 1, 12, 0)) {
  const printed: string[] = [];
  const input = new InputQueue();
  let onPrint: () => void = () => {};
  const session = new Session({
    connect: server.connect,
    sleep: clock.sleep,
    random: () => 0.5,
    now,
    screen: {
      print: (text) => {
        printed.push(text);
        onPrint();
      },
      setPrompt: () => {},
    },
    input,
    colour: false,
    rejoinWaitMs: REJOIN_WAIT_MS,
  }, name);
  const running = session.run();
  /** Waits until the client has printed a line with this text (stamp aside). */
  const printedLine = async (text: string) => {
    while (!printed.some((line) => line.slice(6) === text)) await new Promise<void>((resolve) => onPrint = resolve);
  };
  const count = (text: string) => printed.filter((line) => line.slice(6) === text).length;
  return { session, running, printed, input, printedLine, count };
}

Deno.test("while the server is down the client says so once and waits 1–2 s, doubling up to 30 s", async () => {
  const server = new FakeServer();
  server.up = false;
  const clock = new FakeClock(true);
  let failures = 0;
  const connect = server.connect;
  server.connect = () => {
    if (++failures === 8) server.up = true;
    return connect();
  };
  const client = startSession(server, clock);
  await client.printedLine("connected as Ana");
  assert.deepEqual(clock.waits, [1500, 3000, 6000, 12000, 22500, 22500, 22500], "each wait is halfway into its step");
  assert.equal(client.count(OFFLINE), 1);
  client.input.push({ end: true });
  await client.running;
});

Deno.test("after a rejoin the next outage starts again from the shortest wait", async () => {
  const server = new FakeServer();
  const clock = new FakeClock();
  const client = startSession(server, clock);
  await client.printedLine("* Ana joined the chat");
  for (let outage = 0; outage < 2; outage++) {
    server.stop();
    for (let retry = 0; retry < 3; retry++) {
      await clock.asleep();
      if (retry === 2) server.start();
      clock.wake();
    }
    await client.printedLine("reconnected as Ana");
  }
  assert.deepEqual(clock.waits, [1500, 3000, 6000, 1500, 3000, 6000]);
  assert.equal(client.count(OFFLINE), 2, "once per outage");
  client.session.interrupt();
  await client.running;
});

Deno.test("a rejoin shows only what was said meanwhile, each line once, and nothing missing", async () => {
  const server = new FakeServer();
  server.log.push("Bob: one", "Bob: two");
  const clock = new FakeClock();
  const client = startSession(server, clock);
  await client.printedLine("* Ana joined the chat");
  server.broadcast("Bob: three");
  await client.printedLine("Bob: three");
  server.stop();
  await clock.asleep();
  server.log.push("* Ana left the chat (connection lost)", "Bob: said while away", "Bob: three");
  server.start();
  clock.wake();
  await client.printedLine("reconnected as Ana");
  await client.printedLine("Bob: said while away");
  client.input.push({ line: "back" });
  await client.printedLine("Ana: back");
  for (const line of ["Bob: one", "Bob: two", "Bob: said while away", "* Ana left the chat (connection lost)"]) {
    assert.equal(client.count(line), 1, line);
  }
  assert.equal(client.count("Bob: three"), 2, "said twice, shown twice");
  assert.equal(client.count("* Ana joined the chat"), 2, "each join once");
  assert.equal(client.count(GAP), 0);
  assert.equal(client.count("1 online:"), 0, "the answer to the client's own /who stays hidden");
  assert.ok(client.printed.includes("--:-- Bob: said while away"), "a replayed line has no time");
  assert.ok(client.printed.includes("12:00 Ana: back"));
  client.session.interrupt();
  await client.running;
});

Deno.test("a rejoin into a room where nothing was said shows nothing again but the new join", async () => {
  const server = new FakeServer();
  const clock = new FakeClock();
  const client = startSession(server, clock);
  await client.printedLine("* Ana joined the chat");
  server.stop();
  await clock.asleep();
  server.start();
  clock.wake();
  await client.printedLine("reconnected as Ana");
  client.input.push({ line: "still here" });
  await client.printedLine("Ana: still here");
  assert.equal(client.count("* Ana joined the chat"), 2, "the old join once (not replayed again), the new one once");
  assert.equal(client.count(GAP), 0);
  client.session.interrupt();
  await client.running;
});

Deno.test("when more was said than the server replays, the client says lines may be missing", async () => {
  const server = new FakeServer(3);
  const clock = new FakeClock();
  const client = startSession(server, clock);
  await client.printedLine("* Ana joined the chat");
  server.stop();
  await clock.asleep();
  for (let i = 1; i <= 5; i++) server.log.push(`Bob: missed ${i}`);
  server.start();
  clock.wake();
  await client.printedLine("Bob: missed 5");
  assert.equal(client.count(GAP), 1);
  assert.equal(client.count("Bob: missed 2"), 0, "older than the replay");
  const at = (text: string) => client.printed.findIndex((line) => line.endsWith(text));
  assert.ok(at(GAP) < at("Bob: missed 3"), "the warning comes before the lines after the gap");
  client.session.interrupt();
  await client.running;
});

Deno.test("lines typed while offline are shown as pending and sent in order after the rejoin", async () => {
  const server = new FakeServer();
  const clock = new FakeClock();
  const client = startSession(server, clock);
  await client.printedLine("* Ana joined the chat");
  server.stop();
  await clock.asleep();
  client.input.push({ line: "first" });
  client.input.push({ line: "second" });
  await client.printedLine("(pending) second");
  assert.equal(client.count("(pending) first"), 1);
  server.start();
  clock.wake();
  await client.printedLine("Ana: second");
  const rejoined = server.conns[0];
  assert.deepEqual(rejoined.written, ["Ana", "/who", "first", "second"], "sent after the replay, in order");
  assert.equal(client.count("sending 2 pending lines"), 1);
  client.session.interrupt();
  await client.running;
});

Deno.test("at most MAX_PENDING lines wait; one more is refused where the user sees it", async () => {
  const server = new FakeServer();
  const clock = new FakeClock();
  const client = startSession(server, clock);
  await client.printedLine("* Ana joined the chat");
  server.stop();
  await clock.asleep();
  for (let i = 0; i <= MAX_PENDING; i++) client.input.push({ line: `line ${i}` });
  await client.printedLine(`! not sent, ${MAX_PENDING} lines are already waiting: line ${MAX_PENDING}`);
  client.input.push({ end: true });
  await client.running;
  assert.equal(client.count(`! ${MAX_PENDING} lines not sent`), 1, "leaving while offline says what is lost");
});

Deno.test("a quit in the room sends {close} and ends with the server's goodbye", async () => {
  const server = new FakeServer();
  const clock = new FakeClock();
  const client = startSession(server, clock);
  await client.printedLine("* Ana joined the chat");
  client.input.push({ line: "/quit" });
  await client.running;
  assert.deepEqual(server.conns[0].written, ["Ana", "/who", "{close}"]);
  assert.equal(client.count("Goodbye!"), 1);
  assert.deepEqual(clock.waits, [], "no reconnect after a quit");
});

Deno.test("without --name the next typed line is the name, and a refused one is asked for again", async () => {
  const server = new FakeServer();
  server.taken.add("Bob");
  const clock = new FakeClock();
  const printed: string[] = [];
  const input = new InputQueue();
  input.push({ line: "Bob" });
  input.push({ line: "Ana" });
  input.push({ line: "hello" });
  input.push({ end: true });
  await new Session({
    connect: server.connect,
    sleep: clock.sleep,
    random: Math.random,
    now: () => new Date(),
    screen: { print: (text) => printed.push(text.slice(6)), setPrompt: () => {} },
    input,
    colour: false,
    rejoinWaitMs: REJOIN_WAIT_MS,
  }).run();
  assert.deepEqual(server.conns[0].written, ["Bob", "Ana", "/who", "hello", "{close}"]);
  assert.deepEqual(printed, [
    WELCOME,
    '! the name "Bob" is taken, choose another',
    "Enter your name:",
    "Hello, Ana! Online (1): Ana. Type /help for commands.",
    "* Ana joined the chat",
    "Ana: hello",
    "Goodbye!",
  ]);
});

Deno.test("a rejoin whose name is still held by the lost connection asks again until the server frees it", async () => {
  const server = new FakeServer();
  const clock = new FakeClock();
  const client = startSession(server, clock);
  await client.printedLine("* Ana joined the chat");
  server.stop();
  server.taken.add("Ana"); // another instance still holds it: it has not noticed its member is gone
  server.start();
  await clock.asleep();
  clock.wake();
  for (let ask = 0; ask < 3; ask++) {
    await clock.asleep();
    if (ask === 2) server.taken.delete("Ana");
    clock.wake();
  }
  await client.printedLine("reconnected as Ana");
  assert.deepEqual(clock.waits, [1500, REJOIN_RETRY_MS, REJOIN_RETRY_MS, REJOIN_RETRY_MS]);
  assert.equal(client.count("Ana is still held by the lost connection; waiting for it"), 1);
  assert.equal(client.printed.filter((line) => line.includes("is taken")).length, 0, "no refusal shown while waiting");
  client.session.interrupt();
  await client.running;
});

Deno.test("a rejoin gives its name up once it stayed taken for REJOIN_WAIT_MS, and asks the user for another", async () => {
  const server = new FakeServer();
  const clock = new FakeClock();
  let now = Date.UTC(2026, 0, 1);
  const client = startSession(server, clock, "Ana", () => new Date(now));
  await client.printedLine("* Ana joined the chat");
  server.stop();
  server.taken.add("Ana");
  server.start();
  await clock.asleep();
  clock.wake();
  await clock.asleep();
  now += REJOIN_WAIT_MS;
  clock.wake();
  await client.printedLine("could not rejoin as Ana");
  client.input.push({ line: "Ana2" });
  await client.printedLine("reconnected as Ana2");
  client.session.interrupt();
  await client.running;
});
