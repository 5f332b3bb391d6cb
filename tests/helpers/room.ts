/**
 * A Room over the memory store and the in-process directory, for in-process tests: what every store
 * delivered, and a quick way to make members present.
 *
 * @example
 * ```ts
 * import { testRoom } from "./room.ts";
 * const { room, events, present } = testRoom();
 * const ana = await present("Ana");
 * await room.input(ana, "hello"); // events: Ana's join, then her message
 * ```
 */
import type { Directory } from "../../server/directory/directory.ts";
import { LocalDirectory } from "../../server/directory/local.ts";
import type { RoomEvent } from "../../server/room/events.ts";
import { type Member, Room, type RoomLimits } from "../../server/room/room.ts";
import { MemoryStore } from "../../server/store/memory.ts";
import type { EventStore } from "../../server/store/store.ts";

export const LIMITS: RoomLimits = { maxMessageBytes: 20, floodBurst: 100, floodRate: 100, history: 20 };

export function testRoom(
  limits: Partial<RoomLimits> = {},
  store: EventStore = new MemoryStore(1000),
  directory: Directory = new LocalDirectory(),
) {
  const room = new Room(store, directory, { ...LIMITS, ...limits });
  const events: RoomEvent[] = [];
  store.subscribe((batch) => events.push(...batch));
  const present = async (name: string, door: "tcp" | "web" = "tcp"): Promise<Member> => {
    const member = await room.claim(name, door);
    if ("error" in member) throw new Error(member.error);
    await room.enter(member);
    return member;
  };
  return { room, store, events, present };
}
