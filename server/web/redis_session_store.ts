/**
 * Web sessions in Redis, for several instances: `{chat}:session:<token>` holds the member as JSON for
 * {@link SESSION_MS}, refreshed whenever an instance picks the session up.
 *
 * @example
 * ```ts
 * import type { RedisLink } from "../redis/client.ts";
 * import { RedisSessionStore } from "./redis_session_store.ts";
 * export async function pickUp(redis: RedisLink, token: string) {
 *   return await new RedisSessionStore(redis).find(token); // the member another instance signed in, if any
 * }
 * ```
 */
import type { RedisLink } from "../redis/client.ts";
import { KEYS } from "../redis/keys.ts";
import type { Holder } from "../room/room.ts";
import { SESSION_MS, type SessionStore } from "./session_store.ts";

export class RedisSessionStore implements SessionStore {
  constructor(private readonly redis: RedisLink) {}

  async save(token: string, { id, name, door, keys }: Holder): Promise<void> {
    const held: Holder = { id, name, door, keys: [...keys] };
    await this.redis.sendCommand(["SET", KEYS.session(token), JSON.stringify(held), "PX", String(SESSION_MS)]);
  }

  async find(token: string): Promise<Holder | undefined> {
    const stored = await this.redis.sendCommand(["GET", KEYS.session(token)]) as string | null;
    if (stored === null) return undefined;
    await this.redis.sendCommand(["PEXPIRE", KEYS.session(token), String(SESSION_MS)]);
    return JSON.parse(stored) as Holder;
  }

  async drop(token: string): Promise<void> {
    await this.redis.sendCommand(["DEL", KEYS.session(token)]);
  }
}
