/**
 * The entries a page keeps: the newest `limit`, each id at most once (a replay after a reconnect may
 * repeat events the page already shows). The ids it checks against are exactly those of the entries it
 * keeps, so they are bounded with them: an id is forgotten when its entry scrolls away.
 *
 * @example
 * ```ts
 * import { EntryWindow } from "./entries.ts";
 * const kept = new EntryWindow(2, [{ id: "e-1" }, { id: "e-2" }]);
 * kept.add({ id: "e-2" }); // false: already shown
 * kept.add({ id: "e-3" }); // true: kept.entries is now e-2, e-3 (e-1 scrolled away)
 * ```
 */
export class EntryWindow<T extends { id: string }> {
  #entries: T[] = [];
  #ids = new Set<string>();

  constructor(readonly limit: number, entries: readonly T[] = []) {
    this.replace(entries);
  }

  /** The entries kept, oldest first. A new array after every change, so it can go straight into a signal. */
  get entries(): T[] {
    return this.#entries;
  }

  /** How many ids are remembered: never more than the entries kept. */
  get idCount(): number {
    return this.#ids.size;
  }

  has(id: string): boolean {
    return this.#ids.has(id);
  }

  /** Appends `entry`, dropping the oldest beyond the limit; false, and nothing changes, if its id is kept. */
  add(entry: T): boolean {
    if (this.#ids.has(entry.id)) return false;
    this.#ids.add(entry.id);
    const next = [...this.#entries, entry];
    for (const dropped of next.splice(0, Math.max(0, next.length - this.limit))) this.#ids.delete(dropped.id);
    this.#entries = next;
    return true;
  }

  /** Keeps the newest `limit` of `entries` instead of what was kept (of two with one id, the later one). */
  replace(entries: readonly T[]): void {
    const kept: T[] = [];
    const ids = new Set<string>();
    for (let i = entries.length - 1; i >= 0 && kept.length < this.limit; i--) {
      if (ids.has(entries[i].id)) continue;
      ids.add(entries[i].id);
      kept.push(entries[i]);
    }
    this.#entries = kept.reverse();
    this.#ids = ids;
  }
}
