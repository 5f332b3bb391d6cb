/**
 * The Redis Directory, for several instances sharing one room.
 *
 * - Names: `SET {chat}:name:<key> <instance>/<member>/<name> NX PX 30000` for each of a member's keys, in
 *   one script (all or none); refreshed by the holder's instance, released with compare-and-delete. A name
 *   whose holder's instance is dead (its liveness key, `PX 12000` refreshed every 3 s, gone) may be taken
 *   over at once. So a killed instance's members are seen leaving, and their names are free, within
 *   12 s (+ one sweep, 1 s) of its death: inside the 15 s the room promises.
 * - Presence: a sorted set of member ids by the time their presence expires, refreshed by their instance,
 *   with each member's details in a hash. An instance that stops refreshing (killed) lets its members
 *   expire; the instance whose sweep removes one reports it lost, and the room writes its leave. A sweep
 *   spares members of instances still alive, and no instance sweeps in its first {@link LIVENESS_MS} after
 *   (re)connecting, so a Redis outage is not taken for everyone's death.
 * - Flood: one token bucket per member (`{chat}:flood:<member id>`), on Redis's clock, for every instance.
 *
 * Receipts of keyed sends are redis_receipts.ts's; web sessions are the web door's (web/redis_session_store.ts).
 *
 * @example
 * ```ts
 * import { connectRedis } from "../redis/client.ts";
 * import { RedisDirectory } from "./redis.ts";
 * export async function claimAna(url: string): Promise<void> { // e.g. "redis://127.0.0.1:6379"
 *   const names = new RedisDirectory(await connectRedis(url));
 *   await names.claim({ id: "m1", name: "Ana", door: "tcp", keys: ["ana"] }); // undefined: had
 *   await names.close();
 * }
 * ```
 */
import { errorFields, log } from "../ops/log.ts";
import type { RedisLink } from "../redis/client.ts";
import { KEYS } from "../redis/keys.ts";
import { LuaScript } from "../redis/script.ts";
import type { Directory, Holder, MemberInfo } from "./directory.ts";

/** A name key lives this long unless its instance refreshes it. */
export const NAME_MS = 30_000;
/** An instance (and its members' presence) counts as alive this long after its last refresh. */
export const LIVENESS_MS = 12_000;
/** How often an instance refreshes its liveness, its names and its members' presence. */
export const REFRESH_MS = 3_000;
/** How often an instance looks for members of dead instances. */
export const SWEEP_MS = 1_000;
/**
 * A member's flood bucket (KEYS[1]) on Redis's own clock, so every instance judges by the same time: ARGV
 * burst, rate per second. Returns 0 (a token taken) or the ms until one is there; the bucket expires once
 * it would be full again.
 */
const TAKE_TOKEN = new LuaScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local burst, rate = tonumber(ARGV[1]), tonumber(ARGV[2])
local kept = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = math.min(burst, (tonumber(kept[1]) or burst) + (now - (tonumber(kept[2]) or now)) * rate / 1000)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = math.ceil((1 - tokens) * 1000 / rate) end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', now)
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) * 1000 / rate) + 1000)
return wait
`);

/**
 * Takes every name key of a member (KEYS) unless one is held by another member of a live instance (ARGV:
 * the holder value, the expiry, the member id, the instance keys' prefix); returns that holder, or false.
 */
const CLAIM = new LuaScript(`
for _, key in ipairs(KEYS) do
  local holder = redis.call('GET', key)
  if holder and holder ~= ARGV[1] then
    local instance, member = string.match(holder, '^([^/]+)/([^/]+)/')
    if member ~= ARGV[3] and instance and redis.call('EXISTS', ARGV[4] .. instance) == 1 then
      return holder
    end
  end
end
for _, key in ipairs(KEYS) do redis.call('SET', key, ARGV[1], 'PX', ARGV[2]) end
return false
`);

/** Keeps the keys still ours (or free again: an emptied Redis) for another NAME_MS. */
const REFRESH_NAMES = new LuaScript(`
for _, key in ipairs(KEYS) do
  local holder = redis.call('GET', key)
  if holder == ARGV[1] then
    redis.call('PEXPIRE', key, ARGV[2])
  elseif not holder then
    redis.call('SET', key, ARGV[1], 'PX', ARGV[2])
  end
end
return true
`);

/** Frees a member's names and presence if this instance (ARGV[2]) still has it; 0 when another took it over. */
const RELEASE = new LuaScript(`
local info = redis.call('HGET', KEYS[1], ARGV[1])
if info and cjson.decode(info).instance ~= ARGV[2] then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
for i = 3, #KEYS do
  if redis.call('GET', KEYS[i]) == ARGV[3] then redis.call('DEL', KEYS[i]) end
end
return 1
`);

/**
 * Removes expired members of dead instances (up to 100 at a time); returns those it removed. ARGV: now (ms),
 * the instance keys' prefix, the name keys' prefix.
 */
const SWEEP = new LuaScript(`
local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, 100)
local lost = {}
for _, id in ipairs(expired) do
  local info = redis.call('HGET', KEYS[2], id)
  local member = info and cjson.decode(info)
  if not member or redis.call('EXISTS', ARGV[2] .. member.instance) == 0 then
    redis.call('ZREM', KEYS[1], id)
    redis.call('HDEL', KEYS[2], id)
    if member then
      local value = member.instance .. '/' .. id .. '/' .. member.name
      for _, key in ipairs(member.keys) do
        local name = ARGV[3] .. key
        if redis.call('GET', name) == value then redis.call('DEL', name) end
      end
      table.insert(lost, info)
    end
  end
