import assert from "node:assert/strict";
import { TokenBucket } from "../../server/room/flood.ts";

/** A clock the test moves by hand. */
function manualClock(): { now: () => number; advance: (ms: number) => void } {
  let time = 1_000;
  return { now: () => time, advance: (ms) => time += ms };
}

Deno.test("a full bucket allows the whole burst at once, then says how long to wait", () => {
  const clock = manualClock();
  const bucket = new TokenBucket(10, 5, clock.now);
  for (let i = 0; i < 10; i++) assert.equal(bucket.take(), 0, `line ${i + 1}`);
  assert.equal(bucket.take(), 200); // 5 lines/s: one token every 200 ms
});

Deno.test("after the burst, lines are allowed at the rate", () => {
  const clock = manualClock();
  const bucket = new TokenBucket(2, 5, clock.now);
  bucket.take();
  bucket.take();
  for (let i = 0; i < 5; i++) {
    clock.advance(100);
    assert.equal(bucket.take(), 100, "half a token is not enough");
    clock.advance(100);
    assert.equal(bucket.take(), 0);
  }
});

Deno.test("a refused take costs nothing", () => {
  const clock = manualClock();
  const bucket = new TokenBucket(1, 1, clock.now);
  assert.equal(bucket.take(), 0);
  for (let i = 0; i < 5; i++) assert.equal(bucket.take(), 1000);
  clock.advance(1000);
  assert.equal(bucket.take(), 0);
});

Deno.test("the wait shrinks as time passes and is rounded up to whole ms", () => {
  const clock = manualClock();
  const bucket = new TokenBucket(1, 3, clock.now);
  bucket.take();
  assert.equal(bucket.take(), 334);
  clock.advance(300);
  assert.equal(bucket.take(), 34);
});

Deno.test("an idle bucket refills only up to the burst", () => {
  const clock = manualClock();
  const bucket = new TokenBucket(3, 5, clock.now);
  for (let i = 0; i < 3; i++) bucket.take();
  clock.advance(3_600_000);
  for (let i = 0; i < 3; i++) assert.equal(bucket.take(), 0);
  assert.ok(bucket.take() > 0);
});

Deno.test("a zero rate never refills", () => {
  const clock = manualClock();
  const bucket = new TokenBucket(1, 0, clock.now);
  assert.equal(bucket.take(), 0);
  clock.advance(60_000);
  assert.equal(bucket.take(), Infinity);
});
