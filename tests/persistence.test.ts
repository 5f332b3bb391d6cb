/**
 * History that survives: the real server on a SQLite file, stopped, killed and started again; and the
 * files it must refuse. Store-level checks open the same file with SqliteStore once the server is gone.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { eventId, positionOf } from "../server/store/ids.ts";
import { SqliteStore } from "../server/store/sqlite.ts";
import { APPLICATION_ID, DatabaseError, SCHEMA_VERSION } from "../server/store/schema.ts";
import type { RoomEvent } from "../server/room/events.ts";
import { startServer } from "./helpers/server.ts";
import { connectTcp, join, type TcpClient, WELCOME } from "./helpers/tcp_client.ts";
import { parseEvent, WebClient } from "./helpers/http.ts";
import type { SseEvent } from "./helpers/sse_client.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;
/** Far longer than the store's flush delay (a few ms), so events older than this must be on disk. */
const SETTLE_MS = 1000;

async function tempDb(): Promise<{ dir: string; db: string } & AsyncDisposable> {
  const dir = await Deno.makeTempDir({ prefix: "chat-persist-" });
  return { dir, db: `${dir}/chat.db`, [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }) };
}

/** Joins as `name` and returns what the door showed between the name and the join: greeting, history. */
async function arrive(port: number, name: string): Promise<{ client: TcpClient; greeting: string; history: string[] }> {
  const client = await connectTcp(port);
  await client.expectLine(WELCOME);
  await client.send(name);
  const lines = await client.linesUntil(`* ${name} joined the chat`);
  const history = lines.slice(1, -1);
  if (history.length > 0) assert.equal(history.shift(), "--- recent history ---");
  return { client, greeting: lines[0], history };
}

/** Leaves with /quit and waits until the server has closed the connection. */
async function quit(client: TcpClient): Promise<void> {
  await client.send("/quit");
  await client.expectLine("Goodbye!");
  await client.closed();
  client.close();
}

/** Runs main.ts to its exit (for servers that must refuse to start); returns its code and output. */
async function runToExit(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", MAIN, "--tcp-port", "0", "--http-port", "0", ...args],
    stdin: "null",
  }).output();
  const decoder = new TextDecoder();
  return { code: output.code, stdout: decoder.decode(output.stdout), stderr: decoder.decode(output.stderr) };
}

function assertOneLineError(result: { code: number; stderr: string }, mentions: RegExp | string): void {
  assert.notEqual(result.code, 0);
  const lines = result.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, `expected one line, got:\n${result.stderr}`);
  assert.match(lines[0], /^error: /);
  if (typeof mentions === "string") assert.ok(lines[0].includes(mentions), `"${mentions}" not in: ${lines[0]}`);
  else assert.match(lines[0], mentions);
}

/** More than any test stores: a `since` limit that asks for the whole gap. */
const ALL = 1_000_000;

/** The store as a freshly started server would see it; closed before returning. */
async function inspect<T>(db: string, look: (store: SqliteStore) => Promise<T> | T): Promise<T> {
  const store = SqliteStore.open(db, { retain: 100_000 });
  try {
    return await look(store);
  } finally {
    await store.close();
  }
}

/** The ids `<epoch>-from` .. `<epoch>-to`: SQLite positions are consecutive numbers from 1. */
function ids(epoch: string, from: number, to: number): string[] {
  return Array.from({ length: to - from + 1 }, (_, i) => eventId(epoch, from + i));
}

const idsOf = (events: RoomEvent[] | null) => events?.map((event) => event.id) ?? null;

