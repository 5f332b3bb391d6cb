/**
 * Schedules socket writes in rounds: every outbox with queued bytes gets one coalesced write per round,
 * and the next round starts when that round's writes finish (or after {@link ROUND_WAIT_MS}, so one slow
 * socket holds nobody up). Starting a writer per event instead collapses at ~1,000 sockets: the writes
 * then run one tiny chunk at a time and the event loop spends itself on promise bookkeeping.
 */

/** What the flusher drives: something that can start one write of all it has queued. */
export interface Flushable {
  /** Starts one write of everything queued; undefined when there is nothing to do or a write is in flight. */
  flush(): Promise<void> | undefined;
}

export const ROUND_WAIT_MS = 50;

export class Flusher {
  #dirty = new Set<Flushable>();
  #running = false;

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
