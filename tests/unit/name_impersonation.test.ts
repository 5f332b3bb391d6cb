/** Issue 8, item 5: with `Ana` present, no one can enter under a name that looks like hers. */
import assert from "node:assert/strict";
import type { Member, Room } from "../../server/room/room.ts";
import { testRoom } from "../helpers/room.ts";

async function roomWith(...names: string[]): Promise<Room> {
  const { room, present } = testRoom();
  for (const name of names) await present(name);
  return room;
}

async function refusal(room: Room, name: string): Promise<string> {
  const claim = await room.claim(name, "web");
  assert.ok("error" in claim, `${JSON.stringify(name)} should be refused, got ${(claim as Member).name}`);
  return claim.error;
}

Deno.test("with Ana present, each impersonation from issue 8 is refused", async () => {
  const room = await roomWith("Ana");
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
  for (const [name, error] of impostors) assert.equal(await refusal(room, name), error, JSON.stringify(name));
  assert.deepEqual(room.members().map((member) => member.name), ["Ana"]);
});

Deno.test("a look-alike in one script, or in other capitals, is taken like the name itself", async () => {
  const room = await roomWith("Ana", "ace", "Bill", "rnoe");
  for (const [name, holder] of [["ANA", "Ana"], ["\u0430\u0441\u0435", "ace"], ["Bi11", "Bill"], ["moe", "rnoe"]]) {
    assert.equal(await refusal(room, name), `the name "${holder}" is taken, choose another`, name);
  }
});

Deno.test("names that only resemble a present one are free", async () => {
  const room = await roomWith("Ana");
  for (const name of ["Anna", "Ava", "Ana2", "An\u00e1"]) assert.ok(!("error" in await room.claim(name, "tcp")), name);
});

Deno.test("a capital that looks like another letter is caught too: AIice (capital I) with Alice present", async () => {
  const room = await roomWith("Alice", "TOM");
  assert.equal(await refusal(room, "AIice"), 'the name "Alice" is taken, choose another');
  assert.equal(await refusal(room, "\u0422\u041e\u041c"), 'the name "TOM" is taken, choose another');
});

Deno.test("a name's keys are freed together when its holder leaves", async () => {
  const { room, present } = testRoom();
  const alice = await present("Alice");
  await room.leave(alice, "quit");
  assert.ok(!("error" in await room.claim("AIice", "tcp")));
});