Deno.test("after a restart a newcomer sees the same greeting and history as before it", async () => {
  await using tmp = await tempDb();
  const args = ["--db", tmp.db, "--history", "50"];
  let before: string[];
  {
    await using server = await startServer(args);
    const ana = await join(server.tcpPort, "Ana");
    const bob = await join(server.tcpPort, "Bob");
    await ana.send("hello Bob");
    await ana.send("/me waves");
    // Two sockets have no order between them: wait until Ana's lines are in before Bob speaks.
    await ana.expectLine("~ Ana waves");
    await bob.send("hi Ana, ünïcödé 👋");
    await ana.expectLine("Bob: hi Ana, ünïcödé 👋");
    await quit(bob);
    await ana.expectLine("* Bob left the chat");
    await quit(ana);
    const probe = await arrive(server.tcpPort, "Cy");
    before = probe.history;
    await quit(probe.client);
    assert.equal(await server.stop("SIGTERM"), 0);
  }
  assert.deepEqual(before, [
    "* Ana joined the chat",
    "* Bob joined the chat",
    "Ana: hello Bob",
    "~ Ana waves",
    "Bob: hi Ana, ünïcödé 👋",
    "* Bob left the chat",
    "* Ana left the chat",
  ]);
  await using server = await startServer(args);
  const after = await arrive(server.tcpPort, "Dee");
  assert.match(after.greeting, /^Hello, Dee! Online \(1\): Dee\./);
  assert.deepEqual(after.history, [...before, "* Cy joined the chat", "* Cy left the chat"]);
  after.client.close();
});

Deno.test("after a restart ids go on from where they were and a replay from before it is exact", async () => {
  await using tmp = await tempDb();
  const args = ["--db", tmp.db];
  const epoch = await inspect(tmp.db, (store) => store.epoch);
  for (const name of ["Ana", "Bob"]) {
    await using server = await startServer(args);
    const client = await join(server.tcpPort, name);
    await client.send(`${name} was here`);
    await client.expectLine(`${name}: ${name} was here`);
    await quit(client);
    assert.equal(await server.stop("SIGTERM"), 0);
  }
  await inspect(tmp.db, async (store) => {
    assert.equal(store.epoch, epoch);
    const events = (await store.since(eventId(epoch, 0), ALL))!;
    assert.deepEqual(idsOf(events), ids(epoch, 1, 6));
    assert.deepEqual(events.map((event) => `${event.kind} ${event.from}`), [
      "join Ana",
      "message Ana",
      "leave Ana",
      "join Bob",
      "message Bob",
      "leave Bob",
    ]);
    assert.deepEqual(await store.since(eventId(epoch, 3), ALL), events.slice(3));
  });
});

const isMembers = (event: SseEvent) => event.event === "members";

/** Signs in as `name`, opens a stream resuming from `lastEventId`, and returns what came before `members`. */
async function resume(httpUrl: string, name: string, lastEventId?: string): Promise<SseEvent[]> {
  const client = new WebClient(httpUrl);
  assert.equal((await client.signIn(name)).status, 201);
  await using events = await client.events(lastEventId);
  return (await events.until(isMembers)).slice(0, -1);
}

Deno.test("after a restart a browser resuming with its Last-Event-ID gets exactly what it missed", async () => {
  await using tmp = await tempDb();
  const args = ["--db", tmp.db, "--grace", "0"];
  let resumeFrom: string;
  {
    await using server = await startServer(args);
    const seen = await resume(server.httpUrl, "Bob");
    resumeFrom = seen.at(-1)!.lastEventId;
    const ana = await join(server.tcpPort, "Ana");
    await ana.send("while you were away");
    await ana.expectLine("Ana: while you were away");
    await quit(ana);
    assert.equal(await server.stop("SIGTERM"), 0);
  }
  await using server = await startServer(args);
  const replayed = await resume(server.httpUrl, "Bob", resumeFrom);
  assert.ok(replayed.every((event) => event.event === "message"), "a replay, not a reset");
  const [epoch, last] = [resumeFrom.slice(0, resumeFrom.lastIndexOf("-")), Number(resumeFrom.split("-").at(-1))];
  assert.deepEqual(
    replayed.map((event) => event.id),
    replayed.map((_, i) => `${epoch}-${last + 1 + i}`),
    "ids go on from the one resumed, with no gap",
  );
  const lines = replayed.map((event) => parseEvent(event.data)).map((e) => `${e.kind} ${e.from} ${e.text ?? ""}`);
  const ana = lines.filter((line) => line.includes(" Ana "));
  assert.deepEqual(ana, ["join Ana ", "message Ana while you were away", "leave Ana "]);
  assert.equal(lines.at(-1), "join Bob ");
});

