import assert from "node:assert/strict";
import { concat, countWithin } from "../../server/io/bytes.ts";

Deno.test("concat joins chunks in order into one buffer", () => {
  const joined = concat([new Uint8Array([1, 2]), new Uint8Array([]), new Uint8Array([3])], 3);
  assert.deepEqual([...joined], [1, 2, 3]);
});

Deno.test("countWithin counts the items that fit, each with its extra bytes", () => {
  assert.equal(countWithin(["ab", "cd", "ef"], 6, 1), 2);
  assert.equal(countWithin(["ab", "cd", "ef"], 5, 1), 1);
  assert.equal(countWithin(["ab", "cd", "ef"], 9, 1), 3);
  assert.equal(countWithin(["ab"], 0, 0), 0);
  assert.equal(countWithin([], 10, 1), 0);
  assert.equal(countWithin(["x"], Infinity, 1), 1);
});

Deno.test("countWithin measures UTF-8 bytes, not characters", () => {
  assert.equal(countWithin(["€€", "€"], 6, 0), 1); // "€" is 3 bytes
  assert.equal(countWithin(["€€", "€"], 9, 0), 2);
});

Deno.test("countWithin stops at the first item that does not fit, keeping the order", () => {
  assert.equal(countWithin(["a", "very long item", "b"], 5, 0), 1);
});
