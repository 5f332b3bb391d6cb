/**
 * Web sessions in-process: a real Room over the memory store, the pending sign-ins' caps, fake streams
 * and a manual clock, so the registration timeout and the grace period are crossed to the millisecond
 * without waiting. What members see is read from the events the room records and from its presence.
 */
import assert from "node:assert/strict";
import type { Holder } from "../../server/directory/directory.ts";
import { LocalDirectory } from "../../server/directory/local.ts";
import { ConnectionCaps } from "../../server/io/caps.ts";
import { type Closable, type Session, type SessionOptions, Sessions } from "../../server/web/sessions.ts";
import type { SessionStore } from "../../server/web/session_store.ts";
import { ManualClock, settle } from "../helpers/clock.ts";
import { testRoom } from "../helpers/room.ts";

const GRACE_MS = 5_000;
const REGISTRATION_MS = 60_000;
const HOME = "203.0.113.7";
const ELSEWHERE = "198.51.100.4";

/** A stream as a session sees it: it only records why it was closed. */
class FakeStream implements Closable {
  closedWith: string | undefined;
  close(reason?: string): void {
    this.closedWith = reason;
  }
}

/**
 * One instance keeps no shared sessions (its own table is the only one); this store keeps them as Redis
 * does, so a new Sessions (another instance) can pick a session up by its token.
 */
function keepingStore(): SessionStore {
  const kept = new Map<string, Holder>();
  return {
    save(token, { id, name, door, keys }) {
      kept.set(token, { id, name, door, keys });
      return Promise.resolve();
    },
    find: (token) => Promise.resolve(kept.get(token)),
    drop(token) {
      kept.delete(token);
      return Promise.resolve();
    },
  };
}

function setup(maxPerAddress = 16, shared?: SessionStore) {
  const clock = new ManualClock();
  const { room, events } = testRoom({}, undefined, new LocalDirectory());
  const options: SessionOptions = { graceMs: GRACE_MS, registrationTimeoutMs: REGISTRATION_MS, timers: clock };
  const newSessions = () =>
    new Sessions(room, options, new ConnectionCaps({ maxPerAddress, maxConnections: 1000, exempt: "none" }), shared);
  const sessions = newSessions();
  const signIn = async (name: string, address = HOME, current?: Session): Promise<Session> => {
    const result = await sessions.signIn(name, current, address);
    if ("error" in result) throw new Error(result.error);
    return result.session;
  };
  /** Joins and leaves as everyone saw them. */
  const seen = () => events.map((e) => e.kind === "leave" ? `${e.from} left (${e.reason})` : `${e.from} ${e.kind}ed`);
  const present = () => room.members().map((member) => member.name);
  /** Whether someone else signing in could have `name` now. */
  const taken = async (name: string) => {
    const member = await room.claim(name, "tcp");
    if ("error" in member) return true;
    await room.leave(member, "quit");
    return false;
  };
  return { clock, room, events, sessions, newSessions, signIn, seen, present, taken };
}

Deno.test("a sign-in that never opens a stream is dropped at the registration timeout and its name is free again, not before", async () => {
  const { clock, sessions, signIn, seen, taken } = setup();
  const ana = await signIn("Ana");
  await clock.advance(REGISTRATION_MS - 1);
  assert.equal(sessions.find(ana.token), ana);
  assert.ok(await taken("ANA"));
  await clock.advance(1);
  assert.equal(sessions.find(ana.token), undefined);
  assert.ok(!await taken("ANA"));
  assert.equal(await sessions.attach(ana, new FakeStream()), false);
  assert.deepEqual(seen(), [], "never present: nobody saw a join or a leave");
});

Deno.test("a sign-in's pending slot counts against its address until its first stream opens", async () => {
  const { sessions, signIn, taken } = setup(1);
  const ana = await signIn("Ana");
  const refused = await sessions.signIn("Bob", undefined, HOME);
  assert.deepEqual(refused, { error: "too many names and connections from your address (max 1)", problem: "address" });
  assert.ok(!await taken("Bob"), "a refused sign-in claims no name");
  await signIn("Cy", ELSEWHERE);
  assert.ok(await sessions.attach(ana, new FakeStream()));
  await signIn("Bob");
});

