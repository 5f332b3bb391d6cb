/**
 * Rounds: a publication's public events encoded once per door and shared; who sees exactly them.
 */
import assert from "node:assert/strict";
import type { RoomEvent } from "../../server/room/events.ts";
import { Round } from "../../server/room/round.ts";
import { roundLines } from "../../server/tcp/render.ts";
import { roundFrames } from "../../server/web/wire.ts";

const message = (n: number, extra: Partial<RoomEvent> = {}): RoomEvent => ({
  id: `e1-${n}`,
  at: 0,
  kind: "message",
  from: "Ana",
  fromId: "ana",
  text: `line ${n}`,
  ...extra,
});

Deno.test("a round's public events are encoded once per door, and every reader gets the same bytes", () => {
  let encoded = 0;
  const counting = (events: readonly RoomEvent[]) => {
    encoded++;
    return roundLines(events);
  };
  const round = new Round([message(1), message(2)]);
  const first = round.encoded(counting);
  assert.equal(round.encoded(counting), first, "the same chunk, not a copy");
  assert.equal(encoded, 1);
  assert.equal(new TextDecoder().decode(first), "Ana: line 1\nAna: line 2\n");
  const frames = new TextDecoder().decode(round.encoded(roundFrames));
  assert.equal(frames.split("\n\n").filter(Boolean).length, 2, "the web door's own encoding, two frames");
  assert.match(frames, /^id: e1-1\ndata: \{/);
});

Deno.test("a private event stays out of the shared chunk; its two members take the slow path", () => {
  const round = new Round([message(1), message(2, { to: "bob", toName: "Bob" }), message(3)]);
  assert.deepEqual(round.public.map((event) => event.id), ["e1-1", "e1-3"]);
  assert.equal(new TextDecoder().decode(round.encoded(roundLines)), "Ana: line 1\nAna: line 3\n");
  assert.equal(round.seesPublicOnly("cat"), true, "a third member sees the public events only");
  assert.equal(round.seesPublicOnly(undefined), true, "so does the page");
  assert.equal(round.seesPublicOnly("bob"), false, "the recipient");
  assert.equal(round.seesPublicOnly("ana"), false, "the sender");
});
