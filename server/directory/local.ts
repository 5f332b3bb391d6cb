/**
 * The in-process Directory, for a room that lives in one process: one map of name keys, and the receipts
 * of recent sends the room took (receipts.ts). Nobody else can die under it or pick up its sessions, so it never reports anyone lost and
 * keeps no sessions of its own.
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
import { type ReceiptLimits, Receipts } from "./receipts.ts";

export class LocalDirectory implements Directory {
  #holders = new Map<string, Holder>();
  #receipts: Receipts;

  /** `limits`: of the receipts of keyed sends (see receipts.ts); the defaults unless given. */
  constructor(limits: Partial<ReceiptLimits> = {}) {
    this.#receipts = new Receipts(limits);
  }

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
    this.#receipts.forget(member.id);
    return Promise.resolve(true);
  }

  enter(): Promise<void> {
    return Promise.resolve();
  }

  present(): Promise<MemberInfo[]> {
    return Promise.resolve([]);
  }

  onLost(): void {}

  once<T>(memberId: string, key: string | undefined, send: () => Promise<T>): Promise<T> {
    return key === undefined ? send() : this.#receipts.once(memberId, key, send);
  }

  // One process: its own session table is the only one.
  saveSession(): Promise<void> {
    return Promise.resolve();
  }

  findSession(): Promise<Holder | undefined> {
    return Promise.resolve(undefined);
  }

  dropSession(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
