import assert from "node:assert/strict";
import type { RoomEvent } from "../../server/room/events.ts";
import { renderLine } from "../../server/tcp/render.ts";

const at = 0;

Deno.test("each kind of event renders as the one line a terminal user sees", () => {
  const cases: [RoomEvent, string][] = [
    [{ id: 1, at, kind: "message", from: "Ana", text: "hi" }, "Ana: hi"],
    [{ id: 2, at, kind: "action", from: "Ana", text: "waves" }, "* Ana waves"],
    [{ id: 3, at, kind: "join", from: "Ana", door: "web" }, "* Ana joined the chat"],
    [{ id: 4, at, kind: "system", text: "server shutting down" }, "* server shutting down"],
  ];
  for (const [event, line] of cases) assert.equal(renderLine(event), line);
});

Deno.test("a leave says why, except for a plain quit", () => {
  const leave = (reason?: RoomEvent["reason"]) => renderLine({ id: 1, at, kind: "leave", from: "Ana", reason });
  assert.equal(leave("quit"), "* Ana left the chat");
  assert.equal(leave(undefined), "* Ana left the chat");
  assert.equal(leave("lost"), "* Ana left the chat (connection lost)");
  assert.equal(leave("timeout"), "* Ana left the chat (timed out)");
  assert.equal(leave("kicked"), "* Ana left the chat (kicked)");
  assert.equal(leave("slow"), "* Ana left the chat (too slow)");
});
