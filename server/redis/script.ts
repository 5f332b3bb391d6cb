/**
 * A Lua script run by its SHA (EVALSHA), loaded on first use and again whenever the server says it does
 * not know it (a restarted Redis forgets its scripts).
 *
 * @example
 * ```ts
 * import type { RedisLink } from "./client.ts";
 * import { LuaScript } from "./script.ts";
 * const incr = new LuaScript("return redis.call('INCR', KEYS[1])");
 * export function count(redis: RedisLink): Promise<unknown> {
 *   return incr.run(redis, ["{chat}:counter"], []); // 1, then 2, …
 * }
 * ```
 */
import { createHash } from "node:crypto";
import type { RedisLink } from "./client.ts";

export class LuaScript {
  readonly sha: string;

  constructor(readonly source: string) {
    this.sha = createHash("sha1").update(source).digest("hex");
  }

  async run(redis: RedisLink, keys: string[], args: string[]): Promise<unknown> {
    const tail = [String(keys.length), ...keys, ...args];
    try {
      return await redis.sendCommand(["EVALSHA", this.sha, ...tail]);
    } catch (error) {
      if (!String((error as Error)?.message).startsWith("NOSCRIPT")) throw error;
      return await redis.sendCommand(["EVAL", this.source, ...tail]);
    }
  }
}
