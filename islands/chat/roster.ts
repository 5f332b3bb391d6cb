/**
 * Who is online as the page keeps it: the members it lists (at most {@link MEMBERS_LISTED}, as the
 * server's snapshot) and how many are present in all. Joins and leaves keep the count right even for
 * members the page never listed, so a big room costs the page no more than a small one.
 *
 * @example
 * ```ts
 * import type { WireMembers } from "../../common/wire.ts";
 * import { joined, left } from "./roster.ts";
 * let roster: WireMembers = { members: [{ name: "Ana", door: "tcp" }], total: 9000 };
 * roster = joined(roster, { name: "Bob", door: "web" }); // Bob listed (there is room), total 9001
 * roster = left(roster, "Ana"); // Ana no longer listed, total 9000
 * ```
 */
import { MEMBERS_LISTED, type WireMember, type WireMembers } from "../../common/wire.ts";

/** The roster after `member` joined: counted once, and listed if the list has room. */
export function joined(roster: WireMembers, member: WireMember, limit = MEMBERS_LISTED): WireMembers {
  const listed = roster.members.findIndex((other) => other.name === member.name);
  if (listed >= 0) {
    // Already listed, so already counted: a repeated join changes nothing but the door it shows.
    return { members: roster.members.map((other, i) => i === listed ? member : other), total: roster.total };
  }
  const members = roster.members.length < limit ? [...roster.members, member] : roster.members;
  return { members, total: Math.max(roster.total + 1, members.length) };
}

/** The roster after the member called `name` left: no longer listed, and one fewer in all. */
export function left(roster: WireMembers, name: string): WireMembers {
  const members = roster.members.filter((member) => member.name !== name);
  return { members, total: Math.max(roster.total - 1, members.length, 0) };
}

/** How many present members the list leaves out (the page says "and N more"). */
export function unlisted(roster: WireMembers): number {
  return Math.max(roster.total - roster.members.length, 0);
}