Deno.test("after a crash a browser resuming from before it gets a reset with the history kept", async () => {
  await using tmp = await tempDb();
  const args = ["--db", tmp.db, "--history", "10"];
  let resumeFrom: string;
  {
    const server = await startServer(args);
    const ana = await join(server.tcpPort, "Ana");
    await ana.send("said before the crash");
    await ana.expectLine("Ana: said before the crash");
    resumeFrom = (await resume(server.httpUrl, "Bob")).at(-1)!.lastEventId;
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    server.process.kill("SIGKILL");
    await server.stop();
    ana.close();
  }
  await using server = await startServer(args);
  const [reset, ...rest] = await resume(server.httpUrl, "Bob", resumeFrom);
  assert.equal(reset.event, "reset");
  const history = (JSON.parse(reset.data) as { events: { kind: string; text?: string }[] }).events;
  assert.ok(history.some((event) => event.text === "said before the crash"), reset.data);
  assert.ok(rest.every((event) => !event.id?.startsWith(resumeFrom.slice(0, resumeFrom.lastIndexOf("-") + 1))));
});

Deno.test("killed (SIGKILL) right after clients saw messages, the server loses at most the last few ms", async () => {
  await using tmp = await tempDb();
  const args = ["--db", tmp.db, "--history", "100", "--flood-burst", "100"];
  const epoch = await inspect(tmp.db, (store) => store.epoch);
  const settled = Array.from({ length: 20 }, (_, i) => `settled ${i + 1}`);
  const inFlight = Array.from({ length: 20 }, (_, i) => `in flight ${i + 1}`);
  {
    const server = await startServer(args);
    const ana = await join(server.tcpPort, "Ana");
    for (const text of settled) await ana.send(text);
    await ana.expectLine(`Ana: ${settled.at(-1)}`);
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    await ana.sendRaw(inFlight.map((text) => text + "\n").join(""));
    await ana.expectLine(`Ana: ${inFlight.at(-1)}`);
    server.process.kill("SIGKILL");
    assert.equal((await server.process.status).signal, "SIGKILL");
    await server.stop();
    ana.close();
  }
  await using server = await startServer(args);
  const { client, history } = await arrive(server.tcpPort, "Bob");
  client.close();
  const said = history.filter((line) => line.startsWith("Ana: ")).map((line) => line.slice(5));
  assert.deepEqual(said.slice(0, settled.length), settled, "everything said before the pause survives");
  const survivors = said.slice(settled.length);
  assert.deepEqual(survivors, inFlight.slice(0, survivors.length), "what survives is a prefix: no holes, same order");
  assert.deepEqual(history.slice(0, 1), ["* Ana joined the chat"]);
  assert.equal(await server.stop("SIGTERM"), 0);
  // Readers may have seen ids that are now reissued: a new epoch makes them reset instead of resuming.
  assert.notEqual(await inspect(tmp.db, (store) => store.epoch), epoch);
});

Deno.test("--retain keeps the newest N events on disk; a replay from a pruned id gets null (reset)", async () => {
  await using tmp = await tempDb();
  const args = ["--db", tmp.db, "--retain", "5", "--history", "50", "--flood-burst", "100"];
  {
    await using server = await startServer(args);
    const ana = await join(server.tcpPort, "Ana");
    for (let n = 1; n <= 12; n++) await ana.send(`m${n}`);
    await ana.expectLine("Ana: m12");
    await quit(ana);
    assert.equal(await server.stop("SIGTERM"), 0);
  }
  const reader = new DatabaseSync(tmp.db, { readOnly: true });
  const rows = reader.prepare("SELECT count(*) AS n, min(id) AS low, max(id) AS high FROM events").get();
  reader.close();
  assert.deepEqual({ ...rows }, { n: 5, low: 10, high: 14 });
  await inspect(tmp.db, async (store) => {
    assert.equal(await store.since(eventId(store.epoch, 8), ALL), null);
    assert.deepEqual(idsOf(await store.since(eventId(store.epoch, 9), ALL)), ids(store.epoch, 10, 14));
  });
  await using server = await startServer(args);
  const { client, history } = await arrive(server.tcpPort, "Bob");
  client.close();
  assert.deepEqual(history, ["Ana: m9", "Ana: m10", "Ana: m11", "Ana: m12", "* Ana left the chat"]);
});

