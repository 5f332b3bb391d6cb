/** The web door's `members` frame: bounded in members and in bytes, with the true total. */
import assert from "node:assert/strict";
import { MEMBERS_LISTED, type WireMembers } from "../../common/wire.ts";
import type { MemberInfo } from "../../server/directory/directory.ts";
import { membersFrame } from "../../server/web/wire.ts";

function present(count: number): MemberInfo[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `id-${i}`,
    name: `member-with-a-long-name-${i}`,
    door: i % 2 === 0 ? "tcp" : "web",
  }));
}

/** The frame's data, checking the SSE framing around it. */
function data(frame: Uint8Array): WireMembers {
  const text = new TextDecoder().decode(frame);
  const match = text.match(/^event: members\ndata: (.*)\n\n$/);
  assert.ok(match, text);
  return JSON.parse(match[1]);
}

Deno.test("the members frame lists the first members up to the bound and counts them all", () => {
  const members = present(10_000);
  const frame = membersFrame(members);
  const snapshot = data(frame);
  assert.equal(snapshot.total, 10_000);
  assert.deepEqual(snapshot.members, members.slice(0, MEMBERS_LISTED).map(({ name, door }) => ({ name, door })));
  assert.ok(frame.length < 16_384, `${frame.length} bytes for 10,000 members`);
});

Deno.test("a members frame never outgrows its byte budget, listing fewer members instead", () => {
  const members = present(MEMBERS_LISTED);
  for (const budget of [4096, 1000, 120]) {
    const frame = membersFrame(members, budget);
    const snapshot = data(frame);
    assert.ok(frame.length <= budget, `${frame.length} > ${budget}`);
    assert.equal(snapshot.total, MEMBERS_LISTED);
    assert.ok(snapshot.members.length < MEMBERS_LISTED);
  }
  assert.equal(data(membersFrame(members, 10)).members.length, 0, "too small for anyone: only the count");
});

Deno.test("a small room is listed whole", () => {
  const snapshot = data(membersFrame(present(2)));
  assert.deepEqual(snapshot, {
    members: [{ name: "member-with-a-long-name-0", door: "tcp" }, { name: "member-with-a-long-name-1", door: "web" }],
    total: 2,
  });
});
