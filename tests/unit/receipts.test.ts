/**
 * The receipts of keyed sends in one process, with a hand-moved clock: only sends the room took leave one,
 * for two minutes, bounded per member and in all, the oldest dropped first.
 */
import assert from "node:assert/strict";
import { RECEIPT_MS } from "../../server/directory/directory.ts";
import { Receipts } from "../../server/directory/receipts.ts";

const SENT = { type: "sent" };
const FLOOD = { type: "error", code: "flood", message: "too many messages, slow down", retryAfterMs: 200 };

/** A send that answers `outcome` and counts its runs. */
function counted(outcome: unknown = SENT) {
  const send = () => {
    send.runs++;
    return Promise.resolve(outcome);
  };
  send.runs = 0;
  return send;
}

function setup(limits: { perMember?: number; max?: number } = {}) {
  let now = 0;
  const receipts = new Receipts({ ...limits, now: () => now });
  return { receipts, tick: (ms: number) => now += ms };
}

Deno.test("a refused send leaves no receipt: its retry with the same key is judged afresh", async () => {
  const { receipts } = setup();
  const refused = counted(FLOOD);
  assert.deepEqual(await receipts.once("m1", "k", refused), FLOOD);
  assert.equal(receipts.size, 0);
  const retry = counted();
  assert.deepEqual(await receipts.once("m1", "k", retry), SENT);
  assert.equal(retry.runs, 1);
  for (const outcome of [{ type: "reply", lines: ["1 online:"] }, { type: "ignored" }, { type: "quit" }]) {
    await receipts.once("m1", `other-${outcome.type}`, counted(outcome));
  }
  assert.equal(receipts.size, 1, "only the send the room took");
});

Deno.test("a send the room took is answered once for two minutes, and a retry during it waits for its answer", async () => {
  const { receipts, tick } = setup();
  let finish: (outcome: unknown) => void = () => {};
  let runs = 0;
  const slow = () => {
    runs++;
    return new Promise((resolve) => finish = resolve);
  };
  const first = receipts.once("m1", "k", slow);
  const during = receipts.once("m1", "k", slow);
  finish(SENT);
  assert.deepEqual([await first, await during, runs], [SENT, SENT, 1]);
  tick(RECEIPT_MS - 1);
  assert.deepEqual(await receipts.once("m1", "k", slow), SENT);
  assert.equal(runs, 1);
  assert.deepEqual(await receipts.once("m2", "k", counted()), SENT, "keys are per member");
  tick(1);
  const again = counted();
  await receipts.once("m1", "k", again);
  assert.equal(again.runs, 1, "two minutes on, the key is new again");
});

Deno.test("a member keeps at most perMember receipts, its oldest dropped first", async () => {
  const { receipts } = setup({ perMember: 3 });
  for (const key of ["a", "b", "c", "d"]) await receipts.once("m1", key, counted());
  await receipts.once("m2", "a", counted());
  assert.equal(receipts.size, 4);
  const oldest = counted();
  await receipts.once("m1", "a", oldest);
  assert.equal(oldest.runs, 1, "the oldest was dropped");
  const kept = counted();
  for (const key of ["c", "d"]) await receipts.once("m1", key, kept);
  await receipts.once("m2", "a", kept);
  assert.equal(kept.runs, 0);
});

Deno.test("at most max receipts are kept in all, the oldest first, and a member that left has none", async () => {
  const { receipts } = setup({ max: 3 });
  for (const member of ["m1", "m2", "m3", "m4"]) await receipts.once(member, "k", counted());
  assert.equal(receipts.size, 3);
  const first = counted();
  await receipts.once("m1", "k", first);
  assert.equal(first.runs, 1, "m1's receipt, the oldest, was dropped");
  receipts.forget("m3");
  assert.equal(receipts.size, 2);
});