Deno.test("with nothing retained, ids still never go back after a restart", async () => {
  await using tmp = await tempDb();
  let store = SqliteStore.open(tmp.db, { retain: 0 });
  for (let n = 1; n <= 3; n++) await store.append({ at: n, kind: "system", text: `s${n}` });
  await store.close();
  store = SqliteStore.open(tmp.db, { retain: 0 });
  try {
    const { epoch } = store;
    assert.equal(store.lastId(), eventId(epoch, 3));
    assert.deepEqual(await store.recent(10), []);
    assert.equal(await store.since(eventId(epoch, 2), ALL), null);
    assert.equal((await store.append({ at: 4, kind: "system", text: "s4" })).id, eventId(epoch, 4));
    assert.equal(store.lastId(), eventId(epoch, 4));
  } finally {
    await store.close();
  }
});

Deno.test("a paged replay from the file is exact even when events arrive between pages", async () => {
  await using tmp = await tempDb();
  const store = SqliteStore.open(tmp.db, { retain: 100_000, ringSize: 10 });
  try {
    for (let n = 1; n <= 5000; n++) await store.append({ at: n, kind: "system", text: `s${n}` });
    await store.durable();
    const replayed: RoomEvent[] = [];
    let cursor = eventId(store.epoch, 0);
    for (let pages = 1;; pages++) {
      const page = (await store.since(cursor, 700))!;
      if (page.length === 0) break;
      replayed.push(...page);
      cursor = page.at(-1)!.id;
      // Between the first pages: one event queued, and every other time the queue written out.
      if (pages > 10) continue;
      await store.append({ at: 5000 + pages, kind: "system", text: `s${5000 + pages}` });
      if (pages % 2 === 0) await store.durable();
    }
    const last = Number(positionOf(store.lastId(), store.epoch));
    assert.ok(last > 5000);
    assert.deepEqual(idsOf(replayed), ids(store.epoch, 1, last));
    assert.deepEqual(replayed.map((event) => event.text), Array.from({ length: last }, (_, i) => `s${i + 1}`));
  } finally {
    await store.close();
  }
});

Deno.test("a paged replay that falls behind what is kept between pages gets null, not a partial history", async () => {
  await using tmp = await tempDb();
  const store = SqliteStore.open(tmp.db, { retain: 3000, ringSize: 10 });
  try {
    for (let n = 1; n <= 3000; n++) await store.append({ at: n, kind: "system", text: `s${n}` });
    await store.durable();
    const page = (await store.since(eventId(store.epoch, 0), 1000))!;
    assert.deepEqual(idsOf(page), ids(store.epoch, 1, 1000));
    for (let n = 3001; n <= 5000; n++) await store.append({ at: n, kind: "system", text: `s${n}` });
    assert.equal(
      await store.since(page.at(-1)!.id, 1000),
      null,
      "written or not, events 1001..2000 are no longer kept",
    );
    await store.durable();
    assert.equal(await store.since(page.at(-1)!.id, 1000), null);
  } finally {
    await store.close();
  }
});

Deno.test("a --db path that cannot be opened stops the server with one clear line and a non-zero code", async () => {
  await using tmp = await tempDb();
  await Deno.writeTextFile(`${tmp.dir}/plain-file`, "not a folder");
  for (const db of [`${tmp.dir}/plain-file/chat.db`, tmp.dir, "/proc/no-such-process/chat.db"]) {
    assertOneLineError(await runToExit(["--db", db]), db);
  }
});

