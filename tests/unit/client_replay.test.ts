import assert from "node:assert/strict";
import { planReplay } from "../../client/replay.ts";
import { Transcript } from "../../client/transcript.ts";

function shown(...lines: string[]): Transcript {
  const transcript = new Transcript();
  for (const line of lines) transcript.record(line);
  return transcript;
}

Deno.test("the first time, the whole history is shown and the own join starts the live lines", () => {
  const plan = planReplay(["Bob: hi", "* Ana joined the chat", "Bob: welcome"], "Ana", new Transcript());
  assert.deepEqual(plan, { gap: false, history: ["Bob: hi"], live: ["* Ana joined the chat", "Bob: welcome"] });
});

Deno.test("an old join under the same name in the history does not end it: the last one does", () => {
  const replay = ["* Ana joined the chat", "Ana: hi", "* Ana left the chat", "* Ana joined the chat"];
  const plan = planReplay(replay, "Ana", shown("* Ana joined the chat", "Ana: hi"));
  assert.deepEqual(plan, { gap: false, history: ["* Ana left the chat"], live: ["* Ana joined the chat"] });
});

Deno.test("the new join is never taken for the last line shown, even when that line is the old join", () => {
  const replay = ["* Ana joined the chat", "Bob: new", "* Ana joined the chat"];
  const plan = planReplay(replay, "Ana", shown("* Ana joined the chat"));
  assert.deepEqual(plan, { gap: false, history: ["Bob: new"], live: ["* Ana joined the chat"] });
});

Deno.test("lines that are not the room's (a private line, a /who answer) are neither matched nor dropped", () => {
  const replay = ["Bob: one", "[private] Bob: psst", "Bob: two", "* Ana joined the chat"];
  const plan = planReplay(replay, "Ana", shown("Bob: one"));
  assert.deepEqual(plan.history, ["[private] Bob: psst", "Bob: two"]);
});

Deno.test("without the own join (announced after the /who answer) everything is history", () => {
  assert.deepEqual(planReplay(["Bob: hi"], "Ana", new Transcript()), { gap: false, history: ["Bob: hi"], live: [] });
});
