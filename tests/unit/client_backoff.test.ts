import assert from "node:assert/strict";
import { backoffDelay, MAX_DELAY_MS } from "../../client/backoff.ts";

Deno.test("every wait lies between half and all of its step, and the step doubles from 2 s up to 30 s", () => {
  for (let attempt = 0; attempt < 40; attempt++) {
    const step = Math.min(MAX_DELAY_MS, 2000 * 2 ** attempt);
    assert.equal(backoffDelay(attempt, () => 0), step / 2);
    assert.equal(backoffDelay(attempt, () => 0.999999), Math.round(step * 0.9999995));
  }
});

Deno.test("the first retry comes after 1 to 2 s and no wait is longer than 30 s", () => {
  assert.equal(backoffDelay(0, () => 0), 1000);
  assert.equal(backoffDelay(0, () => 0.5), 1500);
  assert.equal(backoffDelay(1_000_000, () => 0.999999), MAX_DELAY_MS);
});
