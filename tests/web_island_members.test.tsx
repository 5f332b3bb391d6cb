/** The chat island's "who is online": a bounded list with the true count, kept right by joins and leaves. */
import assert from "node:assert/strict";
import { signal } from "@preact/signals";
import { renderToString } from "preact-render-to-string";
import type { WireMember, WireMembers } from "../common/wire.ts";
import { MemberList } from "../islands/chat/MemberList.tsx";
import { joined, left, unlisted } from "../islands/chat/roster.ts";

const tcp = (name: string): WireMember => ({ name, door: "tcp" });
const names = (roster: WireMembers) => roster.members.map((member) => member.name);
const render = (roster: WireMembers, me?: string) =>
  renderToString(<MemberList members={signal(roster)} me={signal(me)} draft={signal("")} />);

Deno.test("a join counts one more and is listed while the list has room", () => {
  let roster: WireMembers = { members: [tcp("Ana")], total: 1 };
  roster = joined(roster, tcp("Bob"), 3);
  roster = joined(roster, tcp("Cy"), 3);
  assert.deepEqual([names(roster), roster.total], [["Ana", "Bob", "Cy"], 3]);

  roster = joined(roster, tcp("Dee"), 3);

  assert.deepEqual([names(roster), roster.total, unlisted(roster)], [["Ana", "Bob", "Cy"], 4, 1]);
});

Deno.test("a join of someone already listed changes neither the list nor the count", () => {
  const roster = joined({ members: [tcp("Ana"), tcp("Bob")], total: 9 }, tcp("Bob"), 3);
  assert.deepEqual([names(roster), roster.total], [["Ana", "Bob"], 9]);
});

Deno.test("a leave counts one fewer, and makes room in the list when the member was listed", () => {
  let roster: WireMembers = { members: [tcp("Ana"), tcp("Bob")], total: 10_000 };
  roster = left(roster, "Zed");
  assert.deepEqual([names(roster), roster.total], [["Ana", "Bob"], 9_999], "not listed: only counted");

  roster = left(roster, "Ana");
  assert.deepEqual([names(roster), roster.total], [["Bob"], 9_998]);

  roster = joined(roster, tcp("Eve"), 2);
  assert.deepEqual([names(roster), roster.total], [["Bob", "Eve"], 9_999], "the freed place is taken");
});

Deno.test("with the whole room listed, the count never drifts from the list", () => {
  let roster: WireMembers = { members: [tcp("Ana")], total: 1 };
  roster = left(roster, "Ana");
  roster = left(roster, "Ana");
  assert.deepEqual([names(roster), roster.total], [[], 0], "a repeated leave does not go below zero");
});

Deno.test("the list shows the true total and how many it leaves out", () => {
  const members = Array.from({ length: 200 }, (_, i) => tcp(`m${i}`));
  const html = render({ members, total: 10_000 }, "m3");

  assert.match(html, /Online <span class="count">10,000<\/span>/);
  assert.equal(html.match(/class="member-name"/g)?.length, 200);
  assert.match(html, /<p class="members-more">and 9,800 more<\/p>/);
  assert.match(html, /m3<\/span><span class="you">you<\/span>/);
});

Deno.test("a room listed whole has no 'more' line, and an empty one says so", () => {
  const whole = render({ members: [tcp("Ana"), tcp("Bob")], total: 2 });
  assert.match(whole, /Online <span class="count">2<\/span>/);
  assert.doesNotMatch(whole, /members-more/);
  assert.match(render({ members: [], total: 0 }), /Nobody is here yet\./);
});
