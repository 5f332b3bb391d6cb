/**
 * The receipts of keyed sends on Redis, for several instances (see `SendReceipts` in directory.ts): a send's
 * key is `SET … NX PX 120000` while it runs; a retry, on any instance, finds the first outcome there. Only a
 * send the room took keeps it (for 2 minutes, the member's last {@link RECEIPTS_PER_MEMBER}, listed oldest
 * first beside them); a refused one's key is deleted, so its retry is judged afresh.
 *
 * @example
 * ```ts
 * import type { RedisLink } from "../redis/client.ts";
 * import { RedisReceipts } from "./redis_receipts.ts";
 * export async function sendOnce(redis: RedisLink): Promise<unknown> {
 *   const receipts = new RedisReceipts(redis);
 *   return await receipts.once("m1", "k-1", () => Promise.resolve({ type: "sent" })); // a retry gets the same
 * }
 * ```
 */
import { sleep } from "../async/deadline.ts";
import { errorFields, log } from "../ops/log.ts";
import type { RedisLink } from "../redis/client.ts";
import { KEYS } from "../redis/keys.ts";
import { LuaScript } from "../redis/script.ts";
import { RECEIPT_MS, RECEIPTS_PER_MEMBER, type SendReceipts, wasTaken } from "./directory.ts";

/** A retry that finds its first send still running waits this long for its outcome. */
const RECEIPT_WAIT_MS = 2_000;
const RECEIPT_POLL_MS = 50;
const PENDING = "pending";

/**
 * A member's kept receipts, oldest first: a list beside them (`{chat}:receipt:<member id>`; a receipt's own
 * key has the send's key after the member id, and ids hold no `:`).
 */
const receiptsOf = (memberId: string) => KEYS.receipt(memberId);

/**
 * Keeps a send's result (KEYS[1]) for ARGV[2] ms and lists it among the member's (KEYS[2]); past ARGV[3]
 * receipts the member's oldest are deleted.
 */
const KEEP_RECEIPT = new LuaScript(`
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('LREM', KEYS[2], 0, KEYS[1])
redis.call('RPUSH', KEYS[2], KEYS[1])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
while redis.call('LLEN', KEYS[2]) > tonumber(ARGV[3]) do
  redis.call('DEL', redis.call('LPOP', KEYS[2]))
end
return 1
`);

export class RedisReceipts implements SendReceipts {
  constructor(private readonly redis: RedisLink) {}

  async once<T>(memberId: string, key: string | undefined, send: () => Promise<T>): Promise<T> {
    if (key === undefined) return await send();
    const receipt = KEYS.receipt(`${memberId}:${key}`);
    for (let waited = 0;; waited += RECEIPT_POLL_MS) {
      const first = await this.redis.sendCommand(["SET", receipt, PENDING, "NX", "PX", String(RECEIPT_MS)]);
      if (first === "OK") return await this.#sendOnce(memberId, receipt, send);
      const stored = await this.redis.sendCommand(["GET", receipt]) as string | null;
      // Gone: the first send was refused (or its receipt expired), so this one is judged afresh.
      if (stored === null) continue;
      if (stored !== PENDING) return JSON.parse(stored) as T;
      if (waited >= RECEIPT_WAIT_MS) return await send();
      await sleep(RECEIPT_POLL_MS);
    }
  }

  /** Runs the send that holds `receipt`: keeps its result if the room took it, else frees the key. */
  async #sendOnce<T>(memberId: string, receipt: string, send: () => Promise<T>): Promise<T> {
    let result: T;
    try {
      result = await send();
    } catch (error) {
      await this.redis.sendCommand(["DEL", receipt]).catch(() => {});
      throw error;
    }
    try {
      if (!wasTaken(result)) await this.redis.sendCommand(["DEL", receipt]);
      else {
        const args = [JSON.stringify(result), String(RECEIPT_MS), String(RECEIPTS_PER_MEMBER)];
        await KEEP_RECEIPT.run(this.redis, [receipt, receiptsOf(memberId)], args);
      }
    } catch (error) {
      // The send itself is done: its answer stands, only a retry of it would not be recognised.
      log.warn("directory.receipt_unsaved", errorFields(error));
    }
    return result;
  }

  /** Redis expires a member's receipts by themselves. */
  forget(): void {}
}
