/** Issue 8, item 5: with `Ana` present, no one can enter under a name that looks like hers. */
import assert from "node:assert/strict";
import { MemoryLog } from "../../server/log/memory.ts";
import { type Member, Room } from "../../server/room/room.ts";

function roomWith(...names: string[]): Room {
  const room = new Room(new MemoryLog(), { maxMessageBytes: 2048, floodBurst: 100, floodRate: 100 });
  for (const name of names) {
    const member = room.claim(name, "tcp");
    if ("error" in member) throw new Error(member.error);
    room.enter(member);
  }
  return room;
}

function refusal(room: Room, name: string): string {
  const claim = room.claim(name, "web");
  assert.ok("error" in claim, `${JSON.stringify(name)} should be refused, got ${(claim as Member).name}`);
  return claim.error;
}

Deno.test("with Ana present, each impersonation from issue 8 is refused", () => {
  const room = roomWith("Ana");
  const impostors: [string, string][] = [
    ["\u0410na", "a name may not mix scripts (Cyrillic and Latin)"],
    ["An\u0430", "a name may not mix scripts (Latin and Cyrillic)"],
    ["\u0391na", "a name may not mix scripts (Greek and Latin)"],
    ["Ana\u034F", "a name must not contain invisible characters"],
    ["Ana\uFE0F", "a name must not contain invisible characters"],
    ["Ana\u3164", "a name must not contain invisible characters"],
    ["\u3164", "a name must not contain invisible characters"],
    ["\u17B4Ana", "a name may contain only letters, digits, _ - and ."],
  ];
  for (const [name, error] of impostors) assert.equal(refusal(room, name), error, JSON.stringify(name));
  assert.deepEqual(room.members().map((member) => member.name), ["Ana"]);
});

Deno.test("a look-alike in one script, or in other capitals, is taken like the name itself", () => {
  const room = roomWith("Ana", "ace", "Bill", "rnoe");
  for (const [name, holder] of [["ANA", "Ana"], ["\u0430\u0441\u0435", "ace"], ["Bi11", "Bill"], ["moe", "rnoe"]]) {
    assert.equal(refusal(room, name), `the name "${holder}" is taken, choose another`, name);
  }
});

Deno.test("names that only resemble a present one are free", () => {
  const room = roomWith("Ana");
  for (const name of ["Anna", "Ava", "Ana2", "An\u00e1"]) assert.ok(!("error" in room.claim(name, "tcp")), name);
});
