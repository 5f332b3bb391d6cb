/**
 * The receipts of keyed sends in one process (see `Directory.once` in directory.ts): a send's key → its
 * result, kept only when the room took the send, for {@link RECEIPT_MS}, at most `perMember` per member and
 * `max` in all, the oldest dropped first. A send still running is found by its retries too, and forgotten
 * if the room refused it, so a retry of a refused send is judged afresh and a flood of refused sends stores
 * nothing.
 *
 * @example
 * ```ts
 * import { Receipts } from "./receipts.ts";
 * const receipts = new Receipts();
 * const send = () => Promise.resolve({ type: "sent" });
 * await receipts.once("m1", "k-1", send); // runs send: { type: "sent" }
 * await receipts.once("m1", "k-1", send); // the first answer; send does not run again
 * ```
 */
import { MAX_RECEIPTS, RECEIPT_MS, RECEIPTS_PER_MEMBER, type SendReceipts, wasTaken } from "./directory.ts";

export interface ReceiptLimits {
  perMember: number;
  max: number;
  now: () => number;
}

interface Receipt {
  memberId: string;
  at: number;
  result: unknown;
}

export class Receipts implements SendReceipts {
  /** Kept receipts by `member key`, oldest first. */
  #kept = new Map<string, Receipt>();
  /** Each member's kept receipt ids, oldest first. */
  #byMember = new Map<string, Set<string>>();
  #running = new Map<string, Promise<unknown>>();
  #limits: ReceiptLimits;

  constructor(limits: Partial<ReceiptLimits> = {}) {
    this.#limits = { perMember: RECEIPTS_PER_MEMBER, max: MAX_RECEIPTS, now: Date.now, ...limits };
  }

  /** Receipts kept now, in all. */
  get size(): number {
    return this.#kept.size;
  }

  /** Runs `send` unless `key` already has a result for the member, or a send of it is running. */
  once<T>(memberId: string, key: string | undefined, send: () => Promise<T>): Promise<T> {
    if (key === undefined) return send();
    this.#expire();
    const id = `${memberId} ${key}`;
    const kept = this.#kept.get(id);
    if (kept) return Promise.resolve(kept.result as T);
    const running = this.#running.get(id);
    if (running) return running as Promise<T>;
    const result = send();
    this.#running.set(id, result);
    // Registered before the caller's own await, so a retry made after the answer finds the receipt.
    result.then((value) => {
      this.#running.delete(id);
      if (wasTaken(value)) this.#keep(memberId, id, value);
    }, () => this.#running.delete(id));
    return result;
  }

  /** Drops the member's receipts (it left: none of its sends can come again). */
  forget(memberId: string): void {
    for (const id of this.#byMember.get(memberId) ?? []) this.#kept.delete(id);
    this.#byMember.delete(memberId);
  }

  #keep(memberId: string, id: string, result: unknown): void {
    let mine = this.#byMember.get(memberId);
    if (!mine) this.#byMember.set(memberId, mine = new Set());
    if (mine.size >= this.#limits.perMember) this.#drop(mine.values().next().value!);
    if (this.#kept.size >= this.#limits.max) this.#drop(this.#kept.keys().next().value!);
    this.#kept.set(id, { memberId, at: this.#limits.now(), result });
    mine.add(id);
  }

  #expire(): void {
    const now = this.#limits.now();
    for (const [id, receipt] of this.#kept) {
      if (now - receipt.at < RECEIPT_MS) break; // oldest first: the rest are newer
      this.#drop(id);
    }
  }

  #drop(id: string): void {
    const receipt = this.#kept.get(id);
    if (!receipt) return;
    this.#kept.delete(id);
    const mine = this.#byMember.get(receipt.memberId)!;
    mine.delete(id);
    if (mine.size === 0) this.#byMember.delete(receipt.memberId);
  }
}
