/**
 * The in-process Directory: one map of name keys, for a room that lives in one process.
 *
 * @example
 * ```ts
 * import { LocalDirectory } from "./local.ts";
 * const names = new LocalDirectory();
 * await names.claim(["ana"], { id: "m1", name: "Ana", door: "tcp" }); // undefined: had
 * await names.claim(["ana"], { id: "m2", name: "ANA", door: "web" }); // "Ana": taken
 * ```
 */
import type { Directory, MemberInfo } from "./directory.ts";

export class LocalDirectory implements Directory {
  #holders = new Map<string, MemberInfo>();

  claim(keys: readonly string[], member: MemberInfo): Promise<string | undefined> {
    for (const key of keys) {
      const holder = this.#holders.get(key);
      if (holder && holder.id !== member.id) return Promise.resolve(holder.name);
    }
    for (const key of keys) this.#holders.set(key, member);
    return Promise.resolve(undefined);
  }

  release(keys: readonly string[], member: MemberInfo): Promise<void> {
    for (const key of keys) if (this.#holders.get(key)?.id === member.id) this.#holders.delete(key);
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
