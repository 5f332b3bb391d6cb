/** The chat island's list of entries: each event shown once, and memory bounded by what is kept. */
import assert from "node:assert/strict";
import { EntryWindow } from "../islands/chat/entries.ts";

const entry = (n: number) => ({ id: `epoch-${n}`, text: `message ${n}` });

Deno.test("an event that arrives twice is kept once", () => {
  const kept = new EntryWindow(5, [entry(1), entry(2)]);
  assert.equal(kept.add(entry(2)), false);
  assert.equal(kept.add(entry(3)), true);
  assert.equal(kept.add(entry(3)), false);
  assert.deepEqual(kept.entries.map((e) => e.id), ["epoch-1", "epoch-2", "epoch-3"]);
});

Deno.test("however many events pass, the ids remembered are only those of the entries kept", () => {
  const kept = new EntryWindow(5);
  for (let n = 1; n <= 10_000; n++) kept.add(entry(n));
  assert.equal(kept.entries.length, 5);
  assert.equal(kept.idCount, 5);
  assert.deepEqual(kept.entries.map((e) => e.id), [9996, 9997, 9998, 9999, 10_000].map((n) => `epoch-${n}`));
  assert.equal(kept.has("epoch-9995"), false);
  assert.equal(kept.add(entry(9998)), false, "a kept event is still recognised");
});

Deno.test("a reset replaces the entries and the ids, keeping the newest and each id once", () => {
  const kept = new EntryWindow(3, [entry(1), entry(2)]);
  kept.replace([entry(7), entry(8), entry(8), entry(9), entry(10)]);
  assert.deepEqual(kept.entries.map((e) => e.id), ["epoch-8", "epoch-9", "epoch-10"]);
  assert.equal(kept.idCount, 3);
  assert.equal(kept.add(entry(1)), true, "ids from before the reset are forgotten");
  assert.deepEqual(kept.entries.map((e) => e.id), ["epoch-9", "epoch-10", "epoch-1"]);
});

Deno.test("older entries loaded back go first, each once, and make room for themselves", () => {
  const kept = new EntryWindow(3, [entry(5), entry(6)]);
  assert.equal(kept.prepend([entry(2), entry(3), entry(3), entry(4), entry(5)]), 3);
  assert.deepEqual(kept.entries.map((e) => e.id), ["epoch-2", "epoch-3", "epoch-4", "epoch-5", "epoch-6"]);
  assert.equal(kept.limit, 5, "what the reader asked for is not pushed out at once");
  kept.add(entry(7));
  assert.deepEqual(kept.entries.map((e) => e.id), ["epoch-3", "epoch-4", "epoch-5", "epoch-6", "epoch-7"]);
  assert.equal(kept.idCount, 5);
});
