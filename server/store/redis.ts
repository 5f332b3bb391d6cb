/**
 * The Redis EventStore, for several instances sharing one room: the log is a Redis Stream.
 *
 * - Append: one Lua script call adds a whole batch (the lines a turn gathered), each entry with
 *   `XADD … MAXLEN ~ retain` carrying the previous entry's id, and returns the store's epoch (created once
 *   in `{chat}:meta`, so an emptied or replaced Redis gets a new one). Batches share the connection,
 *   pipelined, not one round trip after another.
 * - Delivery: one blocking `XREAD` loop per instance, on its own connection, from the last id it handed
 *   out; each reply is one publication. A Redis blip loses nothing, the loop catches up when Redis is
 *   back. This instance's own events reach its subscribers that way too, in the one order every instance
 *   sees. Entries trimmed before this instance read them (it fell behind by more than `retain`) are
 *   reported to the gap listeners, whose readers reset: never a silent hole.
 * - Resume: `since(id)` trusts a replay only when the first entry after `id` names `id` as its previous
 *   entry; an id that was trimmed away, or never issued, gets `null` (the reader resets). Plain XRANGE
 *   from a trimmed id would silently return whatever survived.
 * - Redis unreachable: `append` fails at once with {@link StoreUnavailable}; nothing is queued.
 *
 * @example
 * ```ts
 * import { connectRedis } from "../redis/client.ts";
 * import { RedisStore } from "./redis.ts";
 * export async function hello(url: string): Promise<void> { // e.g. "redis://127.0.0.1:6379"
 *   const store = await RedisStore.open(await connectRedis(url), { retain: 100_000 });
 *   store.subscribe((events) => console.log(events[0].id, events[0].text));
 *   await store.append({ at: Date.now(), kind: "system", text: "hello" }); // logs "<epoch>-<ms>-<seq> hello"
 *   await store.close();
 * }
 * ```
 */
import type { NewEvent, RoomEvent } from "../room/events.ts";
import type { RedisLink } from "../redis/client.ts";
import { KEYS } from "../redis/keys.ts";
import { LuaScript } from "../redis/script.ts";
import { sleep } from "../async/deadline.ts";
import { Buckets } from "../ops/counters.ts";
import { errorFields, log } from "../ops/log.ts";
import { comparePositions, eventId, newEpoch, positionOf } from "./ids.ts";
import { StoreUnavailable } from "./store.ts";
import type { EventStore, Listener } from "./store.ts";
import { Subscribers } from "./subscribers.ts";

/** How long one XREAD waits for new entries before asking again. */
const BLOCK_MS = 5000;
/** Entries one XREAD hands over at most. */
const READ_COUNT = 1000;
/** After a failed XREAD (Redis gone), wait this long before the next try. */
const RETRY_MS = 250;
const START = "0-0";

/** ARGV: retain, a new epoch (used only if Redis has none), then one event per argument. */
const APPEND = new LuaScript(`
local epoch = redis.call('HGET', KEYS[2], 'epoch')
if not epoch then
  epoch = ARGV[2]
  redis.call('HSET', KEYS[2], 'epoch', epoch)
end
local prev = redis.call('HGET', KEYS[2], 'last') or '${START}'
local reply = {epoch}
for i = 3, #ARGV do
  prev = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'p', prev, 'e', ARGV[i])
  reply[#reply + 1] = prev
end
redis.call('HSET', KEYS[2], 'last', prev)
return reply
`);

/**
 * Reads the epoch and how many entries the room keeps, setting both if this Redis has none yet (ARGV: a new
 * epoch, this instance's `retain`); and the newest entry's id.
 */
const OPEN = new LuaScript(`
redis.call('HSETNX', KEYS[1], 'epoch', ARGV[1])
redis.call('HSETNX', KEYS[1], 'retain', ARGV[2])
return {redis.call('HGET', KEYS[1], 'epoch'), redis.call('HGET', KEYS[1], 'last') or '${START}',
  redis.call('HGET', KEYS[1], 'retain')}
`);

type Entry = [id: string, fields: string[]];

export interface RedisStoreOptions {
  /**
   * Entries kept in the stream (at least: trimming is approximate), if the room has no number yet: the first
   * instance's is the room's, kept in `{chat}:meta`, and every instance trims to it.
   */
  retain: number;
  /** Where each append's round trip is observed (seconds); the server's counters in main.ts. */
  appendLatency?: Buckets;
}

export class RedisStore implements EventStore {
  #redis: RedisLink;
  #reader: RedisLink;
  #retain: number;
  #appendLatency: Buckets;
  #epoch: string;
  /** The id (stream position) of the newest entry handed to subscribers. */
  #last: string;
  #subscribers = new Subscribers();
  #closed = false;
  #tailing: Promise<void>;
  #resetListeners = new Set<() => void>();
  #gapListeners = new Set<(lastId: string) => void>();

  /** Opens the store on `redis`, with a second connection of its own for the blocking read. */
  static async open(redis: RedisLink, options: RedisStoreOptions): Promise<RedisStore> {
    const [epoch, last, kept] = await OPEN.run(redis, [KEYS.meta], [newEpoch(), String(options.retain)]) as string[];
    const retain = Number(kept);
    if (retain !== options.retain) {
      log.warn("store.retain_is_the_rooms", { asked: options.retain, room: retain });
    }
    return new RedisStore(redis, await redis.duplicate(), epoch, last, { ...options, retain });
  }

  private constructor(redis: RedisLink, reader: RedisLink, epoch: string, last: string, options: RedisStoreOptions) {
    this.#redis = redis;
    this.#reader = reader;
    this.#epoch = epoch;
    this.#last = last;
    this.#retain = options.retain;
    this.#appendLatency = options.appendLatency ?? new Buckets([]);
    this.#tailing = this.#tail();
  }

