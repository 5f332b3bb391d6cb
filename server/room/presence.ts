/**
 * Who is present, as the room's own events tell it: a join adds the member, a leave removes it. Kept in
 * the order they joined, and by name key for `/msg`. Every instance that reads the same events knows the
 * same members.
 */
import type { MemberInfo } from "../directory/directory.ts";
import type { RoomEvent } from "./events.ts";
import { nameKey } from "./names.ts";

export class Presence {
  #byId = new Map<string, MemberInfo>();
  #byKey = new Map<string, MemberInfo>();

  get size(): number {
    return this.#byId.size;
  }

  /** Starts over from `members` (who the directory says is present now). */
  seed(members: readonly MemberInfo[]): void {
    this.#byId.clear();
    this.#byKey.clear();
    for (const member of members) {
      this.#byId.set(member.id, member);
      this.#byKey.set(nameKey(member.name), member);
    }
  }

  /** Follows one event: joins and leaves change who is present, nothing else does. */
  apply(event: RoomEvent): void {
    if (event.fromId === undefined || event.from === undefined) return;
    if (event.kind === "join" && event.door) {
      const member: MemberInfo = { id: event.fromId, name: event.from, door: event.door };
      this.#byId.set(member.id, member);
      this.#byKey.set(nameKey(member.name), member);
    } else if (event.kind === "leave") {
      const member = this.#byId.get(event.fromId);
      if (!member) return;
      this.#byId.delete(member.id);
      const key = nameKey(member.name);
      if (this.#byKey.get(key) === member) this.#byKey.delete(key);
    }
  }

  /** Everyone present, in the order they joined. */
  list(): MemberInfo[] {
    return [...this.#byId.values()];
  }

  /** The present member whose name looks like `name`, if any. */
  find(name: string): MemberInfo | undefined {
    return this.#byKey.get(nameKey(name));
  }

  has(memberId: string): boolean {
    return this.#byId.has(memberId);
  }
}
