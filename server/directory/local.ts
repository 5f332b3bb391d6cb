/**
 * The in-process Directory, for a room that lives in one process: one map of name keys, and the keys of
 * recent sends. Nobody else can die under it or pick up its sessions, so it never reports anyone lost and
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
import { type Directory, type Holder, type MemberInfo, RECEIPT_MS } from "./directory.ts";

export class LocalDirectory implements Directory {
  #holders = new Map<string, Holder>();
  #receipts = new Map<string, { at: number; result: Promise<unknown> }>();

  constructor(private readonly now: () => number = Date.now) {}

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

  once<T>(memberId: string, key: string | undefined, send: () => Promise<T>): Promise<T> {
    if (key === undefined) return send();
    const now = this.now();
    for (const [id, receipt] of this.#receipts) {
      if (now - receipt.at < RECEIPT_MS) break; // oldest first: the rest are newer
      this.#receipts.delete(id);
    }
    const id = `${memberId} ${key}`;
    const seen = this.#receipts.get(id);
    if (seen) return seen.result as Promise<T>;
    const result = send();
    this.#receipts.set(id, { at: now, result });
    return result;
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
