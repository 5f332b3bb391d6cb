import assert from "node:assert/strict";
import { classify, isRoomLine, nameColour, renderLine } from "../../client/render.ts";

const NINE_FIVE = new Date(2026, 0, 1, 9, 5);

Deno.test("each kind of server line is told apart", () => {
  const cases: [string, string][] = [
    ["Ana: hello: there", "message"],
    ["~ Ana waves", "action"],
    ["* Ana waves", "system"],
    ["* Ana joined the chat", "presence"],
    ["* Ana left the chat", "presence"],
    ["* Ana left the chat (connection lost)", "presence"],
    ["[private] Bob: psst", "private"],
    ["[private to Bob] psst", "private"],
    ["! no one called Bob is here", "error"],
    ["* server shutting down", "system"],
    ["Hello, Ana! Online (1): Ana. Type /help for commands.", "info"],
    ["2 online:", "info"],
    ["  Ana (tcp)", "info"],
    ["Commands:", "info"],
    ["--- recent history ---", "info"],
  ];
  for (const [line, kind] of cases) assert.equal(classify(line), kind, line);
});

Deno.test("only messages, actions, joins and leaves count as the room's log", () => {
  for (const kind of ["message", "action", "presence"] as const) assert.ok(isRoomLine(kind));
  for (const kind of ["private", "error", "system", "info", "notice", "pending"] as const) {
    assert.ok(!isRoomLine(kind), kind);
  }
});

Deno.test("without colour a line is its time and its text", () => {
  assert.equal(renderLine("Ana: hi", "message", NINE_FIVE, false), "09:05 Ana: hi");
  assert.equal(renderLine("Ana: hi", "message", null, false), "--:-- Ana: hi", "a replayed line has no time");
});

Deno.test("with colour the name of a speaker is painted, always the same way", () => {
  const line = renderLine("Ana: hi", "message", NINE_FIVE, true);
  assert.equal(line, `\x1b[2m09:05\x1b[0m \x1b[${nameColour("Ana")}mAna\x1b[0m: hi`);
  assert.equal(nameColour("ana"), nameColour("ANA"), "names are compared without case");
  assert.ok(renderLine("! no", "error", NINE_FIVE, true).endsWith(" \x1b[31m! no\x1b[0m"));
  assert.ok(renderLine("[private] Bob: x", "private", NINE_FIVE, true).endsWith(" \x1b[1;33m[private] Bob: x\x1b[0m"));
});

Deno.test("control characters and escape sequences from the server never reach the terminal", () => {
  assert.equal(renderLine("Ana: \x1b[2Jgone\x07\ttab", "message", NINE_FIVE, false), "09:05 Ana: gone tab");
});

Deno.test("what the server strips the client strips too: bidirectional overrides and isolates never reach the terminal", () => {
  const line = "Eve: \u202egnp.exe\u202c \u2066isolated\u2069 \u202aembedded\u202c";
  assert.equal(renderLine(line, "message", NINE_FIVE, false), "09:05 Eve: gnp.exe isolated embedded");
  assert.equal(renderLine("\x1b: x", "message", NINE_FIVE, true), "\x1b[2m09:05\x1b[0m  x", "no name left to paint");
});
