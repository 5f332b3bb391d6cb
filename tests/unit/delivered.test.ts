import assert from "node:assert/strict";
import { Delivered } from "../../server/room/delivered.ts";

Deno.test("a wait for an event already delivered, or an earlier one, ends at once", async () => {
  const delivered = new Delivered();
  delivered.saw("e-1703");
  await delivered.until("e-1703", 60_000);
  await delivered.until("e-1701", 60_000);
});

Deno.test("a wait ends when its event, or a later one, is delivered; not for an earlier one", async () => {
  const delivered = new Delivered();
  let done = false;
  const waiting = delivered.until("e-5", 60_000).then(() => done = true);
  delivered.saw("e-4");
  await Promise.resolve();
  assert.equal(done, false);
  delivered.saw("e-6");
  await waiting;
});

Deno.test("an id of another epoch is never taken for delivered; a reset ends every wait", async () => {
  const delivered = new Delivered();
  delivered.saw("old-99");
  const waiting = delivered.until("new-1", 60_000);
  delivered.reset();
  await waiting;
});

Deno.test("a store that stops delivering does not hold a sender past the bound", async () => {
  await new Delivered().until("e-1", 10);
});
