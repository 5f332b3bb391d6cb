/**
 * The in-process Directory, for a room that lives in one process: one map of name keys. Nobody else can die
 * under it, so it never reports anyone lost.
 *
 * @example
 * ```ts
 * import { LocalDirectory } from "./local.ts";
 * const names = new LocalDirectory();
 * await names.claim({ id: "m1", name: "Ana", door: "tcp", keys: ["ana"] }); // undefined: had
 * await names.claim({ id: "m2", name: "ANA", door: "web", keys: ["ana"] }); // "Ana": taken
 * ```
 */
import type { Directory, Holder, MemberInfo } from "./directory.ts";

export class LocalDirectory implements Directory {
  #holders = new Map<string, Holder>();
  claim(member: Holder): Promise<string | undefined> {
    for (const key of member.keys) {
      const holder = this.#holders.get(key);
      if (holder && holder.id !== member.id) return Promise.resolve(holder.name);
    }
    for (const key of member.keys) this.#holders.set(key, member);
    return Promise.resolve(undefined);
  }

  release(member: Holder): Promise<boolean> {
    for (const key of member.keys) if (this.#holders.get(key)?.id === member.id) this.#holders.delete(key);
    return Promise.resolve(true);
  }

  enter(): Promise<void> {
    return Promise.resolve();
  }

  present(): Promise<MemberInfo[]> {
    return Promise.resolve([]);
  }

  onLost(): void {}

  close(): Promise<void> {
    return Promise.resolve();
  }
}
