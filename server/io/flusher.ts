/**
 * Schedules socket writes in rounds: every outbox with queued bytes gets one coalesced write per round,
 * and the next round starts when that round's writes finish (or after {@link ROUND_WAIT_MS}, so one slow
 * socket holds nobody up). Starting a writer per event instead collapses at ~1,000 sockets: the writes
 * then run one tiny chunk at a time and the event loop spends itself on promise bookkeeping.
 */
import { concat } from "./bytes.ts";

/** What the flusher drives: something that can start one write of all it has queued. */
export interface Flushable {
  /** Starts one write of everything queued; undefined when there is nothing to do or a write is in flight. */
  flush(): Promise<void> | undefined;
}

export const ROUND_WAIT_MS = 50;

export class Flusher {
  #dirty = new Set<Flushable>();
  #running = false;
  #lastParts: Uint8Array[] = [];
  #lastJoined: Uint8Array | undefined;

  /**
   * Joins `parts` (whose total length is `size`) into one buffer, sharing the result with the previous
   * caller that queued the very same chunks: in a round where every reader has the same events queued,
   * they are joined once and the same bytes go to every socket.
   */
  join(parts: Uint8Array[], size: number): Uint8Array {
    const last = this.#lastParts;
    if (this.#lastJoined?.length === size && last.length === parts.length && parts.every((p, i) => p === last[i])) {
      return this.#lastJoined;
    }
    this.#lastParts = parts;
    this.#lastJoined = concat(parts, size);
    return this.#lastJoined;
  }

  /** Asks for `outbox` to be written in the next round. */
  mark(outbox: Flushable): void {
    this.#dirty.add(outbox);
    if (!this.#running) {
      this.#running = true;
      queueMicrotask(() => this.#rounds());
    }
  }

  async #rounds(): Promise<void> {
    while (this.#dirty.size > 0) {
      const writes: Promise<void>[] = [];
      for (const outbox of this.#dirty) {
        const write = outbox.flush();
        if (write) writes.push(write);
      }
      this.#dirty.clear();
      this.#lastParts = [];
      this.#lastJoined = undefined;
      if (writes.length > 0) await settleOrTimeout(writes, ROUND_WAIT_MS);
    }
    this.#running = false;
  }
}

async function settleOrTimeout(
  writes: Promise<void>[],
  ms: number,
): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<void>((resolve) => timer = setTimeout(resolve, ms));
  await Promise.race([Promise.all(writes), timeout]);
  clearTimeout(timer);
}
