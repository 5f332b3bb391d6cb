import assert from "node:assert/strict";
import type { RoomEvent } from "../../server/room/events.ts";
import { LineCache, renderLine } from "../../server/tcp/render.ts";

const at = 0;

Deno.test("each kind of event renders as the one line a terminal user sees", () => {
  const cases: [RoomEvent, string][] = [
    [{ id: "e-1", at, kind: "message", from: "Ana", text: "hi" }, "Ana: hi"],
    [{ id: "e-2", at, kind: "action", from: "Ana", text: "waves" }, "~ Ana waves"],
    [{ id: "e-3", at, kind: "join", from: "Ana", door: "web" }, "* Ana joined the chat"],
    [{ id: "e-4", at, kind: "system", text: "server shutting down" }, "* server shutting down"],
  ];
  for (const [event, line] of cases) assert.equal(renderLine(event), line);
});

Deno.test("a leave says why, except for a plain quit", () => {
  const leave = (reason?: RoomEvent["reason"]) => renderLine({ id: "e-1", at, kind: "leave", from: "Ana", reason });
  assert.equal(leave("quit"), "* Ana left the chat");
  assert.equal(leave(undefined), "* Ana left the chat");
  assert.equal(leave("lost"), "* Ana left the chat (connection lost)");
  assert.equal(leave("timeout"), "* Ana left the chat (timed out)");
  assert.equal(leave("slow"), "* Ana left the chat (too slow)");
});

Deno.test("an action can never read as a server notice, whatever its text", () => {
  const fake = renderLine({ id: "e-1", at, kind: "action", from: "Ana", text: "left the chat (connection lost)" });
  const real = renderLine({ id: "e-2", at, kind: "leave", from: "Ana", reason: "lost" });
  assert.notEqual(fake, real);
  assert.ok(real.startsWith("* ") && !fake.startsWith("* "));
});

Deno.test("a private message reads differently for its sender and its recipient", () => {
  const event: RoomEvent = {
    id: "e-1",
    at,
    kind: "message",
    from: "Ana",
    fromId: "a",
    to: "b",
    toName: "Bob",
    text: "psst",
  };
  assert.equal(renderLine(event, "a"), "[private to Bob] psst");
  assert.equal(renderLine(event, "b"), "[private] Ana: psst");
});

Deno.test("the line cache encodes a public event once for every reader, a private one per reader", () => {
  const cache = new LineCache();
  const pub: RoomEvent = { id: "e-1", at, kind: "message", from: "Ana", text: "hi" };
  assert.equal(cache.bytes(pub, "x"), cache.bytes(pub, "y"));
  const priv: RoomEvent = { ...pub, id: "e-2", fromId: "a", to: "b", toName: "Bob" };
  assert.equal(new TextDecoder().decode(cache.bytes(priv, "a")), "[private to Bob] hi\n");
  assert.equal(new TextDecoder().decode(cache.bytes(priv, "b")), "[private] Ana: hi\n");
});