end
return lost
`);

interface Stored extends Holder {
  instance: string;
}

export class RedisDirectory implements Directory {
  readonly instance = crypto.randomUUID().slice(0, 8);
  #redis: RedisLink;
  /** This instance's members: claimed, and whether present. */
  #local = new Map<string, { member: Holder; present: boolean }>();
  #lost = new Set<(member: MemberInfo) => void>();
  #timers: ReturnType<typeof setInterval>[] = [];
  /** No sweeping before this time (ms): after a start or a Redis outage, every instance refreshes first. */
  #sweepFrom: number;
  #failing = false;

  constructor(redis: RedisLink, private readonly now: () => number = Date.now) {
    this.#redis = redis;
    this.#sweepFrom = now() + LIVENESS_MS;
    this.#timers.push(setInterval(() => void this.#refresh(), REFRESH_MS));
    this.#timers.push(setInterval(() => void this.#sweep(), SWEEP_MS));
    void this.#refresh();
  }

  async claim(member: Holder): Promise<string | undefined> {
    const value = this.#value(member);
    const args = [value, String(NAME_MS), member.id, KEYS.instance("")];
    const holder = await CLAIM.run(this.#redis, member.keys.map(KEYS.name), args) as
      | string
      | null;
    if (holder) return holder.split("/").slice(2).join("/");
    this.#local.set(member.id, { member, present: false });
    return undefined;
  }

  async release(member: Holder): Promise<boolean> {
    this.#local.delete(member.id);
    const keys = [KEYS.members, KEYS.presence, ...member.keys.map(KEYS.name)];
    return await RELEASE.run(this.#redis, keys, [member.id, this.instance, this.#value(member)]) === 1;
  }

  async enter(member: Holder): Promise<void> {
    const local = this.#local.get(member.id);
    if (local) local.present = true;
    await this.#present(member);
  }

  async present(): Promise<MemberInfo[]> {
    const [ids, all] = await Promise.all([
      this.#redis.sendCommand(["ZRANGE", KEYS.presence, "0", "-1"]) as Promise<string[]>,
      this.#redis.sendCommand(["HGETALL", KEYS.members]) as Promise<string[]>,
    ]);
    const byId = new Map<string, MemberInfo>();
    for (let i = 0; i < all.length; i += 2) {
      const { id, name, door } = JSON.parse(all[i + 1]) as Stored;
      byId.set(id, { id, name, door });
    }
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  onLost(listener: (member: MemberInfo) => void): void {
    this.#lost.add(listener);
  }

  async flood(memberId: string, burst: number, rate: number): Promise<number> {
    if (rate <= 0) return Infinity;
    return Number(await TAKE_TOKEN.run(this.#redis, [KEYS.flood(memberId)], [String(burst), String(rate)]));
  }

  async close(): Promise<void> {
    for (const timer of this.#timers) clearInterval(timer);
    // Leaving members were released one by one; what is left goes with the instance's liveness.
    await this.#redis.sendCommand(["DEL", KEYS.instance(this.instance)]).catch(() => {});
  }

  #value(member: Holder): string {
    return `${this.instance}/${member.id}/${member.name}`;
  }

  async #present(member: Holder): Promise<void> {
    const stored: Stored = { ...pick(member), instance: this.instance };
    await Promise.all([
      this.#redis.sendCommand(["ZADD", KEYS.presence, String(this.now() + LIVENESS_MS), member.id]),
      this.#redis.sendCommand(["HSET", KEYS.members, member.id, JSON.stringify(stored)]),
    ]);
  }

  /** This instance is alive; its names and its members' presence go on. */
  async #refresh(): Promise<void> {
    try {
      await this.#redis.sendCommand(["SET", KEYS.instance(this.instance), "1", "PX", String(LIVENESS_MS)]);
      await Promise.all([...this.#local.values()].flatMap(({ member, present }) => [
        REFRESH_NAMES.run(this.#redis, member.keys.map(KEYS.name), [this.#value(member), String(NAME_MS)]),
        ...(present ? [this.#present(member)] : []),
      ]));
      if (this.#failing) {
        log.info("directory.redis_back");
        this.#sweepFrom = this.now() + LIVENESS_MS;
      }
      this.#failing = false;
    } catch (error) {
      if (!this.#failing) log.error("directory.redis_unreachable", errorFields(error));
      this.#failing = true;
    }
  }

  async #sweep(): Promise<void> {
    if (this.#failing || this.now() < this.#sweepFrom) return;
    try {
      const args = [String(this.now()), KEYS.instance(""), KEYS.name("")];
      const lost = await SWEEP.run(this.#redis, [KEYS.presence, KEYS.members], args) as string[];
      for (const info of lost) {
        const { id, name, door } = JSON.parse(info) as Stored;
        for (const listener of this.#lost) listener({ id, name, door });
      }
    } catch {
      // Redis away: the refresh reports it; the next sweep tries again.
    }
  }
}

function pick({ id, name, door, keys }: Holder): Holder {
  return { id, name, door, keys: [...keys] };
}