Deno.test("a member in its grace period holds a place from its address until it leaves or a stream comes back", async () => {
  const { clock, sessions, signIn } = setup(1);
  const ana = await signIn("Ana");
  const stream = new FakeStream();
  await sessions.attach(ana, stream);
  // With a stream open its connection counts instead (in the caps the HTTP server shares).
  assert.equal(sessions.caps.names, 0);
  sessions.detach(ana, stream);
  assert.equal((await sessions.signIn("Bob", undefined, HOME) as { problem: string }).problem, "address");
  await sessions.attach(ana, new FakeStream());
  assert.equal(sessions.caps.names, 0, "a stream within the grace period takes the place over");
  sessions.detach(ana, [...ana.streams][0]);
  await clock.advance(GRACE_MS - 1);
  assert.equal((await sessions.signIn("Bob", undefined, HOME) as { problem: string }).problem, "address");
  await clock.advance(1);
  await signIn("Bob");
});

Deno.test("a session picked up from another instance holds a place from the address that picked it up", async () => {
  const { sessions, newSessions, signIn } = setup(1, keepingStore());
  const ana = await signIn("Ana");
  sessions.stop();
  const restarted = newSessions();
  assert.ok(await restarted.resolve(ana.token, ELSEWHERE));
  assert.equal((await restarted.signIn("Bob", undefined, ELSEWHERE) as { problem: string }).problem, "address");
  assert.ok(!("error" in await restarted.signIn("Bob", undefined, HOME)));
});

Deno.test("a sign-in dropped at the registration timeout gives its address's slot back", async () => {
  const { clock, sessions, signIn } = setup(1);
  await signIn("Ana");
  await clock.advance(REGISTRATION_MS - 1);
  assert.equal((await sessions.signIn("Bob", undefined, HOME) as { problem: string }).problem, "address");
  await clock.advance(1);
  await signIn("Bob");
});

Deno.test("closing the last stream keeps the member for the grace period, then it leaves with reason lost", async () => {
  const { clock, sessions, signIn, seen, present, taken } = setup();
  const ana = await signIn("Ana");
  const stream = new FakeStream();
  assert.ok(await sessions.attach(ana, stream));
  assert.deepEqual(present(), ["Ana"]);
  sessions.detach(ana, stream);
  await clock.advance(GRACE_MS - 1);
  assert.deepEqual(present(), ["Ana"]);
  assert.deepEqual(seen(), ["Ana joined"]);
  await clock.advance(1);
  assert.deepEqual(seen(), ["Ana joined", "Ana left (lost)"]);
  assert.deepEqual(present(), []);
  assert.equal(sessions.find(ana.token), undefined);
  assert.ok(!await taken("Ana"));
});

Deno.test("a stream opened within the grace period cancels the leave: no leave, no second join", async () => {
  const { clock, sessions, signIn, seen, present } = setup();
  const ana = await signIn("Ana");
  const first = new FakeStream();
  await sessions.attach(ana, first);
  sessions.detach(ana, first);
  await clock.advance(GRACE_MS - 1);
  const reload = new FakeStream();
  assert.ok(await sessions.attach(ana, reload));
  await clock.advance(10 * GRACE_MS);
  assert.deepEqual(seen(), ["Ana joined"]);
  assert.deepEqual(present(), ["Ana"]);
  assert.equal(reload.closedWith, undefined);
  assert.equal(clock.pending, 0, "no timer left behind");
});

Deno.test("with two streams open, closing one keeps the member present; closing both starts the grace period", async () => {
  const { clock, sessions, signIn, seen, present } = setup();
  const ana = await signIn("Ana");
  const tab = new FakeStream();
  const other = new FakeStream();
  await sessions.attach(ana, tab);
  await sessions.attach(ana, other);
  sessions.detach(ana, tab);
  sessions.detach(ana, tab);
  await clock.advance(10 * GRACE_MS);
  assert.deepEqual(present(), ["Ana"]);
  sessions.detach(ana, other);
  await clock.advance(GRACE_MS);
  assert.deepEqual(seen(), ["Ana joined", "Ana left (lost)"]);
});

