import assert from "node:assert/strict";
import { Transcript } from "../../client/transcript.ts";

function shown(...lines: string[]): Transcript {
  const transcript = new Transcript();
  for (const line of lines) transcript.record(line);
  return transcript;
}

Deno.test("a replay that continues what was shown yields only the lines after it", () => {
  const result = shown("a: 1", "b: 2", "a: 3").reconcile(["b: 2", "a: 3", "c: 4", "c: 5"]);
  assert.deepEqual(result, { known: 2, fresh: ["c: 4", "c: 5"], gap: false });
});

Deno.test("a replay that reaches back before the first line shown still cuts after the last one shown", () => {
  const result = shown("b: 2", "a: 3").reconcile(["x: 0", "a: 1", "b: 2", "a: 3", "c: 4"]);
  assert.deepEqual(result.fresh, ["c: 4"]);
});

Deno.test("a replay with nothing new yields nothing", () => {
  assert.deepEqual(shown("a: 1", "b: 2").reconcile(["a: 1", "b: 2"]), { known: 2, fresh: [], gap: false });
});

Deno.test("a replay that does not reach back to what was shown is all new, and flagged as a gap", () => {
  assert.deepEqual(shown("a: 1").reconcile(["c: 8", "c: 9"]), { known: 0, fresh: ["c: 8", "c: 9"], gap: true });
  assert.deepEqual(shown("a: 1").reconcile([]), { known: 0, fresh: [], gap: true }, "no history at all");
});

Deno.test("before anything was shown the whole replay is new and nothing is missing", () => {
  assert.deepEqual(new Transcript().reconcile(["a: 1"]), { known: 0, fresh: ["a: 1"], gap: false });
});

Deno.test("a line said again after the last one shown is new: the longest match wins over a later, shorter one", () => {
  const result = shown("x: 0", "a: hi", "b: yo").reconcile(["a: hi", "b: yo", "c: 1", "b: yo"]);
  assert.deepEqual(result.fresh, ["c: 1", "b: yo"]);
});

Deno.test("among equally long matches the earliest wins: a line may show twice, none is hidden", () => {
  const result = shown("a: hi").reconcile(["a: hi", "a: hi"]);
  assert.deepEqual(result.fresh, ["a: hi"]);
});

Deno.test("only the last `limit` lines are kept for matching", () => {
  const transcript = new Transcript(3);
  for (let i = 0; i < 100; i++) transcript.record(`a: ${i}`);
  assert.ok(transcript.size <= 6, "bounded");
  assert.deepEqual(transcript.reconcile(["a: 96", "a: 97", "a: 98", "a: 99", "a: 100"]).fresh, ["a: 100"]);
});