Deno.test("another application's database at --db is refused with one line and left byte for byte", async () => {
  await using tmp = await tempDb();
  const foreign = new DatabaseSync(tmp.db);
  foreign.exec("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL); INSERT INTO invoices VALUES (1, 9.5);");
  foreign.close();
  const bytes = await Deno.readFile(tmp.db);
  assertOneLineError(await runToExit(["--db", tmp.db]), /not a chat database/);
  assert.deepEqual(await Deno.readFile(tmp.db), bytes);
});

Deno.test("a file of random bytes at --db is refused with one line and left byte for byte", async () => {
  await using tmp = await tempDb();
  const bytes = crypto.getRandomValues(new Uint8Array(8192));
  await Deno.writeFile(tmp.db, bytes);
  assertOneLineError(await runToExit(["--db", tmp.db]), /not a chat database/);
  assert.deepEqual(await Deno.readFile(tmp.db), bytes);
});

Deno.test("a damaged chat database is refused with one line, left byte for byte, with nothing created beside it", async () => {
  await using tmp = await tempDb();
  await inspect(tmp.db, async (store) => {
    for (let n = 1; n <= 200; n++) await store.append({ at: n, kind: "system", text: `event ${n} `.repeat(20) });
  });
  const bytes = await Deno.readFile(tmp.db);
  for (let i = 4096; i < bytes.length; i++) bytes[i] = (i * 7) & 0xff; // the header stays, the pages go
  await Deno.writeFile(tmp.db, bytes);
  assertOneLineError(await runToExit(["--db", tmp.db]), /damaged|not a chat database/);
  assert.deepEqual(await Deno.readFile(tmp.db), bytes);
  const beside = [...Deno.readDirSync(tmp.dir)].map((entry) => entry.name).sort();
  assert.deepEqual(beside, ["chat.db"]);
});

Deno.test("a database from a newer server version is refused, not downgraded", async () => {
  await using tmp = await tempDb();
  await inspect(tmp.db, () => {});
  const db = new DatabaseSync(tmp.db);
  db.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`);
  db.close();
  const bytes = await Deno.readFile(tmp.db);
  assert.throws(() => SqliteStore.open(tmp.db, { retain: 10 }), DatabaseError);
  assertOneLineError(await runToExit(["--db", tmp.db]), /newer/);
  assert.deepEqual(await Deno.readFile(tmp.db), bytes);
});

Deno.test("a second server on the same file refuses to start while the first runs", async () => {
  await using tmp = await tempDb();
  await using _first = await startServer(["--db", tmp.db]);
  assertOneLineError(await runToExit(["--db", tmp.db]), /in use by another process/);
});

Deno.test("the data folder is created when missing, and the file is marked as a chat database", async () => {
  await using tmp = await tempDb();
  const db = `${tmp.dir}/nested/deeper/chat.db`;
  {
    await using server = await startServer(["--db", db]);
    await quit(await join(server.tcpPort, "Ana"));
  }
  const reader = new DatabaseSync(db, { readOnly: true });
  const { application_id } = reader.prepare("PRAGMA application_id").get()!;
  reader.close();
  assert.equal(application_id, APPLICATION_ID);
});

Deno.test("--db :memory: keeps history while the server runs and nothing after it stops", async () => {
  const args = ["--db", ":memory:", "--history", "10"];
  {
    await using server = await startServer(args);
    await quit(await join(server.tcpPort, "Ana"));
    const { client, history } = await arrive(server.tcpPort, "Bob");
    client.close();
    assert.deepEqual(history, ["* Ana joined the chat", "* Ana left the chat"]);
  }
  await using server = await startServer(args);
  const { client, history } = await arrive(server.tcpPort, "Cy");
  client.close();
  assert.deepEqual(history, []);
});
