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
 * kept.prepend([{ id: "e-0" }]); // 1 (added): e-0, e-2, e-3, and room for three from now on
 * ```
 */
export class EntryWindow<T extends { id: string }> {
  #entries: T[] = [];
  #ids = new Set<string>();

  #limit: number;

  constructor(limit: number, entries: readonly T[] = []) {
    this.#limit = limit;
    this.replace(entries);
  }

  /** How many entries are kept at most: the limit given, grown by what {@link EntryWindow.prepend} added. */
  get limit(): number {
    return this.#limit;
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
    for (const dropped of next.splice(0, Math.max(0, next.length - this.#limit))) this.#ids.delete(dropped.id);
    this.#entries = next;
    return true;
  }

  /**
   * Puts older `entries` (oldest first) before those kept, each id once; the limit grows by as many, so
   * what the reader asked for does not push out what they were reading. Returns how many were added.
   */
  prepend(entries: readonly T[]): number {
    // Each id is remembered as it is taken, so a page repeating one keeps it once too.
    const older = entries.filter((entry) => !this.#ids.has(entry.id) && this.#ids.add(entry.id));
    this.#entries = [...older, ...this.#entries];
    this.#limit = Math.max(this.#limit, this.#entries.length);
    return older.length;
  }

  /** Keeps the newest `limit` of `entries` instead of what was kept (of two with one id, the later one). */
  replace(entries: readonly T[]): void {
    const kept: T[] = [];
    const ids = new Set<string>();
    for (let i = entries.length - 1; i >= 0 && kept.length < this.#limit; i--) {
      if (ids.has(entries[i].id)) continue;
      ids.add(entries[i].id);
      kept.push(entries[i]);
    }
    this.#entries = kept.reverse();
    this.#ids = ids;
  }
}