Deno.test("signing out ends the session at once with quit, closes its streams and frees the name", async () => {
  const { clock, sessions, signIn, seen, present, taken } = setup();
  const ana = await signIn("Ana");
  const streams = [new FakeStream(), new FakeStream()];
  for (const stream of streams) await sessions.attach(ana, stream);
  sessions.end(ana, "quit");
  assert.deepEqual(streams.map((stream) => stream.closedWith), ["quit", "quit"]);
  assert.equal(sessions.find(ana.token), undefined);
  await settle();
  assert.deepEqual(seen(), ["Ana joined", "Ana left (quit)"]);
  assert.deepEqual(present(), []);
  assert.ok(!await taken("Ana"));
  for (const stream of streams) sessions.detach(ana, stream);
  assert.equal(clock.pending, 0);
  assert.equal(await sessions.attach(ana, new FakeStream()), false);
});

Deno.test("renaming claims the new name, then ends the old session with quit; the same name keeps the session", async () => {
  const { sessions, signIn, seen, taken } = setup();
  const ana = await signIn("Ana");
  const stream = new FakeStream();
  await sessions.attach(ana, stream);
  assert.deepEqual(await sessions.signIn("aNA", ana, HOME), { session: ana, created: false });
  const bob = await signIn("Bob", HOME, ana);
  assert.notEqual(bob.token, ana.token);
  assert.equal(stream.closedWith, "quit");
  await settle();
  assert.ok(!await taken("Ana"));
  await sessions.attach(bob, new FakeStream());
  assert.deepEqual(seen(), ["Ana joined", "Ana left (quit)", "Bob joined"]);
});

Deno.test("a refused rename leaves the user where they were", async () => {
  const { sessions, signIn, seen } = setup();
  await signIn("Cy", ELSEWHERE);
  const ana = await signIn("Ana");
  const stream = new FakeStream();
  await sessions.attach(ana, stream);
  assert.equal((await sessions.signIn("cy", ana, HOME) as { problem: string }).problem, "taken");
  assert.equal((await sessions.signIn("", ana, HOME) as { problem: string }).problem, "invalid");
  assert.equal(sessions.find(ana.token), ana);
  assert.equal(stream.closedWith, undefined);
  assert.deepEqual(seen(), ["Ana joined"]);
});

Deno.test("a sign-in may rename itself before its first stream even at its address's limit, and keeps one slot", async () => {
  const { sessions, signIn, taken } = setup(1);
  const ana = await signIn("Ana");
  await signIn("Bob", HOME, ana);
  assert.ok(!await taken("Ana"));
  assert.equal((await sessions.signIn("Cy", undefined, HOME) as { problem: string }).problem, "address");
});

Deno.test("after a restart of the sessions on the same store, a session's token picks up its member: same id, no second join", async () => {
  const { clock, sessions, newSessions, signIn, seen, present, events } = setup(16, keepingStore());
  const ana = await signIn("Ana");
  await sessions.attach(ana, new FakeStream());
  sessions.stop();
  await clock.advance(10 * GRACE_MS);
  assert.deepEqual(present(), ["Ana"], "a stopping instance's members do not leave");

  const restarted = newSessions();
  assert.equal(restarted.find(ana.token), undefined);
  const [again, same] = await Promise.all([restarted.resolve(ana.token), restarted.resolve(ana.token)]);
  assert.ok(again);
  assert.equal(same, again);
  assert.deepEqual([again.member.id, again.member.name], [ana.member.id, "Ana"]);
  const stream = new FakeStream();
  assert.ok(await restarted.attach(again, stream));
  assert.deepEqual(seen(), ["Ana joined"]);

  restarted.detach(again, stream);
  await clock.advance(GRACE_MS);
  assert.deepEqual(seen(), ["Ana joined", "Ana left (lost)"]);
  assert.equal(events.at(-1)?.fromId, ana.member.id);
  assert.equal(await newSessions().resolve(ana.token), undefined, "an ended session is forgotten");
  assert.equal(await restarted.resolve("no such token"), undefined);
});

Deno.test("once stopped for shutdown, a sign-in is refused as closed, claims no name and starts no timer", async () => {
  const { clock, sessions, signIn, seen, taken } = setup();
  const ana = await signIn("Ana");
  await sessions.attach(ana, new FakeStream());
  sessions.stop();
  assert.deepEqual(await sessions.signIn("Bob", undefined, HOME), {
    error: "the server is shutting down",
    problem: "closed",
  });
  assert.ok(!await taken("Bob"));
  await clock.advance(REGISTRATION_MS + GRACE_MS);
  assert.deepEqual(seen(), ["Ana joined"], "nobody leaves while the server shuts down");
});