  get epoch(): string {
    return this.#epoch;
  }

  /** How many entries the room keeps: the first instance's `--retain`, the same for every instance. */
  get retain(): number {
    return this.#retain;
  }

  async append(event: NewEvent): Promise<RoomEvent> {
    return (await this.appendAll([event]))[0];
  }

  /** One script call, so the batch is stored whole or not at all. */
  async appendAll(events: readonly NewEvent[]): Promise<RoomEvent[]> {
    let reply: string[];
    const started = performance.now();
    try {
      reply = await APPEND.run(this.#redis, [KEYS.log, KEYS.meta], [
        String(Math.max(1, this.#retain)),
        newEpoch(),
        ...events.map((event) => JSON.stringify(event)),
      ]) as string[];
    } catch (error) {
      throw new StoreUnavailable(`Redis: ${error instanceof Error ? error.message : error}`);
    }
    this.#appendLatency.observe((performance.now() - started) / 1000);
    const epoch = reply[0];
    if (epoch !== this.#epoch) this.#noticeEpoch(epoch);
    return events.map((event, i) => ({ ...event, id: eventId(epoch, reply[i + 1]) }));
  }

  async since(id: string, limit: number): Promise<RoomEvent[] | null> {
    const position = positionOf(id, this.#epoch);
    if (position === undefined || !/^\d+-\d+$/.test(position)) return null;
    if (limit <= 0) return (await this.since(id, 1)) === null ? null : [];
    const entries = await this.#redis.sendCommand(
      ["XRANGE", KEYS.log, `(${position}`, "+", "COUNT", String(limit)],
    ) as Entry[];
    if (entries.length === 0) {
      // Nothing after it: fine if it is the newest entry, not if it was never issued.
      const last = await this.#redis.sendCommand(["HGET", KEYS.meta, "last"]) as string | null;
      return position === (last ?? START) ? [] : null;
    }
    if (field(entries[0][1], "p") !== position) return null;
    return entries.map((entry) => this.#decode(entry));
  }

  async recent(limit: number): Promise<RoomEvent[]> {
    if (limit <= 0) return [];
    const entries = await this.#redis.sendCommand(["XREVRANGE", KEYS.log, "+", "-", "COUNT", String(limit)]) as Entry[];
    return entries.reverse().map((entry) => this.#decode(entry));
  }

  lastId(): string {
    return eventId(this.#epoch, this.#last);
  }

  subscribe(listener: Listener): () => void {
    return this.#subscribers.subscribe(listener);
  }

  ready(): string | undefined {
    if (this.#closed) return "store closed";
    return this.#redis.ready ? undefined : "redis unreachable";
  }

  /** Calls `listener` when the store's epoch changes under it (Redis emptied or replaced). */
  onReset(listener: () => void): () => void {
    this.#resetListeners.add(listener);
    return () => this.#resetListeners.delete(listener);
  }

  onGap(listener: (lastId: string) => void): () => void {
    this.#gapListeners.add(listener);
    return () => this.#gapListeners.delete(listener);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#reader.destroy();
    await this.#tailing;
  }

  /** The one blocking read loop: every entry after the last one handed out, in order. */
  async #tail(): Promise<void> {
    let failing = false;
    while (!this.#closed) {
      try {
        if (failing) await this.#checkEpoch();
        const reply = await this.#reader.sendCommand(
          ["XREAD", "COUNT", String(READ_COUNT), "BLOCK", String(BLOCK_MS), "STREAMS", KEYS.log, this.#last],
          { timeout: BLOCK_MS + 5000 },
        ) as [string, Entry[]][] | null;
        if (failing) log.info("store.redis_back");
        failing = false;
        this.#deliver(reply?.[0]?.[1] ?? []);
      } catch (error) {
        if (this.#closed) return;
        if (!failing) log.error("store.redis_unreachable", errorFields(error));
        failing = true;
        await sleep(RETRY_MS);
      }
    }
  }

  /** One XREAD reply as one publication, split where entries were trimmed before this instance read them. */
  #deliver(entries: Entry[]): void {
    let batch: RoomEvent[] = [];
    for (const entry of entries) {
      const [position, fields] = entry;
      if (comparePositions(position, this.#last) <= 0) continue;
      if (field(fields, "p") !== this.#last && this.#last !== START) {
        log.warn("store.trimmed_unread", { after: this.#last, before: position });
        this.#subscribers.publish(batch);
        batch = [];
        const lastId = this.lastId();
        for (const listener of this.#gapListeners) listener(lastId);
      }
      this.#last = position;
      batch.push(this.#decode(entry));
    }
    this.#subscribers.publish(batch);
  }

  /** After Redis was away: the same epoch, or a new one (Redis emptied), from which reading starts over. */
  async #checkEpoch(): Promise<void> {
    const [epoch] = await OPEN.run(this.#redis, [KEYS.meta], [newEpoch(), String(this.#retain)]) as string[];
    if (epoch !== this.#epoch) this.#noticeEpoch(epoch);
  }

  #noticeEpoch(epoch: string): void {
    if (epoch === this.#epoch) return;
    log.warn("store.new_epoch", { epoch, was: this.#epoch });
    this.#epoch = epoch;
    this.#last = START;
    for (const listener of this.#resetListeners) listener();
  }

  #decode([position, fields]: Entry): RoomEvent {
    return { ...JSON.parse(field(fields, "e") ?? "{}"), id: eventId(this.#epoch, position) };
  }
}

/** The value of `name` in a stream entry's flat field list. */
function field(fields: string[], name: string): string | undefined {
  for (let i = 0; i < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}
