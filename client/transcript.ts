/**
 * The room's lines this client has shown, and the de-duplication of the history the server replays on every
 * join. The TCP protocol has no ids, so lines are matched by their text: the replay is cut where it best
 * continues what was already shown, and only what follows is new. When nothing of the replay continues what
 * was shown, more was said than the server replays, and the caller is told there is a gap.
 *
 * @example
 * ```ts
 * import { Transcript } from "./transcript.ts";
 * const transcript = new Transcript();
 * for (const line of ["Ana: hi", "Bob: hello"]) transcript.record(line);
 * transcript.reconcile(["Ana: hi", "Bob: hello", "Cy: hey"]); // { known: 2, fresh: ["Cy: hey"], gap: false }
 * ```
 */

/** Lines kept for matching: far more than the server replays by default (20), as many as it keeps in memory. */
export const KEPT_LINES = 1_000;

export interface Reconciled {
  /** How many replayed lines, from the first, were shown before (or are older than what was). */
  known: number;
  /** The replayed lines not shown before, in order: those after `known`. */
  fresh: string[];
  /** True when the replay does not reach back to what was shown: lines may be missing before `fresh`. */
  gap: boolean;
}

export class Transcript {
  #lines: string[] = [];

  constructor(readonly limit: number = KEPT_LINES) {}

  get size(): number {
    return this.#lines.length;
  }

  /** Notes a line of the room (a message, action, join or leave) as shown. */
  record(line: string): void {
    this.#lines.push(line);
    if (this.#lines.length > 2 * this.limit) this.#lines.splice(0, this.#lines.length - this.limit);
  }

  /**
   * Splits a replayed history into what was already shown and what is new. The cut is where the longest run
   * of replayed lines matches the end of what was shown; among equally long runs the earliest wins, so a
   * repetitive conversation may show a line again rather than hide one.
   */
  reconcile(replay: readonly string[]): Reconciled {
    const shown = this.#lines.slice(-this.limit);
    if (shown.length === 0) return { known: 0, fresh: [...replay], gap: false };
    let bestEnd = 0;
    let bestLength = 0;
    for (let end = 1; end <= replay.length; end++) {
      const length = commonSuffix(replay, end, shown);
      if (length > bestLength) {
        bestLength = length;
        bestEnd = end;
      }
    }
    return { known: bestEnd, fresh: replay.slice(bestEnd), gap: bestLength === 0 };
  }
}

/** How many lines `replay[0, end)` and `shown` have in common at their ends. */
function commonSuffix(replay: readonly string[], end: number, shown: readonly string[]): number {
  let length = 0;
  while (length < end && length < shown.length && replay[end - 1 - length] === shown[shown.length - 1 - length]) {
    length++;
  }
  return length;
}
